from consortia.networks.models import NetworkMembership


def test_it_builds_the_personas_world(world):
    statuses = dict(
        NetworkMembership.objects.filter(network=world.network).values_list(
            "organization__name", "status"
        )
    )
    assert statuses == {"Acme Labs": "active", "Beta Works": "active", "Gamma Group": "applied"}
