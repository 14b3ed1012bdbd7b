"""Form helpers shared by every app: forms coerce input, services stay the authority."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name.
    return "".join(
        f" {conditional_escape(localize(name))}"
        if value is True
        else f' {conditional_escape(localize(name))}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelectMixin:
    """Renders a <select> in Python, to the byte what Django's select.html and
    select_option.html give (tests/core/test_fast_select.py compares them), without a template
    per option: a list of a network's 1,000 organizations took 150 to 400 ms to render through
    the templates, about 5 ms this way. ServiceForm gives every plain Select and SelectMultiple
    this rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(localize(widget["name"]))}"']
        out.append(_attrs(widget["attrs"]) + ">")
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
            for option in group_choices:
                out.append(
                    f'\n  <option value="{escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(localize(option['label']))}"
                    "</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


class Select(FastSelectMixin, forms.Select):
    pass


class SelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


FAST = {forms.Select: Select, forms.SelectMultiple: SelectMultiple}


def _fast_widget(widget):
    """The same widget with FastSelectMixin's rendering, for a plain Select or SelectMultiple
    (subclasses with their own templates are left alone)."""
    fast = FAST.get(type(widget))
    if fast is None:
        return widget
    copy = fast(attrs=widget.attrs, choices=())
    copy.choices = widget.choices
    copy.is_required = widget.is_required
    copy.is_localized = widget.is_localized
    return copy


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
            field.widget = _fast_widget(field.widget)

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


class DependentSelect(FastSelectMixin, forms.Select):
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
    return SelectMultiple(
        attrs={"data-picker": "multi", "data-placeholder": placeholder, "size": 6, **attrs}
    )
