"""Settings come from the environment, strictly; production settings pass Django's deploy check."""

import os
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "consortia.example.org",
}


def django(*args, env_extra, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "HTTPS",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="consortia.settings",
        CONSORTIA_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deploy_check_with_production_settings(tmp_path):
    result = django(
        "check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_rejects_a_malformed_boolean_naming_the_variable(tmp_path):
    result = django("check", env_extra={**PRODUCTION, "DEBUG": "perhaps"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_it_rejects_a_weak_secret_key(tmp_path):
    result = django("check", env_extra={**PRODUCTION, "SECRET_KEY": "short"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_it_keeps_a_generated_secret_key_beside_the_database(tmp_path):
    env = {"DEBUG": "false"}
    assert django("check", env_extra=env, tmp_path=tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_it_has_a_migration_for_every_model_change(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_postgresql_connections_run_without_jit_and_benchmark_settings_are_off(tmp_path):
    """JIT compiled a visibility query for 4 s that runs in 0.2 s; the benchmark's URLconf and
    timing middleware are never on unless CONSORTIA_BENCHMARK says so."""
    show = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['OPTIONS']['options'], s.BENCHMARK, s.ROOT_URLCONF, "
        "s.MIDDLEWARE[0])"
    )
    env = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing"}
    result = django("shell", "-c", show, env_extra=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "-c",
        "jit=off",
        "False",
        "consortia.urls",
        "consortia.integrations.ops.MetricsMiddleware",
    ]
    result = django(
        "shell", "-c", show, env_extra={**env, "CONSORTIA_BENCHMARK": "true"}, tmp_path=tmp_path
    )
    assert result.stdout.splitlines()[-1].split()[2:] == [
        "True",
        "consortia.bench.urls",
        "consortia.bench.instrument.TimingMiddleware",
    ]
