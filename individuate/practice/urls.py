from django.urls import path

from . import views

app_name = "practice"

urlpatterns = [
    path("t/<slug:slug>/", views.public_profile, name="public_profile"),
    path("t/<slug:slug>/photo.jpg", views.profile_photo, name="profile_photo"),
    path("practice/public-page/", views.public_page_edit, name="public_page_edit"),
    path("book/<int:therapist_id>/", views.book, name="book"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:appointment_id>/<str:action>/", views.appointment_action, name="appointment_action"),
    path("practice/settings/", views.practice_settings, name="practice_settings"),
    path("practice/exceptions/", views.exception_add, name="exception_add"),
    path("practice/requests/<int:request_id>/handled/", views.contact_handled, name="contact_handled"),
    path("practice/feed/rotate/", views.feed_rotate, name="feed_rotate"),
    path("practice/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
