"""Forms coerce input; the services decide what is allowed."""

from django import forms

from consortia.core.forms import ServiceForm, text_field

from .models import Measurement, Metric

DATE = forms.DateInput(attrs={"type": "date"})
MAX_UPLOAD = 200 * 1024 * 1024


class MetricForm(ServiceForm):
    name = text_field("Name", required=True, max_length=120)
    description = text_field("What it measures and how", rows=3)
    unit = text_field("Unit", required=True, max_length=30, help_text="e.g. EUR, t CO2e, %, people")
    direction = forms.ChoiceField(
        label="Better is", choices=Metric.Direction.choices, widget=forms.RadioSelect,
        initial=Metric.Direction.HIGHER,
    )  # fmt: skip
    aggregation = forms.ChoiceField(
        label="Partners' values combine by",
        choices=Metric.Aggregation.choices,
        initial=Metric.Aggregation.SUM,
        help_text="Sum: add the partners' values. Mean: average them. Last value: each partner "
        "reports its latest figure (e.g. headcount), which are added.",
    )
    cadence = forms.ChoiceField(label="Cadence", choices=Metric.Cadence.choices, initial="monthly")
    non_negative = forms.BooleanField(
        label="Never negative",
        required=False,
        help_text="A count or an amount: values below zero are refused, in forms, CSV files "
        "and the API.",
    )
    scope = forms.ChoiceField(
        label="Who keeps it",
        widget=forms.RadioSelect,
        initial=Metric.Scope.NETWORK,
        choices=[
            (Metric.Scope.NETWORK, "The network: propose it as a standard metric (members vote)"),
            (Metric.Scope.ORGANIZATION, "My organization only (private)"),
            (Metric.Scope.INITIATIVE, "One initiative we take part in (private to it)"),
        ],
    )
    initiative = forms.ModelChoiceField(
        label="Initiative", queryset=None, required=False, empty_label="Choose an initiative"
    )

    def __init__(self, *args, initiatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = initiatives


class MeasurementForm(ServiceForm):
    metric = forms.ModelChoiceField(label="Metric", queryset=None, empty_label="Choose a metric")
    period = forms.CharField(
        label="Period",
        max_length=10,
        help_text="A date in the period (2026-03-15), a month (2026-03), a quarter (2026-Q1) or "
        "a week (2026-W11).",
    )
    value = forms.CharField(label="Value", max_length=40)
    initiative = forms.ModelChoiceField(
        label="For an initiative", queryset=None, required=False, empty_label="No initiative"
    )
    visibility = forms.ChoiceField(
        label="Who may see it",
        choices=Measurement.Visibility.choices,
        initial=Measurement.Visibility.NETWORK,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, metrics, initiatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = metrics
        self.fields["initiative"].queryset = initiatives


class UploadForm(ServiceForm):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with a header row: metric, organization, period, value, and optionally "
        "initiative, visibility, unit.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                "The file is larger than 200 MB: split it into smaller files, or ask your "
                "operator to import it from the command line."
            )
        return upload


class GoalForm(ServiceForm):
    metric = forms.ModelChoiceField(label="Metric", queryset=None, empty_label="Choose a metric")
    baseline = forms.CharField(label="Baseline", max_length=40, help_text="Where you start.")
    target = forms.CharField(label="Target", max_length=40, help_text="Where you want to be.")
    deadline = forms.DateField(label="Deadline", widget=DATE)
    note = text_field("Note", max_length=300)

    def __init__(self, *args, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = metrics
