"""Form helpers shared by every app: forms coerce input, services stay the authority."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone


class ServiceForm(forms.Form):
    """A form whose errors can also come from a service."""

    label_suffix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Times are entered in the person's zone (core.timezones): every time field names it.
        zone = timezone.get_current_timezone_name()
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField) and zone not in str(field.label or ""):
                field.label = f"{field.label} ({zone})"

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the form: known keys on their fields, the rest on
        top of the form, so nothing the service said gets lost."""
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                messages = [m for e in errors for m in e.messages]
                field = key if key in self.fields else None
                if key == NON_FIELD_ERRORS:
                    field = None
                for message in messages:
                    self._add(field, message)
        else:
            for message in error.messages:
                self._add(None, message)

    def _add(self, field: str | None, message: str) -> None:
        # add_error() removes the field from cleaned_data; it needs cleaned_data to exist.
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        self.add_error(field, message)


def text_field(label, *, required=False, max_length=None, help_text="", rows=None, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
        strip=True,
    )


class DependentSelect(forms.Select):
    """A <select> whose options each belong to a value of another field of the form (a person
    to an organization). static/js/pickers.js shows only the options of the value chosen there;
    without script every option stays, labelled, and the service checks the pair."""

    def __init__(self, *, on: str, group_of, attrs=None):
        super().__init__(attrs={**(attrs or {}), "data-depends-on": on})
        self.group_of = group_of

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-depends-value"] = str(self.group_of(instance))
        return option


def picker(placeholder: str, **attrs) -> forms.SelectMultiple:
    """A searchable, keyboard-accessible multi-select (the vendored tom-select, started by
    static/js/pickers.js); without script, the native list."""
    return forms.SelectMultiple(
        attrs={"data-picker": "multi", "data-placeholder": placeholder, "size": 6, **attrs}
    )
