from django.contrib import admin

from .models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin[Endpoint]):
    list_display = ["name", "kind", "team", "owner", "personal", "paused_at", "failure_streak"]
    list_filter = ["kind", "personal", "team"]
    search_fields = ["name", "url"]
    raw_id_fields = ["owner"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["uuid", "endpoint", "event", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_key", "uuid"]
    raw_id_fields = ["endpoint", "resend_of", "created_by"]
    readonly_fields = ["uuid", "created_at"]
