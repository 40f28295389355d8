from django.contrib import admin

from .models import TimeEntry


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin[TimeEntry]):
    list_display = ["user", "week_start", "category", "hours", "initiative", "request"]
    list_filter = ["category", "week_start"]
    list_select_related = ["user", "initiative", "request"]
    raw_id_fields = ["user", "initiative", "request"]
