from django.contrib import admin
from django.urls import include, path

from consortia.api import api

admin.site.site_header = "Consortia operators"
admin.site.site_title = "Consortia admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("consortia.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("consortia.core.urls")),
    path("", include("consortia.networks.urls")),
    path("", include("consortia.decisions.urls")),
    path("", include("consortia.initiatives.urls")),
    path("", include("consortia.sharing.urls")),
    path("", include("consortia.metrics.urls")),
    path("", include("consortia.ledger.urls")),
    path("", include("consortia.insights.urls")),
    path("", include("consortia.reviews.urls")),
    path("", include("consortia.overlap.urls")),
    path("", include("consortia.integrations.urls")),
    path("", include("consortia.matching.urls")),
    path("", include("consortia.healthchecks.urls")),
    path("", include("consortia.agenda.urls")),
]

handler404 = "consortia.core.views.not_found"
handler403 = "consortia.core.views.forbidden"
handler500 = "consortia.core.views.server_error"
# Not Django's: allauth's rate limits answer with `<ROOT_URLCONF>.handler429`.
handler429 = "consortia.core.views.too_many_requests"
