from django.urls import path

from . import views

app_name = "requests_queue"
urlpatterns = [
    path("", views.QueueView.as_view(), name="index"),
    path("bulk/", views.BulkView.as_view(), name="bulk"),
    path("bulk/undo/", views.BulkUndoView.as_view(), name="bulk_undo"),
    path("views/", views.SavedViewCreateView.as_view(), name="saved_view_new"),
    path("views/nav/", views.SavedViewsNavView.as_view(), name="saved_views_nav"),
    path("views/<int:pk>/delete/", views.SavedViewDeleteView.as_view(), name="saved_view_delete"),
    path("new/", views.NewRequestView.as_view(), name="new"),
    path("new/suggestions/", views.SuggestionsView.as_view(), name="suggestions"),
    path("new/answered/", views.SelfServeView.as_view(), name="self_serve"),
    path("mine/", views.MyRequestsView.as_view(), name="mine"),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"),
    path("about-persona/<int:persona_pk>/", views.PersonaRequestsView.as_view(), name="about_persona"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="detail"),
    path("<int:pk>/triage/", views.TriageView.as_view(), name="triage"),
    # The old "Apply decision" form's address: the same one-step triage.
    path("<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
    path("<int:pk>/decide-in-queue/", views.QueueDecideView.as_view(), name="decide_in_queue"),
    path("<int:pk>/duplicate/", views.MarkDuplicateView.as_view(), name="mark_duplicate"),
    path("<int:pk>/claim/", views.ClaimView.as_view(), name="claim"),
    path("<int:pk>/start/", views.StartView.as_view(), name="start"),
    path("<int:pk>/take-on/", views.TakeOnView.as_view(), name="take_on"),
    path("<int:pk>/undo/", views.UndoView.as_view(), name="undo"),
    path("<int:pk>/duplicate-options/", views.DuplicateOptionsView.as_view(), name="duplicate_options"),
    path("<int:pk>/log-time/", views.LogTimeView.as_view(), name="log_time"),
    path("<int:pk>/deliver/", views.DeliverView.as_view(), name="deliver"),
    path("<int:pk>/comment/", views.CommentView.as_view(), name="comment"),
    path("<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("<int:pk>/rate/", views.RateView.as_view(), name="rate"),
    # Sales follow any open request ("me too"), not only those they see.
    path("<int:pk>/me-too/", views.MeTooView.as_view(), name="me_too"),
    # Files go out only through views that check who may see them (never /media/).
    path(
        "<int:pk>/attachments/<int:attachment_pk>/download/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path("<int:pk>/delivery/download/", views.DeliveryDownloadView.as_view(), name="delivery_download"),
    path("sla/", views.SlaView.as_view(), name="sla"),
    path("assets/", views.AssetLibraryView.as_view(), name="assets"),
    path("assets/new/", views.AssetCreateView.as_view(), name="asset_new"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/product-options/", views.AssetProductOptionsView.as_view(), name="asset_product_options"),
    path("assets/<int:pk>/reviewed/", views.AssetReviewedView.as_view(), name="asset_reviewed"),
    path("assets/<int:pk>/edit/", views.AssetEditView.as_view(), name="asset_edit"),
    path("assets/<int:pk>/versions/", views.AssetVersionUploadView.as_view(), name="asset_version_new"),
    path("assets/<int:pk>/retire/", views.AssetRetireView.as_view(), name="asset_retire"),
    path("assets/<int:pk>/unretire/", views.AssetUnretireView.as_view(), name="asset_unretire"),
    path(
        "assets/<int:pk>/replacement-options/",
        views.AssetReplacementOptionsView.as_view(),
        name="asset_replacement_options",
    ),
    path("assets/<int:pk>/download/", views.AssetDownloadView.as_view(), name="asset_download"),
    path(
        "assets/<int:pk>/versions/<int:number>/download/",
        views.AssetVersionDownloadView.as_view(),
        name="asset_version_download",
    ),
]
