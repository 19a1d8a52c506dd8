from django.contrib import admin
from django.urls import include, path

from individuate.accounts import views as accounts
from individuate.boundaries import views as boundaries
from individuate.core import views
from individuate.portal import views as portal

from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("crisis/", views.crisis, name="crisis"),
    path("privacy/", views.legal_page, {"page": "privacy"}, name="privacy"),
    path("terms/", views.legal_page, {"page": "terms"}, name="terms"),
    path("for-professionals/", accounts.for_professionals, name="for_professionals"),
    path("for-professionals/apply/", accounts.therapist_apply, name="therapist_apply"),
    path("dashboard/", portal.dashboard, name="dashboard"),
    path("settings/", accounts.settings_view, name="settings"),
    path("settings/tokens/", accounts.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:token_id>/revoke/", accounts.api_token_revoke, name="api_token_revoke"),
    path("settings/export/", accounts.export, name="export"),
    path("settings/delete/", accounts.delete_account, name="delete_account"),
    # my people and family links
    path("people/", boundaries.others, name="others"),
    path("people/<int:other_id>/edit/", boundaries.other_edit, name="other_edit"),
    path("people/<int:other_id>/remove/", boundaries.other_remove, name="other_remove"),
    path("people/<int:other_id>/invite/", boundaries.family_invite, name="family_invite"),
    path("people/<int:other_id>/unlink/", boundaries.family_unlink, name="family_unlink"),
    path("links/accept/<str:token>/", boundaries.family_accept, name="family_accept"),
    path("links/never/<str:token>/", boundaries.family_never_ask, name="family_never_ask"),
    # therapists and consent
    path("therapists/", boundaries.therapists, name="therapists"),
    path(
        "therapists/<int:therapist_id>/connect/",
        boundaries.connection_request,
        name="connection_request",
    ),
    path("connections/", boundaries.my_therapists, name="my_therapists"),
    path(
        "connections/<int:connection_id>/scopes/<str:scope>/",
        boundaries.scope_toggle,
        name="scope_toggle",
    ),
    path("connections/<int:connection_id>/end/", boundaries.connection_end, name="connection_end"),
    path("connect/accept/<str:token>/", boundaries.connection_accept, name="connection_accept"),
    path("connect/invitations/<int:connection_id>/", boundaries.invitation_answer, name="invitation_answer"),
    path("access-log/", boundaries.access_log, name="access_log"),
    # therapist side
    path("clients/", portal.clients, name="clients"),
    path("clients/invite/", boundaries.client_invite, name="client_invite"),
    path(
        "clients/requests/<int:connection_id>/",
        boundaries.connection_answer,
        name="connection_answer",
    ),
    path("shared/<int:owner_id>/", boundaries.shared_overview, name="shared_overview"),
    path("shared/<int:owner_id>/<str:kind>/", boundaries.shared_records, name="shared_records"),
    path("", include("individuate.measures.urls")),
    path("", include("individuate.checkins.urls")),
    path("", include("individuate.healing.urls")),
    path("practice/", portal.practice_dashboard, name="practice_dashboard"),
    path("", include("individuate.practice.urls")),
    path("", include("individuate.articles.urls")),
    path("mediation/", include("individuate.mediation.urls")),
    # framework
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
