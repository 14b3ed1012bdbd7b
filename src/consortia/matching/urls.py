from django.urls import path

from . import views

urlpatterns = [
    path("n/<slug:slug>/match/", views.search_page, name="matching_search"),
    path(
        "n/<slug:slug>/challenges/<int:pk>/helpers/",
        views.challenge_helpers,
        name="matching_challenge_helpers",
    ),
]
