from django.contrib import admin

from .models import AuditRead


@admin.register(AuditRead)
class AuditReadAdmin(admin.ModelAdmin[AuditRead]):
    """Readings of the audit log: shown, never edited."""

    list_display = ["created_at", "user", "kind", "via"]
    list_filter = ["kind", "via"]
    readonly_fields = ["created_at", "user", "kind", "via", "filters"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
