"""A PostgreSQL read replica for read-only pages, through Django's database routers.

Enabled by DATABASE_REPLICA_URL (the `replica` database). The middleware marks a request as
replica-safe when it is a GET or HEAD of a view named in DATABASE_REPLICA_VIEWS and the visitor
has not written anything in the last DATABASE_REPLICA_PIN_SECONDS (a short-lived cookie set
after every other request, so people see their own changes despite replication lag). The router
then sends that request's reads to the replica — except inside a transaction, where reads must
see the transaction's own writes — and every write to the primary. Nothing else changes: no
view knows which database it reads.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "consortia_primary_until"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)

# Pages that only read (and where a second of replication lag is harmless): lists, the feed,
# dashboards, and the CSV exports. Poll pages are not here: the first read after a close
# records the outcome.
DEFAULT_VIEWS = (
    "network_members",
    "network_activity",
    "sharing_feed",
    "sharing_search",
    "metrics_dashboard",
    "ledger_network",
    "network_health",
    "integrations_export",
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_views() -> set[str]:
    return set(getattr(settings, "DATABASE_REPLICA_VIEWS", DEFAULT_VIEWS))


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, whichever copy it was read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = None
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _use_replica.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        if match is None or (match.view_name not in replica_views()):
            return None
        try:
            pinned = int(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            pinned = False
        if not pinned:
            request._replica_token = _use_replica.set(True)
        return None


def reading_from_replica() -> bool:
    return _use_replica.get()
