from allauth.account import views as account_views
from django.urls import path

from consortia.networks import views

urlpatterns = [
    path("", views.home, name="home"),
    # Sign-up and sign-in are django-allauth's (consortia.accounts); these short addresses stay.
    path("signup/", account_views.signup, name="signup"),
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    # Organizations and their people
    path("organization/", views.my_organization, name="my_organization"),
    path("organization/new/", views.organization_create, name="organization_create"),
    path("organization/edit/", views.organization_edit, name="organization_edit"),
    path("organization/invitations/", views.colleague_invite, name="colleague_invite"),
    path(
        "organization/invitations/<int:pk>/withdraw/",
        views.colleague_invitation_revoke,
        name="colleague_invitation_revoke",
    ),
    path("organization/people/<int:pk>/", views.org_member_update, name="org_member_update"),
    path("o/<slug:slug>/", views.organization_detail, name="organization_detail"),
    # Networks
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("n/<slug:slug>/", views.network_detail, name="network_detail"),
    path("n/<slug:slug>/members/", views.network_members, name="network_members"),
    path(
        "n/<slug:slug>/admissions/<int:pk>/",
        views.admission_decide,
        name="admission_decide",
    ),
    path("n/<slug:slug>/activity/", views.network_activity, name="network_activity"),
    path("n/<slug:slug>/charter/", views.network_charter, name="network_charter"),
    path("n/<slug:slug>/invite/", views.network_invite, name="network_invite"),
    path(
        "n/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.network_invitation_revoke,
        name="network_invitation_revoke",
    ),
    path("n/<slug:slug>/apply/", views.network_apply, name="network_apply"),
    path("n/<slug:slug>/leave/", views.network_leave, name="network_leave"),
    # Invitation links (sent by email; the token is the only credential)
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("invitations/<str:token>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/decline/", views.invitation_decline, name="invitation_decline"),
]
