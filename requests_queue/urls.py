from django.urls import path

from . import views

app_name = "requests_queue"
urlpatterns = [
    path("", views.QueueView.as_view(), name="index"),
    path("new/", views.NewRequestView.as_view(), name="new"),
    path("mine/", views.MyRequestsView.as_view(), name="mine"),
]
