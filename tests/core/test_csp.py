"""The strict Content-Security-Policy: on every page, nothing inline to allow, one way to widen it.

The browser proves the pages keep working under it (tests/browser/test_csp.py); these tests
pin the header, the templates it relies on, and the per-view decorator.
"""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

import consortia
from consortia.core.csp import allow_webassembly, csp_update

PACKAGE = Path(consortia.__file__).parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*.html"))


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def test_it_sends_a_strict_policy_with_every_page(client, as_member, world):
    for response in (
        client.get(reverse("login")),
        as_member.get(reverse("network_detail", args=[world.network.slug])),
        as_member.get(reverse("network_members", args=[world.network.slug])),
        as_member.get("/no-such-page/"),
    ):
        directives = policy(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_the_api_documentation_works_under_the_policy_too(client):
    response = client.get("/api/v1/docs")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    html = response.content.decode()
    # Ninja serves Swagger UI from this site, its settings as JSON data (not a script).
    assert "cdn." not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_templates_have_nothing_inline(template):
    html = template.read_text()
    # A <script> without src (JSON data blocks aside), a <style> element, a style="…" or
    # on…="…" attribute, or a javascript: link would each be refused by the policy.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "javascript:" not in html


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(as_member, world):
    html = as_member.get(reverse("network_detail", args=[world.network.slug])).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html).group(1)
    assert '"includeIndicatorStyles":false' in config and '"allowEval":false' in config
    css = (PACKAGE / "static/css/app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def _with_middleware(view):
    from csp.middleware import CSPMiddleware

    request = RequestFactory().get("/")
    middleware = CSPMiddleware(lambda r: view(r))
    return middleware(request)


def test_a_view_widens_the_policy_for_itself_with_a_decorator():
    def plain(request):
        return HttpResponse("plain")

    wasm = policy(_with_middleware(allow_webassembly(plain)))
    assert wasm["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert wasm["worker-src"] == ["'self'"]
    assert "'unsafe-eval'" not in wasm["script-src"]
    assert policy(_with_middleware(plain))["script-src"] == ["'self'"]
    more = csp_update({"img-src": ["https://tiles.example.org"]})(plain)
    assert policy(_with_middleware(more))["img-src"] == [
        "'self'",
        "data:",
        "https://tiles.example.org",
    ]


def test_downloads_keep_their_own_stricter_policy():
    def download(request):
        response = HttpResponse(b"%PDF", content_type="application/pdf")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    assert _with_middleware(download)["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_refused_form_gets_a_page_styled_by_the_site(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "<style" not in response.content.decode()
    assert "did not come from this site" in response.content.decode()


def test_behind_https_it_upgrades_requests_and_reports_where_told(tmp_path):
    from tests.core.test_settings import PRODUCTION, django

    result = django(
        "shell",
        "-c",
        "from csp.utils import build_policy; print(build_policy())",
        env_extra={**PRODUCTION, "CSP_REPORT_URI": "https://csp.example.org/report"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "upgrade-insecure-requests" in result.stdout
    assert "report-uri https://csp.example.org/report" in result.stdout
