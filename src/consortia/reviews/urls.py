from django.urls import path

from . import views

BASE = "n/<slug:slug>/initiatives/<int:pk>/reviews/"

urlpatterns = [
    path(BASE, views.review_list, name="review_list"),
    path(BASE + "schedule/", views.schedule_set, name="review_schedule_set"),
    path(BASE + "add/", views.review_add, name="review_add"),
    path(BASE + "<int:rid>/", views.review_detail, name="review_detail"),
    path(BASE + "<int:rid>/hold/", views.review_hold, name="review_hold"),
    path(BASE + "<int:rid>/entries/", views.entry_add, name="review_entry_add"),
    path(BASE + "<int:rid>/actions/", views.action_add, name="review_action_add"),
    path(BASE + "<int:rid>/sign-off/", views.sign_off, name="review_sign_off"),
    path(BASE + "<int:rid>/export.<str:fmt>", views.review_export, name="review_export"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
