from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from individuate.accounts.forms import TherapistContactForm
from individuate.accounts.models import User
from individuate.boundaries import actions as boundaries
from individuate.boundaries import policy
from individuate.core.errors import ActionError
from individuate.core.http import (
    AuthedRequest,
    attempt,
    confirm_first,
    form_errors,
    person_required,
    therapist_required,
)

from . import actions
from .calendar import feed_ics
from .forms import AvailabilityExceptionForm, ContactRequestForm, PracticeProfileForm, PublicPageForm
from .models import Appointment, AvailabilityException, PracticeProfile, WeeklyHours
from .notify import appointment_info
from .slots import local_label

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _client_ip(request: HttpRequest) -> str:
    """The visitor's address as login throttling sees it (allauth, set by TRUSTED_PROXY_IP_HEADER)."""
    try:
        return str(get_account_adapter().get_client_ip(request))
    except PermissionDenied:
        return "unknown"


def public_profile(request: HttpRequest, slug: str) -> HttpResponse:
    profile = PracticeProfile.objects.select_related("therapist__therapist_profile").filter(slug=slug).first()
    if profile is None or not profile.therapist.is_active or not profile.therapist.is_therapist:
        raise Http404("No such therapist.")
    therapist = profile.therapist
    form = ContactRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            sent = attempt(
                request,
                lambda: actions.submit_contact_request(
                    therapist,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    message=data["message"],
                    preferred_times=data["preferred_times"],
                    ip=_client_ip(request),
                    form_token=form.data.get("started", ""),
                ),
                "Thank you — your request has been sent. The therapist will reply by e-mail.",
            )
            if sent is not None:
                return redirect("practice:public_profile", slug)
        else:
            form_errors(request, form, beside_fields=True)
    services = dict(PracticeProfile.Service.choices)
    return render(
        request,
        "practice/public.html",
        {
            "profile": profile,
            "therapist": therapist,
            "connection_state": _connection_state(request, therapist),
            "form": form,
            "services": [services[s] for s in profile.services if s in services],
        },
    )


def _connection_state(request: HttpRequest, therapist: User) -> str:
    """ "active", "pending" or "" for a logged-in person and this therapist."""
    user = request.user
    if not user.is_authenticated or user.is_therapist:
        return ""
    connection = boundaries.open_connections_of_client(user).filter(therapist=therapist).first()
    return connection.status if connection else ""


