"""Accounts to ASVS level 2: verified addresses, reset, lockout, two-factor, sessions, the
security log, personal data, and the network's two-factor rule (services, views, API)."""

import json
import re
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from consortia.accounts import policy, services
from consortia.accounts.mfa_secrets import unseal
from consortia.accounts.models import SecurityEvent
from consortia.core.models import ApiToken, OutboundEmail
from consortia.decisions import services as decisions
from consortia.decisions.models import Poll
from consortia.networks import permissions
from consortia.networks import services as network_services
from consortia.networks.models import Person
from tests.api.conftest import ApiClient, token_for
from tests.conftest import PASSWORD, fresh, login, make_person, signed_in, verify_email

Kind = SecurityEvent.Kind


def totp_code(person, at=None) -> str:
    stored = Authenticator.objects.get(user=person, type="totp").data["secret"]
    secret = unseal(stored)
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def can_sign_in(email: str, password: str) -> bool:
    client = Client()
    client.post("/login/", {"login": email, "password": password})
    return "_auth_user_id" in client.session


def kinds(person) -> list[str]:
    return list(SecurityEvent.objects.filter(person=person).values_list("kind", flat=True))


# Verified addresses ---------------------------------------------------------------------------


def test_an_unverified_person_signs_in_but_cannot_act_until_verified(world):
    newcomer = make_person("kim@kestrel.test", "Kim", verified=False)
    network_services.organization_create(actor=newcomer, name="Kestrel Tools")
    kim = fresh(newcomer)
    assert services.email_is_verified(kim) is False
    with pytest.raises(PermissionDenied, match="Verify your e-mail"):
        permissions.require_team_leader(kim)
    with pytest.raises(PermissionDenied, match="Verify your e-mail"):
        network_services.network_apply(actor=kim, network=world.network)
    client = signed_in(kim)
    assert "Verify your e-mail address" in client.get("/").content.decode()
    verify_email(kim)
    kim = fresh(kim)
    assert services.email_is_verified(kim) is True
    assert network_services.network_apply(actor=kim, network=world.network)


def test_opening_an_emailed_invitation_proves_the_address(world):
    newcomer = make_person("lee@acme.test", "Lee", verified=False)
    invitation, _ = network_services.colleague_invite(
        actor=world.leader, email="lee@acme.test", role="member"
    )
    network_services.invitation_accept(actor=newcomer, invitation=invitation)
    lee = fresh(newcomer)
    assert services.email_is_verified(lee)
    assert permissions.require_acting_member(lee, world.network)


def test_a_member_of_a_network_looks_around_unverified(world):
    newcomer = make_person("ned@acme.test", "Ned", verified=False)
    from allauth.account.models import EmailAddress

    from consortia.networks.models import OrgMembership

    OrgMembership.objects.create(person=newcomer, organization=world.acme)
    ned = fresh(newcomer)
    assert not EmailAddress.objects.filter(user=ned, verified=True).exists()
    assert permissions.get_network_for(ned, "northwind", need="member")
    with pytest.raises(PermissionDenied, match="Verify"):
        permissions.require_acting_member(ned, world.network)


def test_the_emailed_link_verifies_the_address_on_post_only(world, client):
    person = make_person("lin@acme.test", "Lin", verified=False)
    services.email_verification_send(person=person)
    body = OutboundEmail.objects.filter(to="lin@acme.test").latest("pk").body
    path = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", body).group(1)
    assert client.get(path).status_code == 200
    assert services.email_is_verified(fresh(person)) is False  # a link scanner's GET
    client.post(path)
    assert services.email_is_verified(fresh(person)) is True
    assert Kind.EMAIL_VERIFIED in kinds(person)


def test_a_bad_verification_key_is_refused(db):
    with pytest.raises(ValidationError):
        services.email_confirm(key="not-a-key")


# Password reset and enumeration ----------------------------------------------------------------


