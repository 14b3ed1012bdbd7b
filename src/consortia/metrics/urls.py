from django.urls import path

from consortia.metrics import views

# Initiative pages sit one level deeper than ".../initiatives/<pk>/<action>/", which
# initiatives/urls.py (included first) catches for its POST actions.
urlpatterns = [
    path("n/<slug:slug>/metrics/", views.dashboard, name="metrics_dashboard"),
    path("n/<slug:slug>/metrics/new/", views.metric_new, name="metric_new"),
    path("n/<slug:slug>/metrics/record/", views.measurement_new, name="measurement_new"),
    path("n/<slug:slug>/metrics/import/", views.measurement_import, name="measurement_import"),
    path("n/<slug:slug>/metrics/import/<int:pk>/", views.import_job, name="import_job"),
    path("n/<slug:slug>/metrics/<int:pk>/", views.metric_detail, name="metric_detail"),
    path("n/<slug:slug>/metrics/<int:pk>/poll/", views.metric_poll, name="metric_poll"),
    path(
        "n/<slug:slug>/metrics/values/<int:pk>/delete/",
        views.measurement_delete,
        name="measurement_delete",
    ),
    path("n/<slug:slug>/initiatives/<int:pk>/goals/", views.goals, name="initiative_goals"),
    path(
        "n/<slug:slug>/initiatives/<int:pk>/goals/<int:goal_pk>/delete/",
        views.goal_delete,
        name="goal_delete",
    ),
]
