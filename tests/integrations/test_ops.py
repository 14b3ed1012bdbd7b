"""For operators: /healthz, /readyz, /metrics, JSON logs, the read-replica router."""

import json
import logging
from datetime import timedelta

from django.utils import timezone

from consortia.core.worker import run_jobs
from consortia.integrations import ops, replica
from consortia.integrations.logformat import JsonLogFormatter
from consortia.integrations.models import WorkerHeartbeat


def test_healthz_answers_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_needs_a_recent_worker(db, client, settings):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["worker"]["ok"] and "no `consortia worker`" in checks["worker"]["error"]

    run_jobs()  # one pass of the worker records its heartbeat
    assert WorkerHeartbeat.objects.count() == 1
    assert client.get("/readyz").status_code == 200

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    assert client.get("/readyz").status_code == 503


def test_metrics_are_refused_to_others_and_shown_with_the_token(db, client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "a-long-enough-metrics-token"
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    client.get("/healthz")
    response = client.get(
        "/metrics", headers={"Authorization": "Bearer a-long-enough-metrics-token"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'consortia_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert "consortia_http_request_duration_seconds_bucket" in text
    assert 'consortia_queue_length{queue="email"}' in text
    assert 'consortia_queue_length{queue="webhook"}' in text
    assert 'consortia_webhook_attempts_total{outcome="failed"}' in text
    assert 'consortia_worker_lag_seconds{what="heartbeat"}' in text


def test_metrics_by_allowed_address(db, client, settings):
    settings.METRICS_TOKEN = ""
    import ipaddress

    settings.METRICS_ALLOWED_IPS = [ipaddress.ip_network("127.0.0.1/32")]
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_json_log_lines():
    record = logging.LogRecord(
        "consortia.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None
    )
    line = json.loads(JsonLogFormatter().format(record))
    assert line["message"] == "hello you" and line["level"] == "WARNING"
    assert line["name"] == "consortia.x" and "time" in line


def test_the_router_reads_from_the_replica_only_for_replica_pages():
    router = replica.ReplicaRouter()
    assert router.db_for_read(None) is None
    token = replica._use_replica.set(True)
    try:
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    finally:
        replica._use_replica.reset(token)
    assert router.allow_migrate("replica", "core") is False
    assert router.allow_migrate("default", "core") is True


def test_the_middleware_marks_only_listed_get_pages_and_pins_after_a_write(
    world, as_member, settings, monkeypatch
):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    # The routing decision, without a second database: the flag the router reads.
    flags = []
    original = replica.ReplicaMiddleware.process_view

    def recording(self, request, view_func, args, kwargs):
        original(self, request, view_func, args, kwargs)
        flags.append((request.resolver_match.view_name, replica.reading_from_replica()))

    monkeypatch.setattr(replica.ReplicaMiddleware, "process_view", recording)
    as_member.get("/n/northwind/members/")
    as_member.get("/n/northwind/decisions/")
    assert flags == [("network_members", True), ("poll_list", False)]
    assert replica.reading_from_replica() is False  # reset after the request
    as_member.post("/n/northwind/leave/", {})  # any write pins the visitor to the primary
    flags.clear()
    as_member.get("/n/northwind/members/")
    assert flags == [("network_members", False)]


def test_the_replica_setting_adds_a_database_and_the_router(monkeypatch):
    import subprocess
    import sys

    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='consortia.settings';"
        "from django.conf import settings;"
        "print(settings.DATABASES['replica']['NAME'], settings.DATABASE_ROUTERS)"
    )
    env = {
        **__import__("os").environ,
        "DATABASE_URL": "postgres://app@primary.db:5432/consortia",
        "DATABASE_REPLICA_URL": "postgres://app@replica.db:5432/consortia",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "consortia ['consortia.integrations.replica.ReplicaRouter']" in out.stdout
    env["DATABASE_REPLICA_URL"] = "nonsense://"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "DATABASE_REPLICA_URL" in bad.stderr


def test_the_heartbeat_forgets_old_workers(db):
    WorkerHeartbeat.objects.create(name="gone:1", seen_at=timezone.now() - timedelta(days=2))
    ops.record_heartbeat()
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == [ops.worker_name()]


def test_gunicorn_writes_its_access_log_as_json_objects_with_named_fields(capsys):
    from datetime import timedelta as elapsed
    from types import SimpleNamespace

    from gunicorn.config import Config

    from consortia.integrations.logformat import gunicorn_json_logger

    config = Config()
    config.set("accesslog", "-")
    logger = gunicorn_json_logger()(config)
    response = SimpleNamespace(status="404 Not Found", sent=1234, headers=[])
    request = SimpleNamespace(headers=[])
    environ = {
        "REMOTE_ADDR": "10.0.0.5",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/n/x/?page=2",
        "PATH_INFO": "/n/x/",
        "QUERY_STRING": "page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "curl/8",
    }
    logger.access(response, request, environ, elapsed(milliseconds=12, microseconds=500))
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["name"] == "gunicorn.access" and line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/n/x/" and line["query"] == "page=2"
    assert line["status"] == 404 and line["bytes"] == 1234 and line["remote"] == "10.0.0.5"
    assert line["duration_ms"] == 12.5 and line["user_agent"] == "curl/8"
