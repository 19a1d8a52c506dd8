from django.contrib import admin

from .models import PlanEnrollment


@admin.register(PlanEnrollment)
class PlanEnrollmentAdmin(admin.ModelAdmin):
    """The operator sees who started which plan — not what they wrote."""

    list_display = ["owner", "plan", "started_at"]
