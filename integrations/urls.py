from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.EndpointListView.as_view(), name="index"),
    path("new/", views.EndpointCreateView.as_view(), name="new"),
    path("deliveries/", views.DeliveryListView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/", views.DeliveryDetailView.as_view(), name="delivery"),
    path("deliveries/<int:pk>/resend/", views.DeliveryResendView.as_view(), name="delivery_resend"),
    path("me/", views.PersonalChannelView.as_view(), name="personal"),
    path("slack/commands/", views.SlackCommandView.as_view(), name="slack_commands"),
    path("slack/actions/", views.SlackActionView.as_view(), name="slack_actions"),
    path("<int:pk>/", views.EndpointDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EndpointEditView.as_view(), name="edit"),
    path("<int:pk>/pause/", views.EndpointPauseView.as_view(), name="pause"),
    path("<int:pk>/resume/", views.EndpointResumeView.as_view(), name="resume"),
    path("<int:pk>/ping/", views.EndpointPingView.as_view(), name="ping"),
    path("<int:pk>/rotate-secret/", views.EndpointRotateView.as_view(), name="rotate_secret"),
    path("<int:pk>/delete/", views.EndpointDeleteView.as_view(), name="delete"),
]
