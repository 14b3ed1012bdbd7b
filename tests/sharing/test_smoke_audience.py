from consortia.sharing.audience import readers_of, visible_items

from .conftest import network_nda, share


def test_it_filters_by_audience_and_level(world):
    post = share(world.leader, world.network, audience="network")
    secret = share(world.leader, world.network, audience="network", level="confidential")
    own = share(world.leader, world.network, audience="organization")
    assert set(visible_items(world.other_member)) == {post}
    assert set(visible_items(world.member)) == {post, secret, own}
    assert set(visible_items(world.applicant)) == set()
    assert set(visible_items(world.outsider)) == set()
    network_nda(world.network, world.beta)
    assert set(visible_items(world.other_member)) == {post, secret}
    assert set(readers_of(secret)) == {
        world.leader,
        world.member,
        world.other_leader,
        world.other_member,
    }
