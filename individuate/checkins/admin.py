from django.contrib import admin

from .models import CheckIn, ContactEvent, CouplingReport, JournalEntry, ReminderSetting


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """The operator sees that entries exist and when — not what they say."""

    list_display = ["owner", "local_date", "at"]
    fields = readonly_fields = ("owner", "local_date", "at")


@admin.register(ContactEvent)
class ContactEventAdmin(admin.ModelAdmin):
    list_display = ["owner", "local_date", "kind"]
    fields = readonly_fields = ("owner", "local_date", "kind")


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["owner", "date"]
    fields = readonly_fields = ("owner", "date")


admin.site.register(ReminderSetting)
admin.site.register(CouplingReport, list_display=["kind", "owner", "link", "computed_at"], exclude=["result"])
