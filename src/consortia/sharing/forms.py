"""Forms for sharing: they coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import ServiceForm, picker, text_field
from consortia.initiatives.models import Initiative
from consortia.networks.models import NetworkMembership, Organization, Person

from .audience import addressable_initiatives
from .models import COMMENT_MAX_LENGTH, Item

AUDIENCE_HELP = (
    "Who may see it. Nobody outside this audience sees it — not in lists, search, the feed, "
    "notifications or the API."
)
LEVEL_HELP = (
    "Confidential: only organizations that accepted the network NDA or an NDA with yours. "
    "Restricted: only your organization and the people you name."
)


def partner_choices(network, own_org_id):
    return Organization.objects.filter(
        NetworkMembership.active_q(prefix="network_memberships__"),
        network_memberships__network=network,
    ).exclude(pk=own_org_id)


def reader_choices(network, own_org_id):
    members = NetworkMembership.objects.filter(NetworkMembership.active_q(), network=network)
    return (
        (
            Person.objects.filter(
                is_active=True,
                org_membership__organization_id__in=members.values("organization_id"),
            )
            | Person.objects.filter(is_active=True, org_membership__organization_id=own_org_id)
        )
        .select_related("org_membership__organization")
        .distinct()
    )


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """People named with their organization: two people may share a name."""

    def label_from_instance(self, obj) -> str:
        membership = getattr(obj, "org_membership", None)
        return f"{obj} ({membership.organization})" if membership else str(obj)


class AudienceForm(ServiceForm):
    audience = forms.ChoiceField(
        label="Audience",
        choices=Item.Audience.choices,
        widget=forms.RadioSelect,
        initial=Item.Audience.ORGANIZATION,
        help_text=AUDIENCE_HELP,
    )
    partners = forms.ModelMultipleChoiceField(
        label="Partner organizations",
        queryset=Organization.objects.none(),
        required=False,
        widget=picker("Type an organization's name"),
        help_text="For “named partner organizations”: type to search, choose as many as needed.",
    )
    initiative = forms.ModelChoiceField(
        label="Initiative",
        queryset=Initiative.objects.none(),
        required=False,
        help_text="For “participants of an initiative”.",
    )
    level = forms.ChoiceField(
        label="Confidentiality",
        choices=Item.Level.choices,
        widget=forms.RadioSelect,
        initial=Item.Level.OPEN,
        help_text=LEVEL_HELP,
    )
    readers = PersonMultipleChoiceField(
        label="Named readers",
        queryset=Person.objects.none(),
        required=False,
        widget=picker("Type a person's name or organization"),
        help_text="For restricted items: people (within the audience) who may read it. Type to "
        "search, choose as many as needed.",
    )

    def __init__(self, *args, network, organization_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = partner_choices(network, organization_id)
        self.fields["initiative"].queryset = addressable_initiatives(network, organization_id)
        self.fields["readers"].queryset = reader_choices(network, organization_id)

    def audience_data(self) -> dict:
        """The audience as the services take it; choices left over from another audience
        (partners ticked before switching to "the whole network") are ignored."""
        data = self.cleaned_data
        audience, level = data["audience"], data["level"]
        return {
            "audience": audience,
            "level": level,
            "partners": [o.pk for o in data.get("partners") or []]
            if audience == Item.Audience.PARTNERS
            else [],
            "initiative": data["initiative"].pk
            if data.get("initiative") and audience == Item.Audience.INITIATIVE
            else None,
            "readers": [p.pk for p in data.get("readers") or []]
            if level == Item.Level.RESTRICTED
            else [],
        }


class ItemForm(AudienceForm):
    title = text_field("Title", required=True, max_length=200)
    body = text_field(
        "Text", rows=8, help_text="Markdown: **bold**, _italic_, lists, links. Scripts are removed."
    )
    tags = text_field("Tags", max_length=500, help_text="Comma-separated, e.g. logistics, ai.")
    file = forms.FileField(label="File", required=False)

    field_order = ["title", "body", "tags", "file", "audience", "partners", "initiative", "level"]

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != Item.Kind.DOCUMENT:
            del self.fields["file"]
        else:
            self.fields["file"].required = True
            self.fields["body"].label = "Description"
        if kind == Item.Kind.CHALLENGE:
            self.fields["body"].label = "Description"
            self.fields["body"].required = True


class OfferForm(ServiceForm):
    offer = text_field("What you offer", required=True, max_length=5000, rows=3)
    message = text_field("Message", max_length=5000, rows=2)


class CommentForm(ServiceForm):
    body = text_field("Comment", required=True, max_length=COMMENT_MAX_LENGTH, rows=3)


class ResolveForm(ServiceForm):
    outcome = text_field("Outcome", required=True, max_length=10000, rows=3)


class ConvertForm(ServiceForm):
    title = text_field(
        "Initiative title",
        max_length=200,
        help_text="Every member of the network sees the initiative. Leave empty to reuse the "
        "challenge's title (only for challenges open to the whole network).",
    )
    objective = text_field("Objective", rows=3, max_length=10000)
    starts_on = forms.DateField(label="Starts on", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Ends on", widget=forms.DateInput(attrs={"type": "date"}))


class VersionForm(ServiceForm):
    file = forms.FileField(label="New version")


class NdaForm(ServiceForm):
    counterparty = forms.ModelChoiceField(label="Partner organization", queryset=None)
    title = text_field("Title", required=True, max_length=200)
    text = text_field("Text of the NDA", required=True, rows=6, max_length=100000)

    def __init__(self, *args, network, organization_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = partner_choices(network, organization_id)


class NetworkNdaForm(ServiceForm):
    title = text_field("Title", required=True, max_length=150)
    text = text_field("Text of the network NDA", required=True, rows=6, max_length=100000)
    closes_at = forms.DateTimeField(
        label="The poll closes at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Members vote yes or no until then; if it passes, the NDA is published.",
    )


class ItemEditForm(ServiceForm):
    title = text_field("Title", required=True, max_length=200)
    body = text_field("Text", rows=8, help_text="Markdown; scripts are removed.")
    tags = text_field("Tags", max_length=500, help_text="Comma-separated.")
