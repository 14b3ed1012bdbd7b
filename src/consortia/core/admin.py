from django.contrib import admin

from consortia.core.models import ApiToken, Event, OutboundEmail


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "verb", "summary", "network", "audience")
    list_filter = ("verb", "audience")
    search_fields = ("summary",)
    raw_id_fields = ("actor", "organization", "network", "audience_organization")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False  # the event log is append-only


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "person", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint")
    raw_id_fields = ("person",)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "sent_at", "attempts")
    list_filter = ("sent_at",)
    search_fields = ("to", "subject")
