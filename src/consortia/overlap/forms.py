"""Forms of overlap discovery: they coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import ServiceForm, text_field
from consortia.networks.models import NetworkMembership, Organization

from .models import FIELD_CHOICES, Level, Population

LEVEL_HELP = (
    "Hidden: never compared. Counts only: the partner learns how many accounts you have in "
    "common, not which. Overlapping records: the partner learns which of its own accounts are "
    "also in this list, with the fields you choose — only with an accepted NDA between you "
    "(otherwise counts only)."
)


def partner_choices(network, own_org_id):
    return (
        Organization.objects.filter(
            NetworkMembership.active_q(prefix="network_memberships__"),
            network_memberships__network=network,
        )
        .exclude(pk=own_org_id)
        .order_by("name")
    )


class LevelFields(ServiceForm):
    level = forms.ChoiceField(
        label="Sharing level", choices=Level.choices, initial=Level.COUNTS, help_text=LEVEL_HELP
    )
    fields = forms.MultipleChoiceField(
        label="Fields shared at record level",
        choices=FIELD_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The CSV's columns the partner sees for each account you have in common.",
    )


class PopulationForm(LevelFields):
    name = text_field("Name", required=True, max_length=80, placeholder="Customers")
    kind = forms.ChoiceField(label="Kind", choices=Population.Kind.choices)
    field_order = ["name", "kind", "level", "fields"]


class OverrideForm(ServiceForm):
    partner = forms.ModelChoiceField(label="Partner", queryset=Organization.objects.none())
    level = forms.ChoiceField(
        label="Level for this partner",
        choices=[("", "Use the default"), *Level.choices],
        required=False,
    )
    fields = forms.MultipleChoiceField(
        label="Fields for this partner",
        choices=FIELD_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, network, own_org_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(network, own_org_id)


class ProposeForm(ServiceForm):
    counterparty = forms.ModelChoiceField(
        label="Partner organization", queryset=Organization.objects.none()
    )
    result_days = forms.IntegerField(
        label="Results expire after (days)",
        min_value=1,
        max_value=365,
        initial=30,
        help_text="The matrix and the received records are deleted after this many days.",
    )
    runs_per_day = forms.IntegerField(
        label="Runs a day at most",
        min_value=1,
        max_value=20,
        initial=3,
        help_text="Every run is in a log you both see; few runs limit probing with guessed keys.",
    )
    message = text_field("Message", max_length=500, rows=2)

    def __init__(self, *args, network, own_org_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = partner_choices(network, own_org_id)


class PopulationsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class RunStartForm(ServiceForm):
    partner = forms.ModelChoiceField(label="Partner", queryset=Organization.objects.none())
    populations = PopulationsField(label="Your populations to compare", choices=())

    def __init__(self, *args, partners, populations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["populations"].choices = [(p.pk, p.name) for p in populations]


class JoinForm(ServiceForm):
    populations = PopulationsField(label="Your populations to compare", choices=())

    def __init__(self, *args, populations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["populations"].choices = [(p.pk, p.name) for p in populations]


class RestrictedForm(ServiceForm):
    accounts = text_field(
        "Accounts to add",
        rows=4,
        help_text="One domain, e-mail address or registration number a line. Your browser "
        "normalizes and hashes them; the server stores only the digests.",
    )
    digests = forms.CharField(required=False, widget=forms.HiddenInput)
    replace = forms.BooleanField(label="Replace the whole list (empty: clear it)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("accounts") and not data.get("digests"):
            raise forms.ValidationError(
                "Your browser must hash the accounts before they are sent: turn JavaScript on."
            )
        return data
