"""Forms coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import ServiceForm, text_field
from consortia.initiatives.models import Participation
from consortia.networks.models import Organization, Person

from .models import Cadence, ReviewEntry

DATE = forms.DateInput(attrs={"type": "date"})


class ScheduleForm(ServiceForm):
    cadence = forms.ChoiceField(label="Cadence", choices=Cadence.choices)
    first_on = forms.DateField(label="First review on", widget=DATE)


class ReviewAddForm(ServiceForm):
    scheduled_for = forms.DateField(label="Review on", widget=DATE)


def _participant_orgs(initiative):
    return Organization.objects.filter(
        pk__in=Participation.objects.filter(
            initiative=initiative, status=Participation.Status.ACTIVE
        ).values("organization_id")
    ).order_by("name")


class EntryForm(ServiceForm):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[c for c in ReviewEntry.Kind.choices if c[0] != ReviewEntry.Kind.ACTION],
    )
    text = text_field("What you want to say", required=True, rows=3, max_length=5000)
    kudos_person = forms.ModelChoiceField(
        label="Kudos to a person", queryset=None, required=False, empty_label="Nobody"
    )
    kudos_organization = forms.ModelChoiceField(
        label="Kudos to an organization", queryset=None, required=False, empty_label="None"
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = _participant_orgs(initiative)
        self.fields["kudos_organization"].queryset = orgs
        self.fields["kudos_person"].queryset = Person.objects.filter(
            org_membership__organization__in=orgs
        ).order_by("name")


class ActionForm(ServiceForm):
    to_organization = forms.ModelChoiceField(
        label="Ask organization", queryset=None, empty_label="Choose an organization"
    )
    title = text_field("Action", required=True, max_length=200)
    due_on = forms.DateField(label="Due on", widget=DATE)

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = _participant_orgs(initiative)
