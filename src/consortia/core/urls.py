from django.urls import path

from consortia.core import views

urlpatterns = [
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("notifications/", views.notifications, name="notifications"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
]
