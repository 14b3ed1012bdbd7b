from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from consortia.core.admin import ValidatedNamesMixin
from consortia.networks.models import (
    AdmissionVote,
    Agreement,
    AgreementAcceptance,
    Invitation,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)


@admin.register(Person)
class PersonAdmin(ValidatedNamesMixin, UserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )


class OrgMembershipInline(admin.TabularInline):
    model = OrgMembership
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ValidatedNamesMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "website", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OrgMembershipInline]


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    raw_id_fields = ("organization", "requested_by", "invited_by")
    extra = 0


@admin.register(Network)
class NetworkAdmin(ValidatedNamesMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "approvals_required", "created_at")
    search_fields = ("name", "slug")
    inlines = [NetworkMembershipInline]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(admin.ModelAdmin):
    list_display = ("organization", "network", "status", "created_at", "joined_at")
    list_filter = ("status", "network")
    raw_id_fields = ("organization", "network", "requested_by", "invited_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "kind", "network", "organization", "status", "expires_at")
    list_filter = ("kind", "status")
    readonly_fields = ("digest",)
    raw_id_fields = (
        "network",
        "organization",
        "invited_by",
        "inviting_organization",
        "answered_by",
    )


@admin.register(Agreement)
class AgreementAdmin(ValidatedNamesMixin, admin.ModelAdmin):
    list_display = ("title", "network", "kind", "version", "created_at")
    list_filter = ("kind",)


admin.site.register(AgreementAcceptance)
admin.site.register(AdmissionVote)
