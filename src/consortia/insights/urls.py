from django.urls import path

from . import views

urlpatterns = [
    path("n/<slug:slug>/health/", views.network_health, name="network_health"),
    path("n/<slug:slug>/trust/", views.network_trust, name="network_trust"),
    path(
        "n/<slug:slug>/trust/<slug:org_slug>/",
        views.organization_trust,
        name="organization_trust",
    ),
]
