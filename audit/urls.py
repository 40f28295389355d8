from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditLogView.as_view(), name="index"),
    path("export.csv", views.AuditExportView.as_view(), name="export"),
]
