"""Single sign-on through a real OpenID Connect provider (panva/oidc-provider, run by node on
loopback; `make test` installs it into tests/accounts/oidc): a person of Acme Labs signs in with
their organization's provider for the first time and joins Acme Labs as a member, because an
operator tied the e-mail domain acme.test to it."""

import os
import queue
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from consortia.accounts import services
from consortia.accounts.models import SecurityEvent
from consortia.networks.models import OrgMembership, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OIDC_FOLDER = Path(__file__).resolve().parents[1] / "accounts" / "oidc"
PROVIDER_ID = "acme-sso"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def oidc_provider(live_server, settings):
    node = shutil.which("node")
    if node is None or not (OIDC_FOLDER / "node_modules" / "oidc-provider").exists():
        pytest.fail("the OpenID Connect provider is not installed: run `make test` (node + npm)")
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_REDIRECT_URI": f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/",
        "OIDC_CLIENT_ID": "consortia",
        "OIDC_CLIENT_SECRET": "consortia-test-secret",
    }
    process = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=OIDC_FOLDER,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: queue.Queue = queue.Queue()
        threading.Thread(
            target=lambda: [lines.put(line) for line in process.stdout], daemon=True
        ).start()
        seen = []
        while not (seen and seen[-1].startswith("ready")):  # warnings may come first
            try:
                seen.append(lines.get(timeout=60))
            except queue.Empty:
                pytest.fail(f"the OpenID Connect provider did not start: {seen!r}")
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": PROVIDER_ID,
                        "name": "Acme SSO",
                        "client_id": "consortia",
                        "secret": "consortia-test-secret",
                        "settings": {
                            "server_url": f"http://127.0.0.1:{port}",
                            "oauth_pkce_enabled": True,
                            "token_auth_method": "client_secret_post",
                        },
                    }
                ]
            }
        }
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_it_signs_in_through_the_provider_and_joins_the_organization_of_the_domain(
    new_page, shoot, world, oidc_provider
):
    services.organization_domain_add(domain="acme.test", organization=world.acme)
    page = new_page()
    page.goto("/login/")
    shoot(page, "sign-in-with-sso")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/.*"))
    page.fill("input[name=login]", "kim.tanaka@acme.test")
    page.fill("input[name=password]", "anything")
    shoot(page, "provider-login")
    page.locator("button[type=submit]").first.click()
    consent = page.get_by_role("button", name=re.compile("Continue|Authorize", re.I))
    if consent.count():
        consent.first.click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))
    shoot(page, "signed-in-by-sso")
    kim = Person.objects.get(email="kim.tanaka@acme.test")
    assert kim.org_membership.organization == world.acme
    assert kim.org_membership.role == OrgMembership.Role.MEMBER
    assert services.email_is_verified(kim)
    assert SecurityEvent.objects.filter(person=kim, kind="signed_in", detail__contains="Acme SSO")
    page.goto("/organization/")
    assert "Acme Labs" in page.locator("main").inner_text()


def test_an_unknown_domain_signs_in_without_an_organization(new_page, world, oidc_provider):
    page = new_page()
    page.goto("/login/")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/.*"))
    page.fill("input[name=login]", "sam@elsewhere.test")
    page.fill("input[name=password]", "anything")
    page.locator("button[type=submit]").first.click()
    consent = page.get_by_role("button", name=re.compile("Continue|Authorize", re.I))
    if consent.count():
        consent.first.click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))
    sam = Person.objects.get(email="sam@elsewhere.test")
    assert not OrgMembership.objects.filter(person=sam).exists()
