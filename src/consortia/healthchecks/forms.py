"""Forms coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import ServiceForm, text_field
from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import NetworkMembership, Organization, OrgMembership, Person

from .models import DIMENSIONS

SCORES = [(n, str(n)) for n in range(1, 6)]


class OpenForm(ServiceForm):
    partner = forms.ModelChoiceField(
        label="With partner",
        queryset=None,
        required=False,
        empty_label="Choose an organization",
        help_text="A two-sided check of your partnership with one member organization…",
    )
    initiative = forms.ModelChoiceField(
        label="Or among the participants of",
        queryset=None,
        required=False,
        empty_label="No initiative",
        help_text="…or every participating organization of an initiative.",
    )
    deadline = forms.DateTimeField(
        label="Answers by",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Answers stay sealed until every side answered or this moment passes.",
    )
    title = text_field("Title", max_length=200)

    def __init__(self, *args, network, person, **kwargs):
        super().__init__(*args, **kwargs)
        org_id = person.organization.pk if person.organization else None
        self.fields["partner"].queryset = (
            Organization.objects.filter(
                network_memberships__in=NetworkMembership.objects.filter(
                    NetworkMembership.active_q(), network=network
                )
            )
            .exclude(pk=org_id)
            .order_by("name")
        )
        self.fields["initiative"].queryset = Initiative.objects.filter(
            network=network,
            status__in=(Initiative.Status.PROPOSED, Initiative.Status.ACTIVE),
            pk__in=Participation.objects.filter(
                organization_id=org_id, status=Participation.Status.ACTIVE
            ).values("initiative_id"),
        ).order_by("title")


class AnswerForm(ServiceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, question in DIMENSIONS:
            self.fields[key] = forms.TypedChoiceField(
                label=label,
                help_text=question + " 1 = poor, 5 = excellent.",
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Rate {label.lower()} from 1 to 5.",
                    "invalid_choice": "The score must be between 1 and 5.",
                },
            )
            self.fields[f"{key}_comment"] = text_field(
                f"Comment on {label.lower()}", max_length=2000, rows=2
            )

    def pairs(self):
        """(score field, comment field) per dimension, for the template."""
        return [(self[key], self[f"{key}_comment"]) for key, _l, _q in DIMENSIONS]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scores": {key: data[key] for key, _l, _q in DIMENSIONS},
            "comments": {key: data.get(f"{key}_comment", "") for key, _l, _q in DIMENSIONS},
        }


class InviteForm(ServiceForm):
    person = forms.ModelChoiceField(
        label="Colleague", queryset=None, empty_label="Choose a colleague"
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            org_membership__organization=organization,
            org_membership__role=OrgMembership.Role.MEMBER,
        ).order_by("name")


class ActionForm(ServiceForm):
    to_organization = forms.ModelChoiceField(
        label="Who does it", queryset=None, empty_label="Choose an organization"
    )
    title = text_field("Action", required=True, max_length=200)
    due_on = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))
    initiative = forms.ModelChoiceField(
        label="In the initiative",
        queryset=None,
        required=False,
        empty_label="Choose an initiative",
        help_text="The request is sent in an initiative both organizations can see.",
    )

    def __init__(self, *args, check, initiatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = Organization.objects.filter(
            pk__in=check.sides.values("organization_id")
        ).order_by("name")
        self.fields["initiative"].queryset = initiatives
        if check.initiative_id:
            del self.fields["initiative"]
