"""allauth's sign-up and sign-in forms with Consortia's labels and a name."""

from allauth.account.forms import LoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms


class SignUpForm(AllauthSignupForm):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
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

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError("Your name is required.")
        return name


class SignInForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["login"].label = "Email address"
        for name in ("login", "password"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            del self.fields["remember"]
