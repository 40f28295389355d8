from django.urls import path

from . import views

# Mounted at /initiatives/timesheet/: the address PMMs bookmarked before time had an app of its own.
app_name = "timesheets"
urlpatterns = [
    path("", views.TimesheetView.as_view(), name="week"),
    path("copy/", views.TimesheetCopyView.as_view(), name="copy"),
]
