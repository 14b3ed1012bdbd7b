"""Forms coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import DependentSelect, ServiceForm, text_field

from .models import Request

DATE = forms.DateInput(attrs={"type": "date"})


class InitiativeForm(ServiceForm):
    title = text_field("Title", required=True, max_length=200)
    objective = text_field(
        "Objective", required=True, rows=3, help_text="What the partners want to achieve together."
    )
    scope = text_field("Scope", rows=3, help_text="What the initiative covers.")
    boundaries = text_field("Boundaries", rows=3, help_text="What is out of scope.")
    challenge_url = forms.URLField(
        label="Challenge it addresses",
        required=False,
        assume_scheme="https",
        help_text="A link to the challenge, if there is one.",
    )
    starts_on = forms.DateField(label="Starts on", widget=DATE)
    ends_on = forms.DateField(
        label="Ends on", widget=DATE, help_text="A leader's term lasts until the end of this day."
    )


class PlanForm(ServiceForm):
    goals = text_field("Goals", required=True, rows=4)
    rules = text_field("Rules of engagement", rows=4)
    boundaries = text_field("Boundaries", rows=3, help_text="What the plan leaves out.")


class PersonChoiceField(forms.ModelChoiceField):
    """A person named with their organization."""

    def label_from_instance(self, obj) -> str:
        membership = getattr(obj, "org_membership", None)
        return f"{obj} ({membership.organization})" if membership else str(obj)


class RequestForm(ServiceForm):
    to_organization = forms.ModelChoiceField(
        label="Ask organization", queryset=None, empty_label="Choose an organization"
    )
    to_person = PersonChoiceField(
        label="Ask a specific person",
        queryset=None,
        required=False,
        empty_label="Its team leaders",
        help_text="Leave empty to ask the organization's team leaders. Only people of the "
        "organization chosen above are listed.",
        widget=DependentSelect(
            on="to_organization", group_of=lambda person: person.org_membership.organization_id
        ),
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=Request.Kind.choices,
        widget=forms.RadioSelect,
        initial=Request.Kind.TASK,
    )
    title = text_field("What do you ask for?", required=True, max_length=200)
    description = text_field("Details", rows=4)
    due_on = forms.DateField(label="Proposed due date", widget=DATE)
    on_behalf_of_initiative = forms.BooleanField(
        label="Send on behalf of the initiative (as its leader)", required=False
    )

    def __init__(self, *args, organizations, people, leader: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations
        self.fields["to_person"].queryset = people
        if not leader:
            del self.fields["on_behalf_of_initiative"]


class ReasonForm(ServiceForm):
    reason = text_field("Reason", rows=2)


class DateReasonForm(ServiceForm):
    due_on = forms.DateField(label="New date", widget=DATE)
    reason = text_field("Reason", rows=2)


CLOSES_AT = {
    "label": "Voting closes",
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
}


class ElectionOpenForm(ServiceForm):
    method = forms.ChoiceField(
        label="Method",
        choices=[
            ("schulze", "Ranked choice (Schulze)"),
            ("consensus", "Consensus on the one nominee"),
        ],
    )
    closes_at = forms.DateTimeField(**CLOSES_AT)


class RecallOpenForm(ServiceForm):
    reason = text_field("Reason", required=True, rows=2, max_length=2000)
    closes_at = forms.DateTimeField(
        **CLOSES_AT, help_text="Two thirds of the participants' votes end the term at the close."
    )


class ExtensionOpenForm(ServiceForm):
    new_end = forms.DateField(label="New end date", widget=DATE)
    closes_at = forms.DateTimeField(
        **CLOSES_AT,
        help_text="A consensus of the participants moves the initiative's end and the "
        "leader's term.",
    )


# The initiative page's vote forms: the form, the id prefix of its fields (three forms share a
# page), and the context name the page shows it under.
POLL_FORMS = {
    "election-open": (ElectionOpenForm, "election-%s", "election_form"),
    "recall-open": (RecallOpenForm, "recall-%s", "recall_form"),
    "extension-open": (ExtensionOpenForm, "extend-%s", "extension_form"),
}
