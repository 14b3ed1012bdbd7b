from django.urls import path

from consortia.networks import views

urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
