import re

from django.urls import path, re_path

from consortia.initiatives import views

urlpatterns = [
    path("n/<slug:slug>/initiatives/", views.initiative_list, name="initiative_list"),
    path("n/<slug:slug>/initiatives/new/", views.initiative_propose, name="initiative_propose"),
    path("n/<slug:slug>/initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("n/<slug:slug>/initiatives/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("n/<slug:slug>/initiatives/<int:pk>/requests/new/", views.request_new, name="request_new"),
    # Only the known actions, so other apps can add pages under an initiative (reviews, goals).
    re_path(
        r"^n/(?P<slug>[-a-zA-Z0-9_]+)/initiatives/(?P<pk>[0-9]+)/(?P<action>"
        + "|".join(re.escape(action) for action in [*views.ACTIONS, *views.POLL_ACTIONS])
        + r")/$",
        views.initiative_action,
        name="initiative_action",
    ),
    path("requests/", views.my_requests, name="my_requests"),
    # The request and commitment rows build these two from the list's URL + pk + action
    # (_request_rows.html, _commitment_rows.html): keep them under it.
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("commitments/", views.my_commitments, name="my_commitments"),
    path("commitments/<int:pk>/<slug:action>/", views.commitment_action, name="commitment_action"),
]
