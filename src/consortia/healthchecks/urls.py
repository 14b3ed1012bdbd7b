from django.urls import path

from . import views

BASE = "n/<slug:slug>/health-checks/"

urlpatterns = [
    path(BASE, views.healthcheck_list, name="healthcheck_list"),
    path(BASE + "<int:pk>/", views.healthcheck_detail, name="healthcheck_detail"),
    path(BASE + "<int:pk>/answer/", views.answer, name="healthcheck_answer"),
    path(BASE + "<int:pk>/raters/", views.rater_invite, name="healthcheck_rater_invite"),
    path(BASE + "<int:pk>/actions/", views.action_add, name="healthcheck_action_add"),
]
