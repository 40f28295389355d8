"""Django admin for requests, assets and service levels (support and data fixes)."""

from django.contrib import admin

from .models import Asset, AssetVersion, Notification, Request, RequestComment, RequestEvent, SlaTarget


class CommentInline(admin.TabularInline[RequestComment, Request]):
    model = RequestComment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin[Request]):
    list_display = ["id", "title", "team", "type", "status", "assignee", "priority", "needed_by"]
    list_filter = ["status", "type", "team"]
    search_fields = ["title", "details", "account"]
    raw_id_fields = ["requester", "assignee", "duplicate_of", "answered_by_request", "reused_asset"]
    readonly_fields = ["priority", "created_at", "updated_at"]
    inlines = [CommentInline]


class AssetVersionInline(admin.TabularInline[AssetVersion, Asset]):
    model = AssetVersion
    extra = 0
    raw_id_fields = ["uploaded_by"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin[Asset]):
    list_display = [
        "title",
        "kind",
        "team",
        "owner",
        "version",
        "reuse_count",
        "view_count",
        "download_count",
        "review_by",
        "retired_at",
    ]
    list_filter = ["kind", "team"]
    search_fields = ["title", "description"]
    raw_id_fields = ["owner", "source_request", "replaced_by", "retired_by"]
    inlines = [AssetVersionInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin[SlaTarget]):
    list_display = ["team", "type", "acknowledge_days", "deliver_days"]
    list_filter = ["team"]


@admin.register(RequestEvent)
class RequestEventAdmin(admin.ModelAdmin[RequestEvent]):
    list_display = ["id", "request", "kind", "to_status", "created_at", "dispatched_at", "dispatch_attempts"]
    list_filter = ["kind", "notify"]
    raw_id_fields = ["request", "actor"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["recipient", "text", "created_at", "read_at"]
    raw_id_fields = ["recipient", "event", "request"]