def test_reset_answers_alike_and_the_link_works_once(world, client):
    known = client.post("/accounts/password/reset/", {"email": world.member.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@acme.test"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert OutboundEmail.objects.filter(to="nobody@acme.test").exists()  # tells the owner
    body = OutboundEmail.objects.filter(to=world.member.email).latest("pk").body
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", body).group(1)
    form_url = client.get(link).url  # allauth moves the key into the session
    new = "a brand new long passphrase 7"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert can_sign_in(world.member.email, new)
    again = Client()
    assert "invalid" in again.get(link, follow=True).content.decode().lower()
    assert Kind.PASSWORD_RESET in kinds(world.member)


# Password policy (finding 6) ------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Consortia", "consortia-2024!", "Acme-Labs-99", "ada@acme"])
def test_it_refuses_the_sites_own_words(world, password):
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password(password, world.leader)


def test_it_accepts_an_unrelated_passphrase(world):
    from django.contrib.auth.password_validation import validate_password

    validate_password("violet tractor harbour 42", world.leader)


def test_sign_up_refuses_the_product_name(client, db):
    response = client.post(
        "/signup/", {"name": "Zed", "email": "zed@zeta.test", "password1": "Consortia2024"}
    )
    assert "too close to the name of the site" in response.content.decode()
    assert not Person.objects.filter(email="zed@zeta.test").exists()


# Throttling and lockout (finding 2) ----------------------------------------------------------


def test_it_locks_an_account_after_repeated_failures_and_says_when(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            Client(REMOTE_ADDR="10.0.0.1").post(
                "/login/", {"login": world.leader.email, "password": "wrong"}
            )
        # Even the right password, from another address, waits for the lockout to end.
        response = Client(REMOTE_ADDR="10.0.0.2").post(
            "/login/", {"login": world.leader.email, "password": PASSWORD}
        )
        assert response.status_code == 429
        page = response.content.decode()
        assert "Try again at" in page and "15 minutes" in page
        assert int(response["Retry-After"]) == 15 * 60 + 1
    assert Kind.LOCKED_OUT in kinds(world.leader)
    assert kinds(world.leader).count(Kind.SIGN_IN_FAILED) >= 5
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = Client(REMOTE_ADDR="10.0.0.2").post(
            "/login/", {"login": world.leader.email, "password": PASSWORD}
        )
        assert response.status_code == 302


def test_it_locks_an_address_that_tries_many_accounts(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    with time_machine.travel(timezone.now(), tick=False):
        for person in (world.member, world.other_leader, world.other_member):
            Client(REMOTE_ADDR="10.9.9.9").post(
                "/login/", {"login": person.email, "password": "wrong"}
            )
        response = Client(REMOTE_ADDR="10.9.9.9").post(
            "/login/", {"login": world.outsider.email, "password": PASSWORD}
        )
        assert response.status_code == 429
        ok = Client(REMOTE_ADDR="10.1.1.1").post(
            "/login/", {"login": world.outsider.email, "password": PASSWORD}
        )
        assert ok.status_code == 302


def test_the_admin_login_is_throttled_too(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    Person.objects.create_superuser(email="op@ops.test", password="operator passphrase 1")
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(3):
            Client().post(
                "/admin/login/?next=/admin/", {"username": "op@ops.test", "password": "x"}
            )
        response = Client().post(
            "/admin/login/?next=/admin/",
            {"username": "op@ops.test", "password": "operator passphrase 1"},
        )
        assert response.status_code == 429
        assert "Try again at" in response.content.decode()


def test_the_api_token_endpoint_is_throttled(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    api = ApiClient()
    body = {"email": world.member.email, "password": "wrong", "name": "script"}
    with time_machine.travel(timezone.now(), tick=False):
        answers = [api.post("/auth/token", body).status_code for _ in range(3)]
        assert answers == [401, 401, 429], answers  # the failure that reaches the limit locks
        response = api.post("/auth/token", {**body, "password": PASSWORD})
        assert response.status_code == 429
        assert "Try again at" in response.json()["detail"]
        assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.filter(person=world.member).exists()


def test_the_api_token_endpoint_gives_a_token_for_the_right_password(world):
    response = ApiClient().post(
        "/auth/token", {"email": world.member.email, "password": PASSWORD, "name": "script"}
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    assert ApiClient(raw).get("/me").json()["email"] == world.member.email
    assert Kind.TOKEN_CREATED in kinds(world.member)


def test_a_security_key_account_gets_no_api_token_for_a_password_alone(world):
    Authenticator.objects.create(user=world.member, type="webauthn", data={"credential": {}})
    response = ApiClient().post(
        "/auth/token",
        {"email": world.member.email, "password": PASSWORD, "name": "script", "code": "123456"},
    )
    assert response.status_code == 401
    assert "security key or passkey" in response.json()["detail"]
    assert "/settings/tokens/" in response.json()["detail"]
    assert not ApiToken.objects.filter(person=world.member).exists()


def test_guessing_bearer_tokens_gets_locked_out(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    with time_machine.travel(timezone.now(), tick=False):
        answers = [ApiClient(f"cns_guess{n}").get("/me").status_code for n in range(4)]
    assert answers[:2] == [401, 401] and answers[-1] == 429


# Two-factor authentication --------------------------------------------------------------------


def enable_totp(client: Client, person, on_commit) -> list[str]:
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with on_commit(execute=True):  # allauth announces the new authenticator after COMMIT
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    recovery = Authenticator.objects.get(user=person, type="recovery_codes")
    return RecoveryCodes(recovery).get_unused_codes()


def test_totp_with_recovery_codes_that_work_once(world, django_capture_on_commit_callbacks):
    person = world.member
    client = signed_in(person)
    codes = enable_totp(client, person, django_capture_on_commit_callbacks)
    assert len(codes) == 10
    assert services.has_two_factor(fresh(person))
    # Signing in now asks for the code.
    other = Client()
    response = other.post("/login/", {"login": person.email, "password": PASSWORD})
    assert response.url.startswith("/accounts/2fa/authenticate")
    assert other.post(response.url, {"code": "000000"}).status_code == 200  # refused
    response = other.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302 and "_auth_user_id" in other.session
    third = Client()
    third.post("/login/", {"login": person.email, "password": PASSWORD})
    third.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "_auth_user_id" not in third.session  # used once
    assert {Kind.TWO_FACTOR_ENABLED, Kind.RECOVERY_CODE_USED} <= set(kinds(person))


def test_a_network_requires_two_factor_by_poll(world):
    poll = decisions.poll_create(
        actor=world.leader,
        network=world.network,
        title="Require two-factor?",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(days=1),
        action=policy.ACTION,
        action_payload={"required": True},
    )
    policy.apply(poll, {"passed": True})
    world.network.refresh_from_db()
    assert world.network.requires_two_factor
    with pytest.raises(PermissionDenied, match="two-factor"):
        permissions.get_network_for(fresh(world.other_member), "northwind", need="member")
    assert login(world.other_member).get("/n/northwind/members/").status_code == 403
    # The outsider still gets nothing more than before.
    Authenticator.objects.create(user=world.other_member, type="totp", data={"secret": "x"})
    assert permissions.get_network_for(fresh(world.other_member), "northwind", need="member")


def test_the_two_factor_poll_checks_its_payload(world):
    with pytest.raises(ValidationError):
        policy.validate(world.network, {"required": "yes"})
    with pytest.raises(ValidationError):
        policy.validate(world.network, {"required": False})  # already optional


def test_the_network_security_page_opens_the_poll(world, as_leader, as_outsider):
    assert as_leader.get("/n/northwind/security/").status_code == 200
    assert as_outsider.get("/n/northwind/security/").status_code == 404
    response = as_leader.post("/n/northwind/security/", {"days": "0"})
    assert response.status_code == 422
    response = as_leader.post("/n/northwind/security/", {"days": "7"})
    assert response.status_code == 302
    assert Poll.objects.get(network=world.network).action == policy.ACTION


# Sessions -------------------------------------------------------------------------------------


def test_sign_out_everywhere_else_and_revoke_tokens(world):
    here, elsewhere = signed_in(world.member), signed_in(world.member)
    token_for(world.member)
    response = here.get("/settings/sessions/")
    assert len(response.context["sessions"]) == 2
    here.post("/settings/sessions/", {"revoke_tokens": "on"})
    assert "_auth_user_id" not in elsewhere.get("/").wsgi_request.session
    assert here.get("/settings/sessions/").status_code == 200
    assert not ApiToken.objects.filter(person=world.member, revoked_at__isnull=True).exists()
    assert Kind.SESSIONS_ENDED in kinds(world.member)


def test_leaving_or_being_removed_ends_sessions_and_tokens(world):
    browser = signed_in(world.member)
    raw = token_for(world.member)
    network_services.org_member_remove(actor=world.leader, membership=world.member.membership)
    assert ApiClient(raw).get("/me").status_code == 401
    assert browser.get("/settings/security/").status_code == 302  # signed out
    assert Kind.REMOVED_FROM_ORGANIZATION in kinds(world.member)
    browser = signed_in(world.other_member)
    network_services.org_member_leave(actor=fresh(world.other_member))
    assert browser.get("/settings/security/").status_code == 302


def test_the_last_team_leader_cannot_leave(world):
    with pytest.raises(ValidationError):
        network_services.org_member_leave(actor=world.outsider)


def test_idle_and_absolute_time_outs(world, settings):
    settings.SESSION_IDLE_SECONDS = 600
    settings.SESSION_MAX_SECONDS = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(world.member)
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert client.get("/settings/security/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=18), tick=False):
        assert client.get("/settings/security/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        response = client.get("/settings/security/")
        assert response.status_code == 302 and response.url.startswith("/login/")
    with time_machine.travel(start, tick=False):
        client = signed_in(world.member)
    for minutes in range(8, 72, 8):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            status = client.get("/settings/security/").status_code
    assert status == 302  # past an hour, however active
    assert Kind.SESSION_EXPIRED in kinds(world.member)


# Security log ---------------------------------------------------------------------------------


def test_each_person_sees_only_their_own_log(world):
    signed_in(world.member)
    Client().post("/login/", {"login": world.leader.email, "password": "wrong"})
    mine = ApiClient(token_for(world.member)).get("/me/security-log").json()["items"]
    assert [e["kind"] for e in mine][:2] == [Kind.TOKEN_CREATED, Kind.SIGNED_IN]
    assert Kind.SIGN_IN_FAILED not in [e["kind"] for e in mine]
    page = login(world.member).get("/settings/security/log/").content.decode()
    assert "Signed in" in page and "Failed sign-in" not in page


def test_a_token_used_from_a_new_address_is_logged(world):
    raw = token_for(world.member)
    Client(REMOTE_ADDR="10.0.0.5").get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    Client(REMOTE_ADDR="10.0.0.6").get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    Client(REMOTE_ADDR="10.0.0.5").get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert kinds(world.member).count(Kind.TOKEN_NEW_ADDRESS) == 1


def test_the_worker_prunes_old_entries(world, settings):
    settings.SECURITY_LOG_DAYS = 30
    old = services.security_log_record(kind=Kind.SIGNED_IN, person=world.member)
    SecurityEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    kept = services.security_log_record(kind=Kind.SIGNED_IN, person=world.member)
    assert services.security_log_prune() == 1
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()


# Personal data ---------------------------------------------------------------------------------


def test_download_everything_about_me_without_secrets(world):
    token_for(world.member)
    response = login(world.member).get("/settings/privacy/my-data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["person"]["email"] == world.member.email
    assert data["organization"]["name"] == "Acme Labs"
    assert "core.apitoken" in data["records"]
    text = response.content.decode()
    assert "digest" not in text and "pbkdf2" not in text and "md5$" not in text
    api = ApiClient(token_for(world.member)).get("/me/export").json()
    assert api["person"]["id"] == world.member.pk


def test_delete_my_account_leaves_my_work_as_former_member(world):
    from consortia.core.events import emit
    from consortia.core.models import Audience, Event

    emit(
        actor=world.member,
        organization=world.acme,
        verb="test.wrote",
        summary="wrote",
        audience=Audience.ORGANIZATION,
    )
    client = signed_in(world.member)
    assert client.post("/settings/privacy/delete/", {"confirm": "nope"}).status_code == 422
    response = client.post("/settings/privacy/delete/", {"confirm": "DELETE"})
    assert response.status_code == 302
    former = Person.objects.get(pk=world.member.pk)
    assert str(former) == "Former member" and not former.is_active
    assert not former.has_usable_password()
    assert Event.objects.get(verb="test.wrote").actor_id == former.pk
    assert not can_sign_in("max@acme.test", PASSWORD)


def test_the_last_team_leader_with_colleagues_cannot_delete_the_account(world):
    with pytest.raises(ValidationError):
        services.account_delete(actor=world.leader)


# Outsiders and anonymous visitors --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/settings/security/",
        "/settings/security/log/",
        "/settings/sessions/",
        "/settings/privacy/",
        "/settings/privacy/my-data.json",
        "/n/northwind/security/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.parametrize("path", ["/me/sessions", "/me/security-log", "/me/export"])
def test_the_api_needs_a_caller(world, path):
    assert ApiClient().get(path).status_code == 401


def test_nobody_ends_another_persons_session(world):
    signed_in(world.member)
    from allauth.usersessions.models import UserSession

    theirs = UserSession.objects.filter(user=world.member).first()
    api = ApiClient(token_for(world.outsider))
    assert api.delete(f"/me/sessions/{theirs.pk}").status_code == 404
    assert login(world.outsider).post(f"/settings/sessions/{theirs.pk}/end/").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_operators_read_everyones_security_log_in_the_admin(world):
    signed_in(world.member)
    operator = Person.objects.create_superuser(email="op@ops.test", password="x")
    page = login(operator).get("/admin/accounts/securityevent/")
    assert page.status_code == 200
    assert world.member.email in page.content.decode()
    assert login(operator).get("/admin/accounts/organizationdomain/add/").status_code == 200


def test_the_api_signs_out_everywhere(world):
    browser = signed_in(world.member)
    api = ApiClient(token_for(world.member))
    assert api.post("/me/sign-out-others", {"revoke_tokens": "maybe"}).status_code == 422
    answer = api.post("/me/sign-out-others", {"revoke_tokens": True}).json()
    assert answer == {"sessions_ended": 1, "tokens_revoked": 1}
    assert browser.get("/settings/security/").status_code == 302
    assert api.get("/me").status_code == 401


def test_the_security_log_costs_the_same_whatever_its_length(world, django_assert_num_queries):
    client = login(world.member)
    api = ApiClient(token_for(world.member))
    client.get("/settings/security/log/")
    api.get("/me/security-log")

    def count():
        # session + person (annotated), COUNT(*), the page
        with django_assert_num_queries(4):
            assert client.get("/settings/security/log/").status_code == 200
        # token + person (annotated), the entries
        with django_assert_num_queries(2):
            assert api.get("/me/security-log").status_code == 200

    count()
    for _ in range(30):
        services.security_log_record(kind=Kind.SIGNED_IN, person=world.member)
    count()


def test_behind_a_proxy_the_client_address_comes_from_the_trusted_hop(rf, settings):
    from consortia.accounts.throttle import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(request) == "203.0.113.9"  # not the address the client wrote itself


def test_changing_the_address_asks_for_the_password_and_verifies_the_new_one(world):
    client = login(world.member)  # no recent sign-in
    response = client.post("/accounts/email/", {"action_add": "", "email": "max@new.test"})
    assert response.status_code == 302 and "/reauthenticate/" in response.url
    client.post(response.url, {"password": PASSWORD})
    client.post("/accounts/email/", {"action_add": "", "email": "max@new.test"})
    member = fresh(world.member)
    assert member.email == "max@acme.test"  # the old, verified address until the new one is
    body = OutboundEmail.objects.filter(to="max@new.test").latest("pk").body
    path = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", body).group(1)
    client.post(path)
    member = fresh(world.member)
    assert member.email == "max@new.test"
    assert services.email_is_verified(member)
    assert Kind.EMAIL_CHANGED in kinds(member)


def test_a_new_organization_accepts_a_network_invitation_without_a_separate_verification(world):
    _, raw = network_services.network_invite_organization(
        actor=world.leader, network=world.network, email="zoe@zeta.test"
    )
    zoe = make_person("zoe@zeta.test", "Zoe", verified=False)
    network_services.organization_create(actor=zoe, name="Zeta Ltd")
    invitation = network_services.invitation_by_token(raw)
    network_services.invitation_accept(actor=fresh(zoe), invitation=invitation)
    assert services.email_is_verified(fresh(zoe))
