"""ServiceForm renders its selects in Python (core.forms.FastSelectMixin): the same bytes as
Django's own templates, for every shape of choice a form here uses."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from consortia.core.forms import DependentSelect, Select, SelectMultiple, ServiceForm, picker
from consortia.networks.models import Organization

CHOICES = [
    ("", "— choose —"),
    ("a", "Plain"),
    ("b&c", 'Needs <escaping> & "quotes"'),
    (3, 3),
    ("Group", [("g1", "In a group"), ("g2", mark_safe("<b>safe</b>"))]),
]


def django_html(widget_class, name, value, attrs=None, choices=CHOICES, **kwargs):
    return widget_class(attrs=attrs, choices=choices, **kwargs).render(name, value)


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, None),
        ("a", {"id": "id_x", "required": True, "disabled": False}),
        ("b&c", {"class": "wide", "data-x": 'a"b'}),
        ("g2", {"aria-describedby": "help"}),
        (3, {}),
    ],
)
def test_a_select_renders_as_djangos_templates(value, attrs):
    assert Select(attrs=attrs, choices=CHOICES).render("x", value) == django_html(
        forms.Select, "x", value, attrs
    )


def test_a_multiple_select_renders_as_djangos_templates():
    value = ["a", "g1", 3]
    attrs = {"data-picker": "multi", "size": 6}
    assert SelectMultiple(attrs=attrs, choices=CHOICES).render("m", value) == django_html(
        forms.SelectMultiple, "m", value, attrs
    )


class Form(ServiceForm):
    organization = forms.ModelChoiceField(queryset=None, required=True, empty_label="Choose")
    organizations = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=picker("Organizations")
    )
    kind = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")])
    custom = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organization", "organizations"):
            self.fields[name].queryset = Organization.objects.order_by("name")


@pytest.mark.django_db
def test_every_plain_select_of_a_service_form_renders_fast_and_the_same():
    for n in range(3):
        Organization.objects.create(name=f"Org <{n}> & co", slug=f"org-{n}")
    chosen = Organization.objects.order_by("name").first()
    form = Form(data={"organization": str(chosen.pk), "organizations": [str(chosen.pk)]})
    form.is_valid()
    assert isinstance(form.fields["organization"].widget, Select)
    assert isinstance(form.fields["organizations"].widget, SelectMultiple)
    assert isinstance(form.fields["kind"].widget, Select)
    assert type(form.fields["custom"].widget) is forms.RadioSelect  # left alone

    class Plain(forms.Form):  # what Django alone renders for the same fields
        organization = forms.ModelChoiceField(
            queryset=Organization.objects.order_by("name"), required=True, empty_label="Choose"
        )
        organizations = forms.ModelMultipleChoiceField(
            queryset=Organization.objects.order_by("name"),
            required=False,
            widget=forms.SelectMultiple(
                attrs={"data-picker": "multi", "data-placeholder": "Organizations", "size": 6}
            ),
        )
        kind = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")])

    plain = Plain(data=form.data)
    plain.is_valid()
    for name in ("organization", "organizations", "kind"):
        assert str(form[name]) == str(plain[name]), name
    assert "Org &lt;0&gt; &amp; co" in str(form["organization"])
    assert f'value="{chosen.pk}" selected' in str(form["organization"])


def test_a_dependent_select_keeps_its_data_attributes():
    widget = DependentSelect(on="organization", group_of=lambda instance: instance)
    widget.choices = [("", "—"), ("p", "Person")]
    html = widget.render("person", "p")
    assert 'data-depends-on="organization"' in html and 'value="p" selected' in html
