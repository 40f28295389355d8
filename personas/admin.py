"""Admin: personas with their history, objections and positionings; interactions with quotes and follow-ups."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CustomerInteraction, FollowUp, Objection, Persona, Positioning, Quote


class ObjectionInline(admin.TabularInline[Objection, Persona]):
    model = Objection
    extra = 0


class PositioningInline(admin.StackedInline[Positioning, Persona]):
    model = Positioning
    extra = 0


@admin.register(Persona)
class PersonaAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history ships no types
    list_display = ("name", "kind", "team", "owner", "status", "last_validated_at")
    list_filter = ("kind", "status", "team")
    search_fields = ("name", "summary", "job_titles")
    autocomplete_fields = ("owner",)
    filter_horizontal = ("products", "sells_to")
    readonly_fields = ("last_validated_at", "last_validated_by", "created_at", "updated_at")
    inlines = [ObjectionInline, PositioningInline]


class QuoteInline(admin.TabularInline[Quote, CustomerInteraction]):
    model = Quote
    extra = 0
    autocomplete_fields = ("persona",)


class FollowUpInline(admin.TabularInline[FollowUp, CustomerInteraction]):
    model = FollowUp
    extra = 0


@admin.register(CustomerInteraction)
class CustomerInteractionAdmin(admin.ModelAdmin[CustomerInteraction]):
    list_display = ("occurred_on", "kind", "account", "owner", "team", "duration_minutes")
    list_filter = ("kind", "team")
    search_fields = ("account", "notes")
    date_hierarchy = "occurred_on"
    filter_horizontal = ("personas",)
    inlines = [QuoteInline, FollowUpInline]
