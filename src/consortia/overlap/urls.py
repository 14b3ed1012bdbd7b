from django.urls import path

from . import views

urlpatterns = [
    path("n/<slug:slug>/overlap/", views.home, name="overlap_home"),
    path("n/<slug:slug>/overlap/psl.json", views.psl_rules, name="overlap_psl"),
    path(
        "n/<slug:slug>/overlap/populations/<int:pk>/",
        views.population_detail,
        name="overlap_population",
    ),
    path("n/<slug:slug>/overlap/restricted/", views.restricted, name="overlap_restricted"),
    path(
        "n/<slug:slug>/overlap/partners/<int:pk>/<str:action>/",
        views.partnership_action,
        name="overlap_partnership_action",
    ),
    path("n/<slug:slug>/overlap/runs/new/", views.run_new, name="overlap_run_new"),
    path("n/<slug:slug>/overlap/runs/<uuid:run_id>/", views.run_detail, name="overlap_run"),
    path("n/<slug:slug>/overlap/runs/<uuid:run_id>/join/", views.run_join, name="overlap_run_join"),
    path(
        "n/<slug:slug>/overlap/runs/<uuid:run_id>/cancel/",
        views.run_cancel,
        name="overlap_run_cancel",
    ),
    path(
        "n/<slug:slug>/overlap/runs/<uuid:run_id>/matrix.csv",
        views.matrix_csv,
        name="overlap_matrix_csv",
    ),
]
