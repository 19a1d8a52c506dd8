from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("new/", views.case_new, name="case_new"),
    path("join/<str:token>/", views.join, name="join"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("<int:case_id>/", views.case, name="case"),
    path("<int:case_id>/invite/", views.invite, name="invite"),
    path("<int:case_id>/settings/", views.case_settings, name="case_settings"),
    path("<int:case_id>/sessions/", views.link_session, name="link_session"),
    path("<int:case_id>/import/", views.import_plan, name="import"),
    path("<int:case_id>/sections/<str:key>/", views.section_edit, name="section"),
    path("<int:case_id>/sections/<str:key>/preview/", views.section_preview, name="section_preview"),
    path("<int:case_id>/comments/", views.comment, name="comment"),
    path("<int:case_id>/comments/<int:comment_id>/decide/", views.decide, name="decide"),
    path("<int:case_id>/agree/", views.agree, name="agree"),
    path("<int:case_id>/notes/", views.add_note, name="note"),
    path("<int:case_id>/contact/", views.contact, name="contact"),
    path("<int:case_id>/versions/", views.versions, name="versions"),
    path("<int:case_id>/compare/", views.compare, name="compare"),
    path("<int:case_id>/plan.pdf", views.plan_pdf, name="pdf"),
    path("<int:case_id>/plan.json", views.plan_json, name="json"),
    path("<int:case_id>/nights.csv", views.audit, name="audit"),
    path("<int:case_id>/calendar.ics", views.calendar_file, name="calendar"),
    path("<int:case_id>/feed/", views.feed_issue, name="feed_issue"),
    path("<int:case_id>/feed/revoke/", views.feed_revoke, name="feed_revoke"),
]
