"""Operators: everyone's security log (read-only) and the e-mail domains tied to
organizations for single sign-on. Lockouts are under "Axes" (reset one there)."""

from django.contrib import admin

from consortia.accounts.models import OrganizationDomain, SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "person", "ip", "detail")
    list_filter = ("kind", "created_at")
    search_fields = ("person__email", "ip", "detail")
    date_hierarchy = "created_at"
    list_select_related = ("person",)
    readonly_fields = ("person", "kind", "ip", "user_agent", "detail", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrganizationDomain)
class OrganizationDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "organization", "created_at")
    search_fields = ("domain", "organization__name")
    autocomplete_fields = ("organization",)
