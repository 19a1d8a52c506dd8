from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import ApiToken, AuditEvent, TherapistProfile, User


class TherapistProfileInline(admin.StackedInline):
    model = TherapistProfile
    can_delete = False
    readonly_fields = ["applied_at", "approved_at"]


class WaitingForApproval(admin.SimpleListFilter):
    title = "approval"
    parameter_name = "approval"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [("waiting", "Waiting for approval"), ("approved", "Approved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[TherapistProfile]) -> QuerySet[TherapistProfile]:
        if self.value() == "waiting":
            return queryset.filter(approved_at__isnull=True)
        if self.value() == "approved":
            return queryset.filter(approved_at__isnull=False)
        return queryset


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin):
    """The approval queue: filter "Waiting for approval", check, then approve."""

    list_display = ["display_name", "user", "credentials", "registration", "applied_at", "approved_at"]
    list_filter = [WaitingForApproval]
    search_fields = ["display_name", "user__email", "registration"]
    readonly_fields = ["user", "applied_at", "approved_at"]
    actions = ["approve"]
    ordering = ["approved_at", "-applied_at"]

    @admin.action(description="Approve the selected therapist accounts (they are told by e-mail)")
    def approve(self, request: HttpRequest, queryset: QuerySet[TherapistProfile]) -> None:
        from .actions import approve_therapist

        waiting = list(queryset.filter(approved_at__isnull=True).values_list("pk", flat=True))
        for profile_id in waiting:
            approve_therapist(profile_id)
        self.message_user(request, f"Approved {len(waiting)} account(s); each was sent an e-mail.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # profiles come from an application, or the user page's inline


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "role", "is_active", "is_demo", "date_joined"]
    list_filter = ["role", "is_active", "is_staff", "is_demo"]
    search_fields = ["email", "display_name"]
    inlines = [TherapistProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "role", "perspective", "time_zone", "is_demo")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "hint"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "role", "detail"]
    list_filter = ["action"]
