from django.urls import path

from . import views

app_name = "personas"
urlpatterns = [
    path("", views.PersonaListView.as_view(), name="index"),
    path("new/", views.PersonaCreateView.as_view(), name="create"),
    path("options/", views.PersonaOptionsView.as_view(), name="options"),
    path("<int:pk>/", views.PersonaDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PersonaEditView.as_view(), name="edit"),
    path("<int:pk>/validate/", views.PersonaValidateView.as_view(), name="validate"),
    path("<int:pk>/retire/", views.PersonaRetireView.as_view(), name="retire"),
    path(
        "<int:pk>/positioning/<int:product_id>/<str:side>/",
        views.PositioningEditView.as_view(),
        name="positioning",
    ),
    path("interactions/", views.InteractionListView.as_view(), name="interactions"),
    path("interactions/new/", views.InteractionCreateView.as_view(), name="interaction_create"),
    path("interactions/<int:pk>/", views.InteractionDetailView.as_view(), name="interaction_detail"),
    path("interactions/<int:pk>/edit/", views.InteractionEditView.as_view(), name="interaction_edit"),
    path("interactions/<int:pk>/delete/", views.InteractionDeleteView.as_view(), name="interaction_delete"),
    path("interactions/<int:pk>/quotes/", views.QuoteAddView.as_view(), name="quote_add"),
    path("interactions/<int:pk>/follow-ups/", views.FollowUpAddView.as_view(), name="follow_up_add"),
    path("follow-ups/<int:pk>/toggle/", views.FollowUpToggleView.as_view(), name="follow_up_toggle"),
]
