from django.urls import path
from django.views.generic import RedirectView

from consortia.accounts import views

urlpatterns = [
    path("settings/security/", views.security, name="account_security"),
    path("settings/time-zone/", views.time_zone_settings, name="time_zone_settings"),
    path("settings/security/log/", views.security_log, name="security_log"),
    path("settings/sessions/", views.sessions, name="account_sessions"),
    path("settings/sessions/<int:pk>/end/", views.session_end, name="account_session_end"),
    path("settings/privacy/", views.privacy, name="account_privacy"),
    path("settings/privacy/my-data.json", views.personal_data_download, name="personal_data"),
    path("settings/privacy/delete/", views.account_delete, name="account_delete"),
    # Network invitations to a verified address, answered from the dashboard.
    path(
        "me/invitations/<int:pk>/<slug:action>/",
        views.invitation_in_app,
        name="invitation_in_app",
    ),
    path("n/<slug:slug>/security/", views.network_security, name="network_security"),
    # allauth's own sessions page: ours lists API tokens too.
    path("accounts/sessions/", RedirectView.as_view(pattern_name="account_sessions")),
]
