from django.urls import path

from consortia.decisions import views

urlpatterns = [
    path("n/<slug:slug>/decisions/", views.poll_list, name="poll_list"),
    path("n/<slug:slug>/decisions/new/", views.poll_create, name="poll_create"),
    path("n/<slug:slug>/decisions/<int:pk>/", views.poll_detail, name="poll_detail"),
    path("n/<slug:slug>/decisions/<int:pk>/ballot/", views.ballot_cast, name="ballot_cast"),
    path("n/<slug:slug>/decisions/<int:pk>/export.json", views.poll_export, name="poll_export"),
    path("n/<slug:slug>/decisions/<int:pk>/outcome/", views.poll_outcome, name="poll_outcome"),
]
