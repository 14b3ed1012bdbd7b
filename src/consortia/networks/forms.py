"""Forms parse and render input; the services decide what is valid and allowed.

Each form only coerces types (an email, a whole number, a choice) so the page can say what is
wrong before a service is called; the services remain the authority, and their ValidationErrors
come back onto the same form through `add_service_error`.
"""

from django import forms
from django.utils.text import slugify

from consortia.core.forms import ServiceForm
from consortia.core.forms import text_field as _text
from consortia.networks.models import AdmissionVote, Network, Organization, OrgMembership
from consortia.networks.services import network_slug_error

# People -----------------------------------------------------------------------------------


# Organizations ----------------------------------------------------------------------------


class OrganizationForm(ServiceForm):
    name = _text("Organization name", required=True, max_length=150, autocomplete="organization")
    kind = forms.ChoiceField(label="Kind of organization", choices=Organization.Kind.choices)
    description = _text("What the organization does", rows=3)
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    offerings = _text(
        "What it offers partners", rows=3, help_text="Capabilities, assets, expertise."
    )
    needs = _text("What it looks for", rows=3, help_text="Gaps a partner could fill.")
    values = _text("Values and priorities", rows=3)


class OrganizationCreateForm(OrganizationForm):
    department = _text(
        "Your department",
        max_length=100,
        help_text="Where you work inside the organization, e.g. Partnerships.",
    )

    field_order = ["name", "kind", "description", "website", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rest of the profile can wait for the edit page; creating should take a minute.
        for name in ("offerings", "needs", "values"):
            del self.fields[name]


class NewOrganizationForm(ServiceForm):
    """The short version, asked on an invitation page before accepting for the organization."""

    prefix = "org"
    name = _text("Organization name", required=True, max_length=150, autocomplete="organization")
    kind = forms.ChoiceField(label="Kind of organization", choices=Organization.Kind.choices)
    description = _text("What the organization does", rows=2)


class ColleagueInviteForm(ServiceForm):
    email = forms.EmailField(
        label="Colleague's email address", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label="Role",
        choices=OrgMembership.Role.choices,
        initial=OrgMembership.Role.MEMBER,
        help_text="Team leaders act for the organization: they join networks and decide "
        "admissions.",
    )
    department = _text("Department", max_length=100)
    message = _text("Personal message", rows=2)


class OrgMemberForm(ServiceForm):
    role = forms.ChoiceField(label="Role", choices=OrgMembership.Role.choices)
    department = _text("Department", max_length=100)
    votes_for_organization = forms.BooleanField(
        label="Votes for the organization in polls",
        required=False,
        help_text="A delegate casts the organization's one ballot, as a team leader can.",
    )


# Networks ---------------------------------------------------------------------------------


class NetworkFoundForm(ServiceForm):
    name = _text("Network name", required=True, max_length=150)
    slug = forms.CharField(
        label="Web address",
        required=False,
        max_length=60,
        help_text="Letters, digits and hyphens, shown after /n/. Leave empty to derive it "
        "from the name.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    description = _text("What the network is for", rows=3)
    visibility = forms.ChoiceField(
        label="Who can find it",
        choices=Network.Visibility.choices,
        initial=Network.Visibility.LISTED,
        widget=forms.RadioSelect,
    )
    admission_rule = forms.ChoiceField(
        label="Who decides on admissions",
        required=False,
        choices=Network.AdmissionRule.choices,
        initial=Network.AdmissionRule.TEAM_LEADER_APPROVALS,
        widget=forms.RadioSelect,
        help_text="With a vote, every request to join opens a one-week yes/no poll of the "
        "member organizations.",
    )
    approvals_required = forms.IntegerField(
        label="Approvals needed to admit an organization",
        min_value=1,
        max_value=50,
        initial=1,
        help_text="How many member organizations must approve a newcomer. While the network "
        "has fewer members, all of them must approve.",
    )
    charter_title = _text("Charter title", max_length=200, help_text="e.g. “Northwind charter”.")
    charter_text = _text(
        "Charter",
        required=True,
        rows=10,
        help_text="Why you partner and how you work together. Every member organization "
        "accepts it, starting with yours.",
    )

    def clean_admission_rule(self) -> str:
        return (
            self.cleaned_data.get("admission_rule") or Network.AdmissionRule.TEAM_LEADER_APPROVALS
        )

    def clean(self):
        # Every error in one pass: the web address is checked with the other fields, not only
        # once they are all valid (the service checks it again when founding).
        data = super().clean()
        if "slug" in data and "name" in data:
            slug = slugify(data["slug"] or data["name"])[:60]
            if error := network_slug_error(slug):
                self.add_error("slug", error)
        return data


class NetworkInviteForm(ServiceForm):
    email = forms.EmailField(
        label="Email of the person who will answer for the organization",
        help_text="Usually their team leader. The invitation link works once and expires.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    message = _text("Message", rows=3, help_text="Why you think they would be a good partner.")


class ApplyForm(ServiceForm):
    message = _text(
        "Why your organization wants to join",
        rows=4,
        help_text="The member organizations read it before deciding.",
    )
    accept_charter = forms.BooleanField(
        label="We accept the charter on behalf of our organization",
        required=False,
        help_text="You can also accept it later; members need it accepted before acting.",
    )


class AdmissionDecisionForm(ServiceForm):
    decision = forms.ChoiceField(choices=AdmissionVote.Decision.choices, widget=forms.HiddenInput)
    reason = _text("Why you reject", rows=2, help_text="Required. The organization will read it.")


class InvitationAcceptForm(ServiceForm):
    accept_charter = forms.BooleanField(
        label="We also accept the charter on behalf of our organization",
        required=False,
        help_text="Optional now; members need it accepted before acting in the network.",
    )


class DeclineForm(ServiceForm):
    reason = _text("Reason", rows=2, help_text="Optional; the sender will see it.")
