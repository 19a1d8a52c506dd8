from django.contrib import admin

from .models import Assignment, Response, SafetyFlag


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["owner", "instrument", "status", "started_at", "completed_at", "band"]
    list_filter = ["instrument", "status"]
    # Answers are clinical data: the operator sees that a response exists, not what it says.
    exclude = ["answers", "subscales"]
    readonly_fields = [
        "owner",
        "instrument",
        "instrument_version",
        "status",
        "total",
        "band",
        "flags",
    ]


@admin.register(SafetyFlag)
class SafetyFlagAdmin(admin.ModelAdmin):
    list_display = ["owner", "flag", "raised_at"]
    list_filter = ["flag"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["therapist", "client", "instrument", "recurrence", "due_on", "active"]
