"""The benchmark's URLconf (settings.BENCHMARK only): the app's, plus the bare baseline page."""

from django.urls import path

from consortia.bench import instrument
from consortia.urls import handler403, handler404, handler500
from consortia.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path(instrument.BASELINE_PATH.strip("/") + "/", instrument.baseline, name="bench_baseline"),
    *app_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
