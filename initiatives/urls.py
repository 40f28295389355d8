from django.urls import path

from . import views

app_name = "initiatives"
urlpatterns = [
    path("", views.PlanView.as_view(), name="index"),
]
