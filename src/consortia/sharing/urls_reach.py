"""Search, feed and export pages (included by sharing.urls)."""

from django.urls import path

from consortia.sharing import views_reach

urlpatterns = [
    path("n/<slug:slug>/search/", views_reach.search_page, name="sharing_search"),
    path("n/<slug:slug>/feed/", views_reach.feed_view, name="sharing_feed"),
    path("n/<slug:slug>/export/", views_reach.export_view, name="sharing_export"),
]
