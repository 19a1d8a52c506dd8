from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("measures/", views.measures, name="measures"),
    path("measures/psychometrics/", views.psychometrics, name="psychometrics"),
    path("measures/<str:instrument_id>/start/", views.measure_start, name="measure_start"),
    path("measures/r/<int:response_id>/", views.response_take, name="response_take"),
    path("measures/r/<int:response_id>/answer/", views.response_answer, name="response_answer"),
    path("measures/r/<int:response_id>/support/", views.response_support, name="response_support"),
    path("measures/r/<int:response_id>/followup/", views.response_followup, name="response_followup"),
    path("measures/r/<int:response_id>/urgent/", views.response_urgent, name="response_urgent"),
    path("measures/r/<int:response_id>/review/", views.response_review, name="response_review"),
    path("measures/r/<int:response_id>/submit/", views.response_submit, name="response_submit"),
    path("measures/r/<int:response_id>/result/", views.response_result, name="response_result"),
    path("clients/<int:client_id>/measures/", views.client_measures, name="client_measures"),
    path(
        "clients/<int:client_id>/measures/r/<int:response_id>/",
        views.client_response,
        name="client_response",
    ),
    path(
        "clients/<int:client_id>/measures.csv",
        views.client_measures_csv,
        name="client_measures_csv",
    ),
    path(
        "clients/<int:client_id>/measures/assign/",
        views.assignment_create,
        name="assignment_create",
    ),
    path(
        "clients/<int:client_id>/measures/assignments/<int:assignment_id>/end/",
        views.assignment_end,
        name="assignment_end",
    ),
    path(
        "clients/<int:client_id>/measures/flags/<int:flag_id>/seen/",
        views.flag_seen,
        name="flag_seen",
    ),
]
