"""Sign in, sign out, password change and reset (Django's views, our templates)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .account_views import PasswordResetView
from .forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Before Django's: the reset page that queues its mail and is throttled (account_views).
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
