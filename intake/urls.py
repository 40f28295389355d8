from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.MessageListView.as_view(), name="index"),
]
