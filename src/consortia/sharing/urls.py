from django.urls import path

from consortia.sharing import views

urlpatterns = [
    path("n/<slug:slug>/share/preview/", views.audience_preview, name="sharing_audience_preview"),
    path(
        "n/<slug:slug>/items/<int:pk>/audience/", views.item_audience, name="sharing_item_audience"
    ),
    path("n/<slug:slug>/items/<int:pk>/edit/", views.item_edit, name="sharing_item_edit"),
    path(
        "n/<slug:slug>/items/<int:pk>/comments/",
        views.comment_create,
        name="sharing_comment_create",
    ),
    path(
        "n/<slug:slug>/challenges/<int:pk>/offers/", views.offer_create, name="sharing_offer_create"
    ),
    path(
        "n/<slug:slug>/challenges/<int:pk>/offers/<int:offer_id>/<str:answer>/",
        views.offer_answer,
        name="sharing_offer_answer",
    ),
    path(
        "n/<slug:slug>/challenges/<int:pk>/resolve/",
        views.challenge_resolve,
        name="sharing_challenge_resolve",
    ),
    path(
        "n/<slug:slug>/challenges/<int:pk>/convert/",
        views.challenge_convert,
        name="sharing_challenge_convert",
    ),
    path(
        "n/<slug:slug>/documents/<int:pk>/versions/",
        views.document_upload,
        name="sharing_document_upload",
    ),
    path(
        "n/<slug:slug>/documents/<int:pk>/download/",
        views.document_download,
        name="sharing_download",
    ),
    path(
        "n/<slug:slug>/documents/<int:pk>/download/<int:number>/",
        views.document_download,
        name="sharing_download_version",
    ),
    path("n/<slug:slug>/access-log/", views.access_log, name="sharing_access_log"),
    path("n/<slug:slug>/ndas/", views.nda_list, name="sharing_ndas"),
    path(
        "n/<slug:slug>/ndas/network/propose/",
        views.network_nda_propose,
        name="sharing_network_nda_propose",
    ),
    path(
        "n/<slug:slug>/ndas/network/accept/",
        views.network_nda_accept,
        name="sharing_network_nda_accept",
    ),
    path("n/<slug:slug>/ndas/<int:pk>/<str:action>/", views.nda_answer, name="sharing_nda_answer"),
]

for _kind, _plural in (("challenge", "challenges"), ("post", "posts"), ("document", "documents")):
    urlpatterns += [
        path(
            f"n/<slug:slug>/{_plural}/",
            views.item_list,
            {"kind": _kind},
            name=f"sharing_{_kind}_list",
        ),
        path(
            f"n/<slug:slug>/{_plural}/new/",
            views.item_create,
            {"kind": _kind},
            name=f"sharing_{_kind}_create",
        ),
        path(
            f"n/<slug:slug>/{_plural}/<int:pk>/",
            views.item_detail,
            {"kind": _kind},
            name=f"sharing_{_kind}_detail",
        ),
    ]

from consortia.sharing import urls_reach  # noqa: E402  (sharing-reach: search, feed, export)

urlpatterns += urls_reach.urlpatterns
