from django.contrib import admin

from .models import (
    FocusSlot,
    Initiative,
    Learning,
    Milestone,
    MonthlyReview,
    ReviewOutcome,
    ReviewReopening,
    SentReminder,
    StatusUpdate,
    Win,
    WinPromotion,
)


class MilestoneInline(admin.TabularInline[Milestone, Initiative]):
    model = Milestone
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin[Initiative]):
    list_display = ["title", "owner", "team", "status", "start_date", "target_date"]
    list_filter = ["status", "team"]
    search_fields = ["title", "goal"]
    list_select_related = ["owner", "team"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["products", "personas"]
    inlines = [MilestoneInline]


@admin.register(FocusSlot)
class FocusSlotAdmin(admin.ModelAdmin[FocusSlot]):
    list_display = ["month", "owner", "rank", "initiative"]
    list_filter = ["month"]
    list_select_related = ["owner", "initiative"]
    raw_id_fields = ["owner", "initiative"]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin[StatusUpdate]):
    list_display = ["initiative", "status", "author", "created_at"]
    list_select_related = ["initiative", "author"]
    raw_id_fields = ["initiative", "author"]


class ReviewOutcomeInline(admin.TabularInline[ReviewOutcome, MonthlyReview]):
    model = ReviewOutcome
    extra = 0
    raw_id_fields = ["initiative"]


class ReviewReopeningInline(admin.TabularInline[ReviewReopening, MonthlyReview]):
    model = ReviewReopening
    extra = 0
    readonly_fields = ["reopened_by", "reason", "previously_submitted_at", "reopened_at"]


@admin.register(MonthlyReview)
class MonthlyReviewAdmin(admin.ModelAdmin[MonthlyReview]):
    list_display = ["owner", "month", "team", "submitted_at"]
    list_filter = ["month", "team"]
    list_select_related = ["owner", "team"]
    raw_id_fields = ["owner"]
    inlines = [ReviewOutcomeInline, ReviewReopeningInline]


@admin.register(Win)
class WinAdmin(admin.ModelAdmin[Win]):
    list_display = ["title", "owner", "team", "date"]
    list_filter = ["team"]
    search_fields = ["title", "impact"]
    list_select_related = ["owner", "team"]
    raw_id_fields = ["owner", "initiative", "request", "promoted_by"]
    filter_horizontal = ["shared_with"]


@admin.register(WinPromotion)
class WinPromotionAdmin(admin.ModelAdmin[WinPromotion]):
    list_display = ["win", "promoted_at", "promoted_by", "withdrawn_at", "mailed_at"]
    list_select_related = ["win", "promoted_by"]
    raw_id_fields = ["win", "promoted_by", "withdrawn_by"]


@admin.register(Learning)
class LearningAdmin(admin.ModelAdmin[Learning]):
    list_display = ["title", "owner", "team", "date", "result"]
    list_filter = ["result", "team"]
    search_fields = ["title", "hypothesis", "lesson"]
    list_select_related = ["owner", "team"]
    raw_id_fields = ["owner", "initiative"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin[SentReminder]):
    list_display = ["user", "kind", "period", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
