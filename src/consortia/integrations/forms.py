"""Forms of the integrations pages: they coerce input; the services decide."""

from django import forms

from consortia.core.forms import ServiceForm, text_field

from . import catalog


def _group_choices():
    return [("*", "Everything")] + [
        (f"{group}.*", label) for group, (label, _) in catalog.GROUPS.items()
    ]


class EndpointForm(ServiceForm):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where your system receives the webhooks, e.g. https://crm.example.org/hooks.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    description = text_field("Description", max_length=200, help_text="What receives them.")
    groups = forms.MultipleChoiceField(
        label="Events to receive",
        required=False,
        choices=_group_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Whole groups of events. Your endpoint only ever receives what your "
        "organization may see.",
    )
    specific = text_field(
        "Single event types",
        max_length=2000,
        help_text="Optional, separated by commas or spaces, e.g. poll.closed, request.sent.",
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if networks is not None:
            self.fields = {
                "network": forms.ModelChoiceField(
                    label="Network",
                    queryset=networks,
                    to_field_name="slug",
                    empty_label=None,
                    help_text="Events of this network are sent.",
                ),
                **self.fields,
            }

    @staticmethod
    def initial_for(endpoint) -> dict:
        groups = [t for t in endpoint.event_types if t == "*" or t.endswith(".*")]
        specific = [t for t in endpoint.event_types if t not in groups]
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "groups": groups,
            "specific": ", ".join(specific),
            "enabled": endpoint.enabled,
        }

    def clean(self):
        data = super().clean()
        groups = list(data.get("groups") or [])
        specific = [t for t in (data.get("specific") or "").replace(",", " ").split() if t]
        data["event_types"] = groups + specific
        if not data["event_types"] and "groups" not in self.errors:
            self.add_error("groups", "Choose at least one group or event type.")
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "url": data["url"],
            "description": data.get("description", ""),
            "event_types": data["event_types"],
            "enabled": data.get("enabled", False),
        }

    def add_service_error(self, error) -> None:
        # The service speaks of `event_types`; on this form they are typed under `specific`.
        if hasattr(error, "error_dict") and "event_types" in error.error_dict:
            from django.core.exceptions import ValidationError

            errors = dict(error.error_dict)
            errors["specific"] = errors.pop("event_types")
            error = ValidationError(errors)
        super().add_service_error(error)
