"""Forms for polls: they coerce input; services.py stays the authority on the rules."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from consortia.core.forms import ServiceForm, text_field
from consortia.decisions import outcomes
from consortia.decisions.models import Poll
from consortia.networks.models import Network

ACTIONS = [
    ("", "Nothing: just record the decision"),
    ("remove", "Remove a member organization"),
    ("amend_charter", "Amend the charter"),
    ("admission_rule", "Change how organizations are admitted"),
]


def _in_a_week():
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


class PollCreateForm(ServiceForm):
    title = text_field("Question", required=True, max_length=200)
    description = text_field("Context", rows=4, help_text="What is at stake, and why now.")
    kind = forms.ChoiceField(label="Kind of poll", choices=Poll.Kind.choices, initial="yes_no")
    method = forms.ChoiceField(
        label="Counting method (ranked choice)",
        choices=Poll.Method.choices,
        required=False,
        initial="schulze",
    )
    options = text_field(
        "Options", rows=4, help_text="Approval, ranked and score polls: one option per line."
    )
    threshold = text_field(
        "Threshold",
        max_length=20,
        help_text="Yes/no: majority (default), two-thirds or unanimity. Consensus: share of "
        "agreement needed, default 0.75.",
    )
    seats = forms.IntegerField(label="Winners", min_value=1, max_value=49, initial=1)
    quorum = forms.DecimalField(
        label="Quorum",
        min_value=0,
        max_value=1,
        decimal_places=3,
        initial=0,
        required=False,
        help_text="Share of the member organizations that must vote, from 0 to 1.",
    )
    closes_at = forms.DateTimeField(
        label="Closes at",
        initial=_in_a_week,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    close_when_all_voted = forms.BooleanField(
        label="Close as soon as every member organization has voted",
        required=False,
        help_text="The closing time above is then the latest; the outcome applies at once.",
    )
    secret = forms.BooleanField(
        label="Secret ballot (cannot be undone)",
        required=False,
        help_text="Nobody, not even the operators, can tell how an organization voted.",
    )
    hide_results_until_close = forms.BooleanField(
        label="Hide results until the close", required=False
    )
    action = forms.ChoiceField(label="When it passes", choices=ACTIONS, required=False)
    member = forms.TypedChoiceField(
        label="Member to remove",
        required=False,
        help_text="Removal only.",
        coerce=int,
        empty_value=None,
        choices=[],
    )
    reason = text_field(
        "Reason for the removal",
        rows=3,
        help_text="Removal only. The organization reads it; it keeps its own data.",
    )
    notice_days = forms.IntegerField(
        label="Notice period (days)",
        required=False,
        min_value=0,
        max_value=90,
        initial=outcomes.REMOVAL_NOTICE_DAYS,
        help_text="Removal only. The organization stays a member this long after the vote.",
    )
    charter_text = text_field(
        "Amended charter",
        rows=8,
        help_text="Amendment only: the full new text. Every member accepts it before acting again.",
    )

    admission_rule = forms.ChoiceField(
        label="Admit new organizations by",
        required=False,
        choices=[("", "—"), *Network.AdmissionRule.choices],
        help_text="Admission change only.",
    )
    approvals_required = forms.IntegerField(
        label="Approvals needed",
        required=False,
        min_value=1,
        max_value=50,
        help_text="Admission change to approvals only: how many member organizations approve.",
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "—")] + [(m.pk, str(m.organization)) for m in members]

    def clean_closes_at(self):
        value = self.cleaned_data["closes_at"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_current_timezone())
        return value

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        action = data.get("action") or ""
        payload = {}
        if action == "remove":
            if not data.get("member"):
                raise ValidationError({"member": "Choose the member organization."})
            notice = data.get("notice_days")
            payload = {
                "membership": data["member"],
                "reason": data.get("reason", ""),
                "notice_days": outcomes.REMOVAL_NOTICE_DAYS if notice is None else notice,
            }
        elif action == "amend_charter":
            payload = {"text": data.get("charter_text", "")}
        elif action == "admission_rule":
            payload = {"rule": data.get("admission_rule") or ""}
            if data.get("approvals_required") is not None:
                payload["approvals_required"] = data["approvals_required"]
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "kind": data["kind"],
            "method": data.get("method") or "",
            "options": [line for line in (data.get("options") or "").splitlines()],
            "threshold": data.get("threshold", ""),
            "seats": data.get("seats") or 1,
            "quorum": data.get("quorum") or 0,
            "closes_at": data["closes_at"],
            "secret": data.get("secret", False),
            "hide_results_until_close": data.get("hide_results_until_close", False),
            "close_when_all_voted": data.get("close_when_all_voted", False),
            "action": action,
            "action_payload": payload,
        }


class OutcomeForm(ServiceForm):
    statement = text_field("What was decided", rows=3, required=True)
    review_on = forms.DateField(
        label="Review on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def choice_from_post(poll: Poll, options, data) -> object:
    """The ballot a posted form describes, in the service's format (it validates the rest).

    Ranked: a number per option (1 = first; equal numbers tie; blank = not ranked), which the
    drag-and-drop list fills in for people using a mouse or a touch screen."""
    if poll.kind in (Poll.Kind.CONSENSUS, Poll.Kind.YES_NO):
        return data.get("choice", "")
    if poll.kind == Poll.Kind.APPROVAL:
        return data.getlist("approve")
    if poll.kind == Poll.Kind.SCORE:
        scores = {}
        for option in options:
            raw = (data.get(f"score-{option.pk}") or "").strip()
            if raw:
                try:
                    scores[option.label] = int(raw)
                except ValueError:
                    raise ValidationError(
                        {"scores": f"Scores are whole numbers; “{option}” got {raw!r}."}
                    ) from None
        return scores
    ranks: dict[int, list[str]] = {}
    for option in options:
        raw = (data.get(f"rank-{option.pk}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {"ranking": f"Ranks are whole numbers from 1; “{option}” got {raw!r}."}
            )
        ranks.setdefault(int(raw), []).append(option.label)
    return [group[0] if len(group) == 1 else group for _, group in sorted(ranks.items())]
