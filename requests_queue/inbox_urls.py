"""``/inbox/``: every role's notifications (the bell in the top bar leads here)."""

from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.InboxView.as_view(), name="index"),
    path("bell/", views.InboxBellView.as_view(), name="bell"),
    path("read/", views.NotificationsReadView.as_view(), name="read"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="open"),
    path("preferences/", views.NotificationPreferencesView.as_view(), name="preferences"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
