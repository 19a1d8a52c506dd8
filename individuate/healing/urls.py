from django.urls import path

from . import views

app_name = "healing"

urlpatterns = [
    path("plan/", views.plan_home, name="plan"),
    path("plan/progress/", views.plan_progress, name="plan_progress"),
    path("plan/scripts/", views.scripts, name="scripts"),
    path("plan/scripts/<int:script_id>/", views.script, name="script"),
    path("plan/steps/<int:step_id>/", views.small_step, name="small_step"),
    path("plan/steps/<int:step_id>/draft/", views.reflection_save, name="reflection_save"),
    path("plan/goals/<int:goal_id>/steps/", views.step_add, name="step_add"),
    path("plan/goals/<int:goal_id>/drop/", views.goal_drop, name="goal_drop"),
    path("plan/suggestions/<int:suggestion_id>/", views.suggestion_answer, name="suggestion_answer"),
    path("plan/<str:plan_id>/start/", views.plan_start, name="plan_start"),
    path("plan/<str:plan_id>/exercise/", views.exercise_save, name="exercise_save"),
    path("plan/<str:plan_id>/<str:step_id>/", views.plan_step, name="plan_step"),
    path("plan/<str:plan_id>/<str:step_id>/goals/", views.goal_add, name="goal_add"),
    path("clients/<int:client_id>/plan/", views.client_plan, name="client_plan"),
    path("clients/<int:client_id>/plan/suggest/", views.client_suggest, name="client_suggest"),
]
