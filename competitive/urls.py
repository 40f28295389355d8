from django.urls import path

from . import selectors, views

app_name = "competitive"
urlpatterns = [
    path("", views.CompetitorListView.as_view(), name="index"),
    path("new/", views.CompetitorCreateView.as_view(), name="new"),
    path("options/", views.CompetitorOptionsView.as_view(), name="options"),
    path("for-request/<int:pk>/", views.CompetitorForRequestView.as_view(), name="for_request"),
    path("<int:pk>/", views.CompetitorDetailView.as_view(), name="competitor"),
    path("<int:pk>/edit/", views.CompetitorEditView.as_view(), name="edit"),
    path(
        "<int:pk>/asset-options/",
        views.LinkOptionsView.as_view(find=selectors.link_asset_options),
        name="link_asset_options",
    ),
    path(
        "<int:pk>/interaction-options/",
        views.LinkOptionsView.as_view(find=selectors.link_interaction_options),
        name="link_interaction_options",
    ),
    path("<int:pk>/reviewed/", views.CompetitorReviewedView.as_view(), name="reviewed"),
    path("<int:pk>/battlecards/new/", views.BattlecardCreateView.as_view(), name="battlecard_new"),
    path("battlecards/<int:pk>/", views.BattlecardView.as_view(), name="battlecard"),
    path("battlecards/<int:pk>/edit/", views.BattlecardEditView.as_view(), name="battlecard_edit"),
    path(
        "battlecards/<int:pk>/reviewed/", views.BattlecardReviewedView.as_view(), name="battlecard_reviewed"
    ),
    path("win-loss/", views.WinLossView.as_view(), name="win_loss"),
    path("win-loss/new/", views.ReviewCreateView.as_view(), name="review_new"),
    path(
        "win-loss/interaction-options/",
        views.ReviewInteractionOptionsView.as_view(),
        name="review_interaction_options",
    ),
    path("win-loss/reasons/", views.ReasonsView.as_view(), name="reasons"),
    path("win-loss/reasons/<int:pk>/", views.ReasonUpdateView.as_view(), name="reason"),
    path("win-loss/<int:pk>/", views.ReviewDetailView.as_view(), name="review"),
    path("win-loss/<int:pk>/edit/", views.ReviewEditView.as_view(), name="review_edit"),
]
