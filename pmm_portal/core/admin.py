"""Admin: users with their roles, teams with their members and budgets, products."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Product, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff", "teams")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Portal", {"fields": ("role", "job_title")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Portal", {"fields": ("email", "first_name", "last_name", "role", "job_title")}),
    )


class ProductInline(admin.TabularInline[Product, Team]):
    model = Product
    extra = 0
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "description")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = (
        "name",
        "lead",
        "one_off_budget_min_pct",
        "one_off_budget_max_pct",
        "persona_stale_days",
        "time_zone",
    )
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)
    autocomplete_fields = ("lead",)
    inlines = [ProductInline]
    list_select_related = ("lead",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("name", "team")
    list_filter = ("team",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("managers",)
    list_select_related = ("team",)
