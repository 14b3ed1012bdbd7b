"""Forms of the agenda pages: they coerce input; the services decide what is valid."""

from django import forms

from consortia.core.forms import ServiceForm, text_field

from .models import SECTIONS, Criterion, DiligenceCheck, Stage

DATE = forms.DateInput(attrs={"type": "date"})


def _people_field(people, *, required=False, label="Owner"):
    return forms.ModelChoiceField(
        label=label,
        queryset=people,
        required=required,
        empty_label="Nobody yet",
        error_messages={"invalid_choice": "Choose a person of your organization."},
    )


class AgendaForm(ServiceForm):
    partner_capacity = forms.IntegerField(
        label="How many partners can we work with?",
        required=False,
        min_value=0,
        max_value=10000,
        help_text="A number. The agenda warns when more prospects are in the partnering stage.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capacity = self.fields.pop("partner_capacity")
        for name, label, question in SECTIONS:
            self.fields[name] = text_field(label, rows=4, help_text=question, max_length=20000)
        self.fields["partner_capacity"] = capacity

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class CriterionForm(ServiceForm):
    name = text_field(
        "Criterion", required=True, max_length=100, placeholder="Complementary products"
    )
    group = forms.ChoiceField(label="Group", choices=Criterion.Group.choices)
    weight = forms.CharField(
        label="Weight",
        max_length=20,
        help_text="A positive number: how much this criterion counts against the others.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the agenda page also has the prospect form, with a `name` field.
        kwargs.setdefault("auto_id", "criterion_%s")
        super().__init__(*args, **kwargs)
        examples = ["unknown", "weak", "partial", "good", "fully complementary"]
        for step in range(5):
            self.fields[f"scale_{step}"] = text_field(
                f"{step} means", required=True, max_length=120, placeholder=examples[step]
            )

    @staticmethod
    def initial_for(criterion) -> dict:
        initial = {"name": criterion.name, "group": criterion.group, "weight": criterion.weight}
        initial.update({f"scale_{n}": words for n, words in enumerate(criterion.anchors)})
        return initial

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "group": data["group"],
            "weight": data["weight"],
            "scale": [data[f"scale_{n}"] for n in range(5)],
        }


class ProspectAddForm(ServiceForm):
    partner = forms.ModelChoiceField(
        label="An organization of your networks",
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label="— an organization outside your networks —",
        error_messages={"invalid_choice": "Choose an organization of one of your networks."},
    )
    name = text_field(
        "Or its name", max_length=150, help_text="For an organization outside your networks."
    )
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    next_step = text_field("Next step", max_length=300)
    next_step_on = forms.DateField(label="Next step by", required=False, widget=DATE)

    def __init__(self, *args, candidates=None, people=None, **kwargs):
        kwargs.setdefault("auto_id", "prospect_%s")
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = candidates
        self.fields["owner"] = _people_field(people)
        self.order_fields(["partner", "name", "website", "owner", "next_step", "next_step_on"])

    def clean(self):
        data = super().clean()
        if not data.get("partner") and not data.get("name") and "partner" not in self.errors:
            self.add_error("name", "Choose an organization of your networks, or give a name.")
        return data


class ProspectEditForm(ServiceForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    next_step = text_field("Next step", max_length=300)
    next_step_on = forms.DateField(label="Next step by", required=False, widget=DATE)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _people_field(people)
        self.order_fields(["owner", "next_step", "next_step_on", "website"])


class StageForm(ServiceForm):
    prefix = "stage"
    stage = forms.ChoiceField(label="Move to", choices=Stage.choices)
    reason = text_field(
        "Reason", rows=2, max_length=2000, help_text="Needed to decline or park a prospect."
    )
    override_reason = text_field(
        "Override: why move on with required due diligence open",
        rows=2,
        max_length=2000,
        help_text="Team leaders only. Kept with the move.",
    )


class ScoreForm(ServiceForm):
    value = forms.IntegerField(
        label="Score", error_messages={"invalid": "Give a score from 0 to 4."}
    )
    note = text_field("Evidence: a note", rows=2, max_length=5000)
    link = forms.CharField(label="Evidence: a link", required=False, max_length=500)
    document = forms.ModelChoiceField(
        label="Evidence: one of your shared documents",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose one of your organization's own documents."},
    )

    def __init__(self, *args, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class CheckForm(ServiceForm):
    status = forms.ChoiceField(label="Status", choices=DiligenceCheck.Status.choices)
    evidence = text_field("Evidence", rows=2, max_length=5000)


class MemoForm(ServiceForm):
    prefix = "memo"
    context = text_field("Context", rows=3, max_length=5000, help_text="Why we are deciding now.")
    options = text_field("Options", rows=3, max_length=5000, help_text="What we could do.")
    risk_1 = text_field("Top risk 1", max_length=300)
    risk_2 = text_field("Top risk 2", max_length=300)
    risk_3 = text_field("Top risk 3", max_length=300)
    recommendation = text_field("Recommendation", rows=3, max_length=5000)

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "context": d["context"],
            "options": d["options"],
            "risks": [d["risk_1"], d["risk_2"], d["risk_3"]],
            "recommendation": d["recommendation"],
        }

    def add_service_error(self, error) -> None:
        super().add_service_error(error)


class InviteForm(ServiceForm):
    prefix = "invite"
    network = forms.ModelChoiceField(
        label="Network",
        queryset=None,
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your networks."},
    )
    email = forms.EmailField(
        label="Email of the person who answers for it",
        help_text="They receive an ordinary invitation to the network; they still have to accept.",
    )
    message = text_field("Personal message", rows=2, max_length=2000)

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class ProposeForm(ServiceForm):
    prefix = "propose"
    network = forms.ModelChoiceField(
        label="Network",
        queryset=None,
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your networks."},
    )
    title = text_field("Initiative", required=True, max_length=200)
    objective = text_field("Objective", required=True, rows=2, max_length=5000)
    starts_on = forms.DateField(label="Starts on", widget=DATE)
    ends_on = forms.DateField(label="Ends on", widget=DATE)

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class TemplateItemForm(ServiceForm):
    prefix = "template"
    title = text_field("Item", required=True, max_length=150)
    description = text_field("What to check", max_length=500)
    required = forms.BooleanField(label="Required before approaching", required=False, initial=True)
