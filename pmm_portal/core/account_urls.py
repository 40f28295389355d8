"""Sign in, sign out, password change and reset (Django's views, our templates)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .account_views import LoginView, PasswordResetView, local_passwords_only

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    # Before Django's: the reset page that queues its mail and is throttled (account_views).
    # Password change and reset are gone while LOCAL_PASSWORDS is off (single sign-on, issue 16).
    path("password_reset/", local_passwords_only(PasswordResetView.as_view()), name="password_reset"),
    path(
        "password_change/",
        local_passwords_only(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password_change/done/",
        local_passwords_only(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password_reset/done/",
        local_passwords_only(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        local_passwords_only(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        local_passwords_only(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("", include("django.contrib.auth.urls")),
]
