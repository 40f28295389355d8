from django.urls import path

from . import views

app_name = "initiatives"
urlpatterns = [
    path("", views.PlanView.as_view(), name="index"),
    path("team/", views.TeamPlanView.as_view(), name="team"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("all/", views.InitiativeListView.as_view(), name="list"),
    path("new/", views.InitiativeCreateView.as_view(), name="new"),
    path("<int:pk>/", views.InitiativeDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.InitiativeEditView.as_view(), name="edit"),
    path("<int:pk>/focus/", views.FocusView.as_view(), name="focus"),
    path("<int:pk>/updates/", views.StatusUpdateView.as_view(), name="status-update"),
    path("<int:pk>/milestones/", views.MilestoneAddView.as_view(), name="milestone-add"),
    path("<int:pk>/milestones/toggle/", views.MilestoneToggleView.as_view(), name="milestone-toggle"),
    path("review/", views.ReviewStartView.as_view(), name="review-start"),
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", views.ReviewView.as_view(), name="review"),
    path("reviews/<int:pk>/reopen/", views.ReviewReopenView.as_view(), name="review-reopen"),
    path("wins/", views.WinListView.as_view(), name="wins"),
    path("wins/new/", views.WinCreateView.as_view(), name="win-new"),
    path("wins/feed/", views.WinFeedView.as_view(), name="feed"),
    path("wins/feed/mails/", views.WinMailsView.as_view(), name="feed-mails"),
    path(
        "wins/unsubscribe/<str:token>/", views.WinMailUnsubscribeView.as_view(), name="win-mail-unsubscribe"
    ),
    path("wins/<int:pk>/promote/", views.WinPromoteView.as_view(), name="win-promote"),
    path("wins/<int:pk>/unpromote/", views.WinUnpromoteView.as_view(), name="win-unpromote"),
    path("wins/<int:pk>/send/", views.WinSendView.as_view(), name="win-send"),
    path("learnings/", views.LearningListView.as_view(), name="learnings"),
    path("learnings/new/", views.LearningCreateView.as_view(), name="learning-new"),
    path("learnings/<int:pk>/", views.LearningDetailView.as_view(), name="learning"),
    path("learnings/<int:pk>/edit/", views.LearningEditView.as_view(), name="learning-edit"),
    path("options/", views.InitiativeOptionsView.as_view(), name="options"),
    path("persona-options/", views.InitiativePersonaOptionsView.as_view(), name="persona-options"),
    path("wins/request-options/", views.WinRequestOptionsView.as_view(), name="win-request-options"),
]
