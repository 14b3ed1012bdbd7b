"""allauth's sign-up and sign-in forms with Consortia's labels and a name, and its two-factor
code forms refusing calmly when the stored secrets cannot be decrypted."""

from allauth.account.forms import LoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.contrib.auth import password_validation

from consortia.core.validators import validate_name


class SignUpForm(AllauthSignupForm):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Filled from the browser by static/js/timezone.js; the person can change it in settings.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )
    field_order = ["name", "email", "password1"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        email = self.fields["email"]
        email.label = "Work email address"
        email.help_text = (
            "You sign in with it; we send a link to verify it before you act for an organization."
        )
        email.widget.attrs.pop("placeholder", None)
        password = self.fields["password1"]
        password.help_text = (
            "At least 8 characters; not a common password, not the name of the site, your "
            "organization or your address."
        )
        password.widget.attrs.pop("placeholder", None)

    def validate_unique_email(self, value) -> str:
        # allauth hides an existing account only under mandatory verification; Consortia lets
        # unverified people sign in, so it hides it here: no error, an e-mail to the owner.
        from consortia.networks.models import Person

        email = (value or "").strip().lower()
        self.account_already_exists = Person.objects.filter(email__iexact=email).exists()
        return email

    def try_save(self, request):
        if self.account_already_exists:
            from allauth.account.adapter import get_adapter

            from consortia.accounts.adapter import signed_up_response

            email = self.cleaned_data["email"]
            get_adapter().send_account_already_exists_mail(email)
            return None, signed_up_response(request, email, None)
        return super().try_save(request)

    def clean_time_zone(self) -> str:
        from consortia.core.timezones import is_valid_zone

        zone = (self.cleaned_data.get("time_zone") or "").strip()
        return zone if is_valid_zone(zone) else ""  # an odd browser: follow it later instead

    def clean(self):
        # allauth checks the password against an unnamed person; with the name too, a password
        # made of the person's name is refused now, with the form's other errors (one pass).
        data = super().clean()
        password, name = data.get("password1"), data.get("name")
        if password and name and not self.has_error("password1"):
            from consortia.networks.models import Person

            person = Person(name=name, email=data.get("email") or "")
            try:
                password_validation.validate_password(password, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError("Your name is required.")
        return validate_name(name)


class SignInForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["login"].label = "Email address"
        for name in ("login", "password"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            del self.fields["remember"]


class UnreadableSecretsRefused:
    """allauth's code check (its BaseAuthenticateForm.clean_code, the same steps), except that
    when no secret of the person can be decrypted (SECRET_KEY changed without the old key in
    SECRET_KEY_FALLBACKS) the form says so: no failure is counted, nothing changes, and the
    operator gets a warning (accounts.mfa_secrets)."""

    where = "two-factor sign-in"

    def clean_code(self) -> str:
        from allauth.mfa.adapter import get_adapter
        from allauth.mfa.base.internal.flows import check_rate_limit
        from allauth.mfa.models import Authenticator

        from consortia.accounts import mfa_secrets

        clear_rate_limit = check_rate_limit(self.user)
        code = self.cleaned_data["code"]
        # WebAuthn cannot check a typed code; the authenticator app first, as allauth does.
        authenticators = sorted(
            Authenticator.objects.filter(user=self.user).exclude(type=Authenticator.Type.WEBAUTHN),
            key=lambda a: (a.type != Authenticator.Type.TOTP, a.pk),
        )
        matched, none_readable = mfa_secrets.check_code(authenticators, code)
        if matched is not None:
            matched.user = self.user
            self.authenticator = matched
            clear_rate_limit()
            return code
        if none_readable:
            mfa_secrets.report_unreadable(self.user, self.where)
            # About the account, not the code typed: at the top of the form, not on the field.
            self.add_error(
                None,
                forms.ValidationError(mfa_secrets.unreadable_message(self.user), code="unreadable"),
            )
            return code
        if authenticators:
            self._emit_authentication_failed(authenticators[0])
        raise get_adapter().validation_error("incorrect_code")


class TwoFactorAuthenticateForm(UnreadableSecretsRefused, AuthenticateForm):
    pass


class TwoFactorReauthenticateForm(UnreadableSecretsRefused, ReauthenticateForm):
    where = "two-factor confirmation before a sensitive action"
