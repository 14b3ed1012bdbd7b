from django.urls import path

from consortia.initiatives import views

urlpatterns = [
    path("n/<slug:slug>/initiatives/", views.initiative_list, name="initiative_list"),
    path("n/<slug:slug>/initiatives/new/", views.initiative_propose, name="initiative_propose"),
    path("n/<slug:slug>/initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("n/<slug:slug>/initiatives/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("n/<slug:slug>/initiatives/<int:pk>/requests/new/", views.request_new, name="request_new"),
    path(
        "n/<slug:slug>/initiatives/<int:pk>/<slug:action>/",
        views.initiative_action,
        name="initiative_action",
    ),
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("commitments/", views.my_commitments, name="my_commitments"),
    path("commitments/<int:pk>/<slug:action>/", views.commitment_action, name="commitment_action"),
]
