from django.urls import path

from . import exports, ops, views

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("organization/integrations/", views.home, name="integrations_home"),
    path(
        "organization/integrations/<int:pk>/", views.endpoint_detail, name="integrations_endpoint"
    ),
    path(
        "organization/integrations/<int:pk>/test/",
        views.endpoint_test,
        name="integrations_endpoint_test",
    ),
    path(
        "organization/integrations/<int:pk>/rotate/",
        views.endpoint_rotate,
        name="integrations_endpoint_rotate",
    ),
    path(
        "organization/integrations/<int:pk>/resume/",
        views.endpoint_resume,
        name="integrations_endpoint_resume",
    ),
    path(
        "organization/integrations/<int:pk>/delete/",
        views.endpoint_delete,
        name="integrations_endpoint_delete",
    ),
    path(
        "organization/integrations/<int:pk>/messages/<int:message_pk>/resend/",
        views.message_resend,
        name="integrations_message_resend",
    ),
    path("n/<slug:slug>/csv/polls/<int:pk>/", exports.poll_export, name="integrations_export_poll"),
    path("n/<slug:slug>/csv/<str:kind>/", exports.network_export, name="integrations_export"),
    path("me/csv/<str:kind>/", exports.my_export, name="integrations_export_mine"),
]
