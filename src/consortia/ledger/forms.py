"""Forms coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import ServiceForm, text_field

from .models import LedgerEntry

DATE = forms.DateInput(attrs={"type": "date"})


class EntryForm(ServiceForm):
    direction = forms.ChoiceField(
        label="This is", choices=LedgerEntry.Direction.choices, widget=forms.RadioSelect,
        initial=LedgerEntry.Direction.INVESTMENT,
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="Of", choices=LedgerEntry.Kind.choices, widget=forms.RadioSelect,
        initial=LedgerEntry.Kind.MONEY,
    )  # fmt: skip
    amount = forms.CharField(label="Amount (money)", required=False, max_length=30)
    hours = forms.CharField(label="Hours", required=False, max_length=30)
    stated_value = forms.CharField(label="Stated value (in kind)", required=False, max_length=30)
    currency = forms.CharField(
        label="Currency", required=False, max_length=3, help_text="ISO 4217, e.g. EUR"
    )
    date = forms.DateField(label="Date", widget=DATE)
    note = text_field("Note", max_length=500)


class SettingsForm(ServiceForm):
    currency = forms.CharField(label="Currency", max_length=3)
    threshold_pct = forms.CharField(
        label="Fairness threshold (percentage points)",
        max_length=10,
        help_text="Flag a partner whose share of the returns differs from its share of the "
        "investment by more than this.",
    )
    hour_rate = forms.CharField(
        label="Value of one hour",
        max_length=20,
        help_text="Hours count in the balance at this rate (when they are entered).",
    )
