from django.urls import path

from . import views

app_name = "scim"
urlpatterns = [
    path("Users", views.UsersView.as_view(), name="users"),
    path("Users/<str:user_id>", views.UserView.as_view(), name="user"),
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="config"),
    path("ResourceTypes", views.ResourceTypesView.as_view(), name="resource_types"),
    path("Schemas", views.SchemasView.as_view(), name="schemas"),
]
