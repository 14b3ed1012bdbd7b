"""Times are shown and entered in the person's time zone, named wherever a time is entered."""

from django.urls import reverse

from consortia.networks import services
from consortia.networks.models import Person
from tests.conftest import fresh


def test_a_person_chooses_a_zone_and_bad_input_changes_nothing(world, as_leader):
    url = reverse("time_zone_settings")
    page = as_leader.get(url)
    assert page.status_code == 200 and "Follow my browser" in page.content.decode()
    response = as_leader.post(url, {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert fresh(world.leader).time_zone == ""
    response = as_leader.post(url, {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert fresh(world.leader).time_zone == "Asia/Tokyo"
    assert "Asia/Tokyo" in as_leader.get(url).content.decode()


def test_the_service_refuses_an_unknown_zone(world):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.person_set_time_zone(actor=world.leader, time_zone="Nowhere/Nothing")
    services.person_set_time_zone(actor=world.leader, time_zone="")
    assert Person.objects.get(pk=world.leader.pk).time_zone == ""


def test_the_person_zone_wins_over_the_browser_zone(world, as_leader):
    as_leader.cookies["tz"] = "America/New_York"
    page = as_leader.get(reverse("time_zone_settings")).content.decode()
    assert "Now: <strong>America/New_York</strong>" in page
    services.person_set_time_zone(actor=world.leader, time_zone="Europe/Berlin")
    page = as_leader.get(reverse("time_zone_settings")).content.decode()
    assert "Now: <strong>Europe/Berlin</strong>" in page
    as_leader.cookies["tz"] = "not a zone"
    services.person_set_time_zone(actor=world.leader, time_zone="")
    page = as_leader.get(reverse("time_zone_settings")).content.decode()
    assert "Now: <strong>UTC</strong>" in page


def test_sign_up_keeps_the_browser_zone(client, db):
    response = client.post(
        reverse("signup"),
        {
            "name": "Zoe Zone",
            "email": "zoe@zone.test",
            "password1": "a long and unusual passphrase 42",
            "time_zone": "Europe/Lisbon",
        },
    )
    assert response.status_code in (200, 302)
    assert Person.objects.get(email="zoe@zone.test").time_zone == "Europe/Lisbon"


def test_sign_up_ignores_a_bad_zone(client, db):
    client.post(
        reverse("signup"),
        {
            "name": "Zed",
            "email": "zed@zone.test",
            "password1": "a long and unusual passphrase 42",
            "time_zone": "<script>",
        },
    )
    assert Person.objects.get(email="zed@zone.test").time_zone == ""
