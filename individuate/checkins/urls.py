from django.urls import path

from . import views

app_name = "checkins"

urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/<int:checkin_id>/", views.checkin, name="checkin_edit"),
    path("checkin/reminder/", views.reminder, name="checkin_reminder"),
    path("checkin/history/", views.history, name="checkin_history"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:contact_id>/undo/", views.contact_undo, name="contact_undo"),
    path("journal/", views.journal, name="journal"),
    path("journal/<int:entry_id>/", views.journal, name="journal_edit"),
    path("journal/<int:entry_id>/delete/", views.journal_delete, name="journal_delete"),
    path("journal/<int:entry_id>/undo/", views.journal_undo, name="journal_undo"),
    path("patterns/", views.coupling_page, name="coupling"),
    path("patterns/update/", views.coupling_recompute, name="coupling_recompute"),
    path("patterns/joint/<int:link_id>/", views.joint_consent, name="joint_consent"),
]
