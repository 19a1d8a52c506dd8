from django.contrib import admin

from .models import AccessEvent, ConsentGrant, FamilyLink, TherapistConnection, TrackedPerson


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The operator's view of every read, including denials."""

    list_display = ["at", "viewer_label", "owner", "kind", "via", "allowed", "reason"]
    list_filter = ["allowed", "via", "reason", "kind"]
    readonly_fields = [f.name for f in AccessEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ConsentGrantInline(admin.TabularInline):
    model = ConsentGrant
    extra = 0


@admin.register(TherapistConnection)
class TherapistConnectionAdmin(admin.ModelAdmin):
    list_display = ["therapist", "client", "invite_email", "status", "initiated_by", "created_at"]
    list_filter = ["status", "initiated_by"]
    inlines = [ConsentGrantInline]
    exclude = ["token_hash"]


@admin.register(FamilyLink)
class FamilyLinkAdmin(admin.ModelAdmin):
    list_display = ["inviter", "invitee", "status", "created_at"]
    list_filter = ["status"]
    exclude = ["token_hash"]


admin.site.register(TrackedPerson)
