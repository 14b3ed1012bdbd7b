from django.contrib import admin

from consortia.core.models import ApiToken, Event, OutboundEmail
from consortia.core.validators import validate_name


class ValidatedNamesMixin:
    """For every ModelAdmin or inline whose model has a name or title: its forms refuse what
    the services refuse there (`core.validators.validate_name`: control, text-direction and
    other invisible characters), under the field, and change nothing. The admin writes without
    the services, so without this an operator's edit could put a U+202E in a name.

    Put it first among the bases: `class OrganizationAdmin(ValidatedNamesMixin, admin.ModelAdmin)`
    (tests/core/test_admin_names.py fails for a registered model with a name or title that
    lacks it)."""

    name_fields = ("name", "title")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in self.name_fields:
            formfield.validators = [*formfield.validators, validate_name]
        return formfield


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
class ApiTokenAdmin(ValidatedNamesMixin, admin.ModelAdmin):
    list_display = ("name", "person", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint")
    raw_id_fields = ("person",)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "sent_at", "attempts")
    list_filter = ("sent_at",)
    search_fields = ("to", "subject")
