from django.urls import path

from . import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("responsibilities/", views.ResponsibilitiesView.as_view(), name="responsibilities"),
    path("responsibilities/<int:pk>/", views.ResponsibilityUpdateView.as_view(), name="responsibility"),
    path(
        "responsibilities/<int:pk>/move/", views.ResponsibilityMoveView.as_view(), name="responsibility_move"
    ),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_new"),
    path("rounds/<int:pk>/", views.RoundView.as_view(), name="round"),
    path("rounds/<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("rounds/<int:pk>/close/", views.RoundCloseView.as_view(), name="round_close"),
]