def _zone(request: HttpRequest, user: Any) -> zoneinfo.ZoneInfo:
    name = request.GET.get("tz") or getattr(user, "time_zone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@person_required
def book(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    therapist = User.objects.filter(pk=therapist_id, role=User.Role.THERAPIST, is_active=True).first()
    if therapist is None:
        raise Http404("No such therapist.")
    connected = policy.active_connection(therapist, request.user) is not None
    zone = _zone(request, request.user)
    raw_reschedule = request.GET.get("reschedule") or request.POST.get("reschedule") or ""
    if raw_reschedule and not raw_reschedule.isdigit():
        raise Http404("No such appointment.")
    reschedule_id = int(raw_reschedule) if raw_reschedule else None
    if request.method == "POST":
        try:
            start = datetime.fromisoformat(request.POST.get("start", ""))
        except ValueError:
            messages.error(request, "Choose a time from the list.")
            return redirect("practice:book", therapist_id)
        if reschedule_id:
            done = attempt(
                request,
                lambda: actions.reschedule(request.user, int(reschedule_id), start),
                "Moved. You'll both get an updated invite.",
            )
        else:
            done = attempt(request, lambda: actions.book(request.user, therapist_id, start), "")
            if done is not None:
                messages.success(
                    request,
                    "Booked — see you then."
                    if done.status == Appointment.Status.CONFIRMED
                    else "Requested. You'll get an e-mail when the therapist confirms.",
                )
        if done is not None:
            return redirect("practice:appointments")
        return redirect(request.get_full_path())
    try:
        first_day = (
            datetime.fromisoformat(request.GET["from"]).date()
            if request.GET.get("from")
            else timezone.now().astimezone(zone).date()
        )
    except ValueError:
        first_day = timezone.now().astimezone(zone).date()
    today = timezone.now().astimezone(zone).date()
    if (first_day - today).days > 400:
        first_day = today  # nothing bookable that far (and no date overflow)
    first_day = max(first_day, today)  # the past has no free times: never page into it
    start = datetime.combine(first_day, time(0), tzinfo=zone)
    slots: list[datetime] = []
    mine = list(
        actions.upcoming_for(request.user).filter(
            therapist=therapist, client=request.user, status=Appointment.Status.REQUESTED
        )
    )
    if connected:
        try:
            slots = actions.free_slots(therapist, start, start + timedelta(days=7))
        except ActionError as exc:
            messages.error(request, exc.message)
        # A time already asked for (by anyone) waits for the therapist's answer: not offered again.
        requested = set(actions.requested_starts(therapist))
        slots = [slot for slot in slots if slot not in requested]
    days: dict[Any, list[tuple[datetime, str]]] = {}
    for slot in slots:
        local = slot.astimezone(zone)
        days.setdefault(local.date(), []).append((slot, local.strftime("%H:%M")))
    return render(
        request,
        "practice/book.html",
        {
            "therapist": therapist,
            "connected": connected,
            "connection_state": _connection_state(request, therapist),
            "days": sorted(days.items()),
            "zone": str(zone),
            "prev": (first_day - timedelta(days=7)).isoformat() if first_day > today else "",
            "my_requests": [(a, local_label(a.start, str(zone))) for a in mine],
            "next": (first_day + timedelta(days=7)).isoformat(),
            "first_day": first_day,
            "reschedule": reschedule_id,
            "profile": actions.profile_of(therapist),
        },
    )


@login_required
def appointments(request: AuthedRequest) -> HttpResponse:
    zone = str(_zone(request, request.user))
    user = request.user
    names = not user.is_therapist or policy.therapist_may_see_clients(user)
    rows, notes = [], {}
    connected = set(policy.connected_client_ids(user)) if user.is_therapist else set()
    appointments = actions.upcoming_for(user).select_related("therapist__practice", "therapist__therapist_profile")
    for a in appointments.prefetch_related("events"):
        if user.pk == a.therapist_id:
            other = (
                a.client.name if names and a.client_id in connected else ("a former client" if names else "a client")
            )
        else:
            other = a.therapist.name
        # The note the other side (or the system) wrote when declining or cancelling is for this person.
        note = actions.note_shown_to(a, user)
        if note:
            notes[a.pk] = note
        rows.append(
            (
                a,
                local_label(a.start, zone),
                a.status == Appointment.Status.CONFIRMED and actions.is_late_cancellation(a),
                other,
            )
        )
    return render(request, "practice/appointments.html", {"rows": rows, "zone": zone, "notes": notes})


@login_required
@require_POST
def appointment_action(request: AuthedRequest, appointment_id: int, action: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    handlers = {
        "confirm": lambda: actions.confirm(request.user, appointment_id),
        "decline": lambda: actions.decline(request.user, appointment_id, reason),
        "cancel": lambda: actions.cancel(request.user, appointment_id, reason),
    }
    if action not in handlers:
        raise Http404("No such action.")
    attempt(
        request,
        handlers[action],
        {
            "confirm": "Confirmed. An invite is on its way to you both.",
            "decline": "Declined.",
            "cancel": "Cancelled. You'll both get a cancellation.",
        }[action],
    )
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "practice:appointments"
    return redirect(target)


# ---------------------------------------------------------------- therapist


@therapist_required
@require_POST
def contact_handled(request: AuthedRequest, request_id: int) -> HttpResponse:
    attempt(request, lambda: actions.mark_contact_handled(request.user, request_id), "Marked as answered.")
    return redirect("portal:practice_dashboard")


def profile_photo(request: HttpRequest, slug: str) -> FileResponse:
    """The public page's photo, from the storage (works whatever serves static files)."""
    profile = PracticeProfile.objects.filter(slug=slug).select_related("therapist").first()
    if profile is None or not profile.photo or not profile.therapist.is_active:
        raise Http404("No photo.")
    try:
        handle = profile.photo.open("rb")
    except OSError as exc:
        raise Http404("No photo.") from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@therapist_required
def public_page_edit(request: AuthedRequest) -> HttpResponse:
    profile = actions.profile_of(request.user)
    therapist_profile = getattr(request.user, "therapist_profile", None)
    form = PublicPageForm(request.POST or None, request.FILES or None, instance=profile)
    contact = TherapistContactForm(request.POST or None, instance=therapist_profile, prefix="c")
    if request.method == "POST":
        if form.is_valid() and contact.is_valid():
            data = form.cleaned_data
            saved = attempt(
                request,
                lambda: actions.save_public_page(
                    request.user,
                    headline=data["headline"],
                    approach=data["approach"],
                    services=list(data["services"]),
                    photo=data.get("new_photo"),
                    remove_photo=data.get("remove_photo", False),
                ),
                "Saved. This is what visitors see now.",
            )
            if saved is not None:
                if therapist_profile is not None:
                    contact.save()
                return redirect("practice:public_page_edit")
        else:
            messages.error(request, "Please correct the fields marked below.")
    return render(
        request,
        "practice/public_edit.html",
        {"form": form, "contact": contact, "profile": profile},
    )


@therapist_required
def practice_settings(request: AuthedRequest) -> HttpResponse:
    profile = actions.profile_of(request.user)
    form = PracticeProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        rows = []
        for day in range(7):
            for n in range(2):
                start, end = request.POST.get(f"d{day}_{n}_start"), request.POST.get(f"d{day}_{n}_end")
                if start and end:
                    try:
                        rows.append((day, time.fromisoformat(start), time.fromisoformat(end)))
                    except ValueError:
                        messages.error(request, f"{DAYS[day]}: times must look like 09:00.")
                        return redirect("practice:practice_settings")
        if form.is_valid():
            if attempt(request, lambda: actions.set_weekly_hours(request.user, rows), "") is not None or not rows:
                form.save()
                messages.success(request, "Saved.")
                return redirect("practice:practice_settings")
        else:
            form_errors(request, form, beside_fields=True)
    return _settings_page(request, form, profile)


def _settings_page(
    request: AuthedRequest,
    form: PracticeProfileForm,
    profile: Any,
    exception_form: AvailabilityExceptionForm | None = None,
) -> HttpResponse:
    """The practice settings; with a bound EXCEPTION_FORM that had mistakes, that form shows
    again with what was typed and each error beside its field (status 422)."""
    grid = []
    for day in range(7):
        day_rows = list(WeeklyHours.objects.filter(therapist=request.user, weekday=day))[:2]
        grid.append((day, DAYS[day], [(n, day_rows[n] if n < len(day_rows) else None) for n in range(2)]))
    return render(
        request,
        "practice/settings.html",
        {
            "form": form,
            "grid": grid,
            "profile": profile,
            "exceptions": AvailabilityException.objects.filter(therapist=request.user, day__gte=timezone.now().date()),
            "exception_form": exception_form or AvailabilityExceptionForm(),
        },
        status=422 if exception_form is not None or (request.method == "POST" and form.errors) else 200,
    )


@therapist_required
@require_POST
def exception_add(request: AuthedRequest) -> HttpResponse:
    form = AvailabilityExceptionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form, beside_fields=True)
        profile = actions.profile_of(request.user)
        return _settings_page(request, PracticeProfileForm(instance=profile), profile, form)
    data = form.cleaned_data
    attempt(
        request,
        lambda: actions.add_availability_exception(
            request.user, day=data["day"], kind=data["kind"], start=data["start"], end=data["end"]
        ),
        "Saved.",
    )
    return redirect("practice:practice_settings")


@therapist_required
@require_POST
def feed_rotate(request: AuthedRequest) -> HttpResponse:
    asked = confirm_first(
        request,
        title="Make a new calendar address?",
        consequences=[
            "Make a new private address for your calendar feed.",
            "The old address stops working at once: every calendar app that uses it stops "
            "updating until you give it the new one.",
        ],
        action="Make a new address",
        cancel_url=reverse("portal:practice_dashboard"),
    )
    if asked is not None:
        return asked
    attempt(
        request,
        lambda: actions.rotate_feed_token(request.user),
        "A new private calendar address was made; the old one no longer works.",
    )
    return redirect("portal:practice_dashboard")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    profile = PracticeProfile.objects.filter(feed_token=token).select_related("therapist").first()
    if profile is None:
        raise Http404("No such calendar.")
    events = [
        appointment_info(a)
        for a in Appointment.objects.filter(
            therapist=profile.therapist,
            status=Appointment.Status.CONFIRMED,
            end__gte=timezone.now() - timedelta(days=30),
        ).select_related("therapist", "client")
    ]
    return HttpResponse(
        feed_ics(events, calendar_name="Individuate sessions"), content_type="text/calendar; charset=utf-8"
    )
