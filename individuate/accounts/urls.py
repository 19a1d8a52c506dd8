from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("for-professionals/", views.for_professionals, name="for_professionals"),
    path("for-professionals/apply/", views.therapist_apply, name="therapist_apply"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/tokens/", views.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("settings/export/", views.export, name="export"),
    path("settings/delete/", views.delete_account, name="delete_account"),
]
