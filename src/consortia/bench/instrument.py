"""What `consortia bench --only speed` adds to the served app, only under settings.BENCHMARK
(CONSORTIA_BENCHMARK=true, set by the benchmark for its own server; never in production).

- `TimingMiddleware` (first in MIDDLEWARE) splits each request's in-process time into queries,
  middleware (before the view), view code and template rendering, and sends it in a
  `Server-Timing` header with the thread's CPU time (robust to a busy machine); the three
  largest single costs (one template's own time, one query shape, the view code, the
  middleware) go in `X-Bench-Costs` as JSON.
- `baseline`: a bare Django view that reads 50 rows of the organizations table and renders them
  as an HTML table from one template without inheritance; `wrap()` serves it under /__bench__/
  through a handler whose only middleware is sessions and auth, in the same server process.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.http import HttpResponse
from django.template import engines

_state = threading.local()
_patched = False
BASELINE_PATH = "/__bench__/baseline/"
BASELINE_ROWS = 50


class _Request:
    """The figures of one request, in seconds."""

    def __init__(self):
        self.queries = 0.0
        self.count = 0
        self.sql: dict[str, float] = defaultdict(float)
        self.templates: dict[str, float] = defaultdict(float)  # own time, without queries
        self.template_total = 0.0
        self.stack: list[list] = []  # [name, started, child time, queries at start]


def _current() -> _Request | None:
    return getattr(_state, "request", None)


def _shape(sql: str) -> str:
    """A query's kind and first table: enough to tell which query costs."""
    verb = sql.split(None, 1)[0].upper() if sql else "?"
    table = re.search(r'\bFROM\s+"?([\w.]+)"?', sql, re.IGNORECASE)
    if verb == "SELECT" and sql.upper().startswith("SELECT COUNT"):
        verb = "COUNT"
    return f"SQL {verb} {table.group(1) if table else ''}".strip()


def _time_query(execute, sql, params, many, context):
    current = _current()
    if current is None:
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        spent = time.perf_counter() - started
        current.queries += spent
        current.count += 1
        current.sql[_shape(sql)] += spent


def _patch_templates() -> None:
    """Time every Template.render (top-level templates and each {% include %})."""
    global _patched
    if _patched:
        return
    from django.template.base import Template

    original = Template.render

    def render(self, context):
        current = _current()
        if current is None:
            return original(self, context)
        frame = [self.origin.template_name or "?", time.perf_counter(), 0.0, current.queries]
        current.stack.append(frame)
        try:
            return original(self, context)
        finally:
            current.stack.pop()
            elapsed = time.perf_counter() - frame[1]
            queries = current.queries - frame[3]
            current.templates[str(frame[0])] += elapsed - frame[2] - queries
            if current.stack:
                current.stack[-1][2] += elapsed - queries  # the parent's child time
            else:
                current.template_total += elapsed - queries

    Template.render = render
    _patched = True


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        _patch_templates()

    def __call__(self, request):
        current = _state.request = _Request()
        started, cpu = time.perf_counter(), time.thread_time()
        request._bench_view_started = None
        wrappers = []
        try:
            for connection in connections.all(initialized_only=False):
                wrapper = connection.execute_wrapper(_time_query)
                wrapper.__enter__()
                wrappers.append(wrapper)
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
            _state.request = None
        total, cpu = time.perf_counter() - started, time.thread_time() - cpu
        view_started = request._bench_view_started or started
        before = view_started - started - getattr(request, "_bench_queries_before", 0.0)
        view = total - before - current.queries - current.template_total
        costs = {name: spent for name, spent in current.sql.items()}
        costs.update({f"template {name}": spent for name, spent in current.templates.items()})
        costs["view code"] = view
        costs["middleware"] = before
        top = sorted(costs.items(), key=lambda item: -item[1])[:3]
        response["Server-Timing"] = (
            ", ".join(
                f"{name};dur={seconds * 1000:.2f}"
                for name, seconds in (
                    ("total", total),
                    ("db", current.queries),
                    ("view", view),
                    ("tpl", current.template_total),
                    ("mw", before),
                    ("cpu", cpu),  # this thread's CPU time: what a busy machine does not hide
                )
            )
            + f", q;desc={current.count}"
        )
        response["X-Bench-Costs"] = json.dumps({name: round(s * 1000, 3) for name, s in top})
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        current = _current()
        request._bench_view_started = time.perf_counter()
        request._bench_queries_before = current.queries if current else 0.0
        return None


# The baseline ------------------------------------------------------------------------------

_TABLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Organizations</title></head>
<body><h1>Organizations</h1><p>Signed in as {{ user.email }}</p>
<table><thead><tr><th>Name</th><th>Kind</th><th>Website</th><th>Joined</th></tr>
</thead><tbody>
{% for org in rows %}<tr><td><a href="/o/{{ org.slug }}/">{{ org.name }}</a></td>
<td>{{ org.get_kind_display }}</td><td>{{ org.website }}</td>
<td>{{ org.created_at|date:"Y-m-d" }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


_compiled = None


def baseline(request):
    """50 rows of the organizations table as an HTML table: what a bare Django page costs."""
    from consortia.networks.models import Organization

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    rows = list(Organization.objects.order_by("name")[:BASELINE_ROWS])
    global _compiled
    if _compiled is None:
        _compiled = engines["django"].from_string(_TABLE)
    template = _compiled
    return HttpResponse(template.render({"rows": rows, "user": request.user}, request))


class _BareHandler(WSGIHandler):
    """A WSGI handler whose only middleware is sessions and auth."""

    def load_middleware(self, is_async=False):
        from django.test.utils import override_settings

        with override_settings(
            MIDDLEWARE=[
                "django.contrib.sessions.middleware.SessionMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
            ]
        ):
            super().load_middleware(is_async)


def wrap(application):
    """The app, with /__bench__/ answered by the bare handler (benchmark settings only)."""
    if not settings.BENCHMARK:
        return application
    bare = _BareHandler()

    def dispatch(environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/__bench__/"):
            return bare(environ, start_response)
        return application(environ, start_response)

    return dispatch
