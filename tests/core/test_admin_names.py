"""The admin refuses in names and titles what the services refuse (core.validators): an
operator's edit cannot put a RIGHT-TO-LEFT OVERRIDE in a partner's name."""

import pytest
from django.contrib import admin
from django.forms import MultiWidget

from consortia.core.admin import ValidatedNamesMixin
from consortia.core.models import ApiToken
from consortia.networks.models import Agreement, Network, Organization, Person

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Acme" + RLO + "latipaC" reads "AcmeCapital"
REFUSED = "Remove the invisible character U+202E RIGHT-TO-LEFT OVERRIDE"


def form_as_shown(page) -> dict:
    """What the browser would post back for an admin page left as it is: the main form and
    every inline formset with their current values."""
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            widget = field.field.widget
            if isinstance(widget, MultiWidget):
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
            elif value is True:
                data[field.html_name] = "on"
            elif value is None or value is False:
                continue
            elif isinstance(value, (list, tuple)):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = str(value)
    return data


def change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def edited_objects(world):
    acme = world.acme
    return [
        (world.member, "name"),
        (acme, "name"),
        (world.network, "name"),
        (Agreement.objects.filter(network=world.network).first(), "title"),
        (ApiToken.objects.create(person=world.member, name="CI", digest="0" * 64), "name"),
    ]


@pytest.mark.parametrize("index", range(5), ids=["person", "org", "network", "agreement", "token"])
def test_an_admin_edit_refuses_a_direction_override_and_changes_nothing(world, admin_client, index):
    obj, field = edited_objects(world)[index]
    before = getattr(obj, field)
    data = form_as_shown(admin_client.get(change_url(obj)))
    data[field] = f"Acme{RLO}latipaC"
    page = admin_client.post(change_url(obj), data)
    assert page.status_code == 200
    assert REFUSED in page.context["adminform"].form.errors[field][0]
    obj.refresh_from_db()
    assert getattr(obj, field) == before


@pytest.mark.parametrize("index", range(5), ids=["person", "org", "network", "agreement", "token"])
def test_an_admin_edit_of_a_plain_name_still_saves(world, admin_client, index):
    obj, field = edited_objects(world)[index]
    data = form_as_shown(admin_client.get(change_url(obj)))
    data[field] = "Zoë Zeta\u200d"  # a joiner is letters' business and stays allowed
    page = admin_client.post(change_url(obj), data)
    assert page.status_code == 302, page.context["adminform"].form.errors
    obj.refresh_from_db()
    assert getattr(obj, field) == "Zoë Zeta\u200d"


def test_adding_a_person_in_the_admin_refuses_a_direction_override(db, admin_client):
    page = admin_client.post(
        "/admin/networks/person/add/",
        {
            "email": "new@example.test",
            "name": f"New{RLO}weN",
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
            "usable_password": "true",
        },
    )
    assert page.status_code == 200
    assert REFUSED in page.context["adminform"].form.errors["name"][0]
    assert not Person.objects.filter(email="new@example.test").exists()


def test_every_admin_of_a_model_with_a_name_or_title_validates_it():
    """A new registration (or inline) of one of our models with a name or title must use the
    mixin, or operators could write what the services refuse."""
    admins = []
    for model, model_admin in admin.site._registry.items():
        if model.__module__.startswith("consortia."):
            admins.append((model, model_admin))
            admins.extend((inline.model, inline) for inline in model_admin.inlines)
    checked = set()
    for model, model_admin in admins:
        names = {f.name for f in model._meta.fields if f.editable} & {"name", "title"}
        if names:
            checked.add(model)
            assert isinstance(model_admin, ValidatedNamesMixin) or (
                isinstance(model_admin, type) and issubclass(model_admin, ValidatedNamesMixin)
            ), f"{model_admin} edits {model.__name__}.{names} without validate_name"
    assert {Person, Organization, Network, Agreement, ApiToken} <= checked
