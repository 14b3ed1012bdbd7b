from django.urls import path

from . import views

urlpatterns = [
    path("organization/agenda/", views.home, name="agenda_home"),
    path("organization/agenda/edit/", views.edit, name="agenda_edit"),
    path("organization/agenda/history/", views.history, name="agenda_history"),
    path("organization/agenda/export.md", views.export_markdown, name="agenda_export"),
    path("organization/agenda/criteria/", views.criterion_add, name="agenda_criterion_add"),
    path("organization/agenda/criteria/<int:pk>/", views.criterion_edit, name="agenda_criterion"),
    path(
        "organization/agenda/criteria/<int:pk>/delete/",
        views.criterion_delete,
        name="agenda_criterion_delete",
    ),
    path("organization/agenda/template/", views.template_add, name="agenda_template_add"),
    path(
        "organization/agenda/template/<int:pk>/delete/",
        views.template_remove,
        name="agenda_template_remove",
    ),
    path("organization/agenda/prospects/", views.prospect_add, name="agenda_prospect_add"),
    path("organization/agenda/prospects/<int:pk>/", views.prospect_detail, name="agenda_prospect"),
    path(
        "organization/agenda/prospects/<int:pk>/stage/",
        views.prospect_stage,
        name="agenda_prospect_stage",
    ),
    path(
        "organization/agenda/prospects/<int:pk>/scores/<int:criterion_pk>/",
        views.prospect_score,
        name="agenda_prospect_score",
    ),
    path(
        "organization/agenda/prospects/<int:pk>/checks/<int:check_pk>/",
        views.prospect_check,
        name="agenda_prospect_check",
    ),
    path(
        "organization/agenda/prospects/<int:pk>/memo/",
        views.prospect_memo,
        name="agenda_prospect_memo",
    ),
    path(
        "organization/agenda/prospects/<int:pk>/invite/",
        views.prospect_invite,
        name="agenda_prospect_invite",
    ),
    path(
        "organization/agenda/prospects/<int:pk>/initiative/",
        views.prospect_initiative,
        name="agenda_prospect_initiative",
    ),
    path("organization/agenda/prospects.csv", views.export_prospects, name="agenda_prospects_csv"),
]
