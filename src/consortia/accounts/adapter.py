"""How django-allauth fits Consortia: e-mails go through the outbound queue, links use
SITE_URL, people have a name and no username, and single sign-on joins an organization by the
e-mail domain an operator tied to it."""

from types import SimpleNamespace
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from consortia.core.mail import queue_email
from consortia.core.validators import without_hidden

SITE = SimpleNamespace(name="Consortia", domain=settings.SITE_URL.split("://", 1)[-1])


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue the e-mail for `consortia worker`, like every other e-mail of the site."""
        ctx = {"email": email, "current_site": SITE, "site_url": settings.SITE_URL, **context}
        subject = " ".join(
            render_to_string(f"{template_prefix}_subject.txt", ctx).splitlines()
        ).strip()
        body = render_to_string(f"{template_prefix}_message.txt", ctx).strip()
        queue_email_text(to=email, subject=self.format_email_subject(subject), body=body)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        self.send_mail(
            "account/email/account_already_exists",
            email,
            {
                "signup_url": site_url(reverse("account_signup")),
                "password_reset_url": site_url(reverse("account_reset_password")),
            },
        )

    def save_user(self, request, user, form, commit=True):
        user.name = (form.cleaned_data.get("name") or "").strip()[:150]
        user.email = (form.cleaned_data.get("email") or "").strip().lower()
        user.time_zone = form.cleaned_data.get("time_zone") or ""
        return super().save_user(request, user, form, commit=commit)

    def pre_login(self, request, user, *, signup: bool, redirect_url=None, **kwargs):
        """Sign-up never signs in: a new address and one that has an account get the same
        answer (finding 4), and the person signs in with the password they chose. (A first
        sign-in through single sign-on does sign in: the provider vouched for the person.)"""
        if signup and not (kwargs.get("signal_kwargs") or {}).get("sociallogin"):
            from consortia.accounts import services

            services.email_verification_send(person=user, request=request)
            return signed_up_response(request, user.email, redirect_url)
        return super().pre_login(request, user, signup=signup, redirect_url=redirect_url, **kwargs)

    def add_message(self, request, *args, **kwargs):
        if request is None:
            return  # a service called outside a request (tests, the demo, the CLI)
        super().add_message(request, *args, **kwargs)

    def get_client_ip(self, request) -> str:
        from consortia.accounts.throttle import client_ip

        return client_ip(request) or "0.0.0.0"  # noqa: S104 - a value, not a bind address


def signed_up_response(request, email: str, next_url: str | None):
    """The one answer to a sign-up, whether or not the address already had an account."""
    from django.contrib import messages
    from django.http import HttpResponseRedirect
    from django.utils.http import urlencode

    from consortia.core.htmx import safe_next_url

    messages.info(
        request,
        f"Check your inbox at {email}: we sent you a message. If you just created your "
        "account, sign in with your new password; the link in the message verifies the address.",
    )
    target = reverse("login")
    next_url = next_url or safe_next_url(request)
    if next_url and next_url != reverse("home"):
        target += "?" + urlencode({"next": next_url})
    return HttpResponseRedirect(target)


def queue_email_text(*, to: str, subject: str, body: str) -> None:
    """core.mail.queue_email renders a template; allauth's e-mails are rendered already."""
    queue_email(
        to=to,
        subject=subject,
        template="accounts/email/rendered.txt",
        context={"body": body},
    )


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email

    # allauth stores the TOTP key and the recovery codes' seed through these two hooks:
    # encrypted at rest (accounts.mfa_secrets).
    def encrypt(self, text: str) -> str:
        from consortia.accounts.mfa_secrets import seal

        return seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        from consortia.accounts.mfa_secrets import unseal

        return unseal(encrypted_text)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """First sign-in with a provider creates the person (no password) and, when the provider
    vouches for the address and its domain is tied to an organization, makes them a member."""

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        from consortia.accounts import services

        services.sso_joined(person=user, sociallogin=sociallogin)
        return user

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        # The provider's name is taken as it comes, less what would disguise it (core.validators).
        name = without_hidden(" ".join((name or "").split()))
        user.name = (name or (user.email or "").split("@")[0])[:150]
        if user.email:
            user.email = user.email.lower()
        return user
