from django.urls import path

from . import views

app_name = "boundaries"

urlpatterns = [
    # my people and family links
    path("people/", views.others, name="others"),
    path("people/<int:other_id>/edit/", views.other_edit, name="other_edit"),
    path("people/<int:other_id>/remove/", views.other_remove, name="other_remove"),
    path("people/<int:other_id>/invite/", views.family_invite, name="family_invite"),
    path("people/<int:other_id>/unlink/", views.family_unlink, name="family_unlink"),
    path("links/accept/<str:token>/", views.family_accept, name="family_accept"),
    path("links/never/<str:token>/", views.family_never_ask, name="family_never_ask"),
    # therapists and consent
    path("therapists/", views.therapists, name="therapists"),
    path("therapists/<int:therapist_id>/connect/", views.connection_request, name="connection_request"),
    path("connections/", views.my_therapists, name="my_therapists"),
    path("connections/<int:connection_id>/scopes/<str:scope>/", views.scope_toggle, name="scope_toggle"),
    path("connections/<int:connection_id>/end/", views.connection_end, name="connection_end"),
    path("connect/accept/<str:token>/", views.connection_accept, name="connection_accept"),
    path("connect/invitations/<int:connection_id>/", views.invitation_answer, name="invitation_answer"),
    path("access-log/", views.access_log, name="access_log"),
    # therapist side
    path("clients/invite/", views.client_invite, name="client_invite"),
    path("clients/requests/<int:connection_id>/", views.connection_answer, name="connection_answer"),
    path("shared/<int:owner_id>/", views.shared_overview, name="shared_overview"),
    path("shared/<int:owner_id>/<str:kind>/", views.shared_records, name="shared_records"),
]
