from django.urls import path

from consortia.ledger import views

# Initiative pages sit one level deeper than ".../initiatives/<pk>/<action>/", which
# initiatives/urls.py (included first) catches for its POST actions.
urlpatterns = [
    path("n/<slug:slug>/ledger/", views.ledger_network, name="ledger_network"),
    path(
        "n/<slug:slug>/ledger/entries/<int:pk>/delete/",
        views.entry_delete,
        name="ledger_entry_delete",
    ),
    path(
        "n/<slug:slug>/initiatives/<int:pk>/ledger/",
        views.ledger_initiative,
        name="ledger_initiative",
    ),
]
