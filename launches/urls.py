from django.urls import path

from . import views

app_name = "launches"
urlpatterns = [
    path("", views.LaunchListView.as_view(), name="index"),
    path("new/", views.LaunchCreateView.as_view(), name="new"),
    path("team-readiness/", views.TeamReadinessView.as_view(), name="team_readiness"),
    path("templates/", views.TemplateListView.as_view(), name="templates"),
    path("templates/<int:pk>/", views.TemplateEditView.as_view(), name="template"),
    path("<int:pk>/", views.LaunchDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.LaunchEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.LaunchDeleteView.as_view(), name="delete"),
    path("<int:pk>/items/new/", views.ItemCreateView.as_view(), name="item_new"),
    path("<int:pk>/asset-options/", views.AssetOptionsView.as_view(), name="asset_options"),
    path("<int:pk>/initiative-options/", views.InitiativeOptionsView.as_view(), name="initiative_options"),
    path("items/<int:pk>/", views.ItemEditView.as_view(), name="item"),
    path("items/<int:pk>/status/", views.ItemStatusView.as_view(), name="item_status"),
    path("items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item_delete"),
]
