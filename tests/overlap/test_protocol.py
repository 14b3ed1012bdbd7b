"""The intersection is Python's set intersection, and each side receives exactly what the other
side's level allows: counts always, records only at record level with an NDA between them."""

import os

import pysodium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortia.overlap import protocol, services
from consortia.overlap.models import Blob, Partnership
from consortia.sharing.models import Nda
from tests.conftest import fresh

from .conftest import run_between

EXAMPLES = int(os.environ.get("OVERLAP_EXAMPLES", "8"))
UNIVERSE = range(70)
LEVELS = st.sampled_from(["counts", "records"])
FIELDS = st.lists(st.sampled_from(["name", "owner", "stage"]), unique=True)


def records_of(numbers, side):
    return {
        f"k{n}.example": {"name": f"{side} {n}", "owner": f"owner {n}", "stage": f"stage {n % 3}"}
        for n in numbers
    }


def expected_records(mine, theirs, fields):
    return {f"d:{key}": {f: theirs[key][f] for f in fields} for key in set(mine) & set(theirs)}


@pytest.mark.django_db
@pytest.mark.parametrize("with_nda", [True, False], ids=["nda", "no-nda"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    a_set=st.sets(st.sampled_from(UNIVERSE), min_size=20, max_size=40),
    b_set=st.sets(st.sampled_from(UNIVERSE), min_size=20, max_size=40),
    a_level=LEVELS,
    b_level=LEVELS,
    a_fields=FIELDS,
    b_fields=FIELDS,
)
def test_it_finds_exactly_the_intersection_and_gives_each_side_what_the_levels_allow(
    pair, with_nda, a_set, b_set, a_level, b_level, a_fields, b_fields
):
    world = pair.world
    if not with_nda:
        Nda.objects.update(status=Nda.Status.WITHDRAWN)
    Partnership.objects.update(runs_per_day=10_000)
    a_pop = services.population_update(
        actor=fresh(world.leader), population=pair.acme_pop, level=a_level, fields=a_fields
    )
    b_pop = services.population_update(
        actor=fresh(world.other_leader), population=pair.beta_pop, level=b_level, fields=b_fields
    )
    a_records, b_records = records_of(a_set, "A"), records_of(b_set, "B")

    run, a, _, got_a, got_b = run_between(world, a_records, b_records, a_pop, b_pop)

    assert run.status == "complete"
    assert run.matrix == [{"a": a_pop.pk, "b": b_pop.pk, "count": len(a_set & b_set)}]
    assert not Blob.objects.filter(run=run).exists()  # nothing relayed is kept
    # Acme receives records only if Beta shares them and an NDA binds the two.
    if b_level == "records" and with_nda:
        assert {r["key"]: r["fields"] for r in got_a} == expected_records(
            a_records, b_records, b_fields
        )
    else:
        assert got_a is None
    if a_level == "records" and with_nda:
        assert {r["key"]: r["fields"] for r in got_b} == expected_records(
            b_records, a_records, a_fields
        )
    else:
        assert got_b is None
    sides = {s.organization_id: s for s in run.sides.all()}
    assert bool(sides[world.acme.pk].sealed_result) == (got_a is not None)
    assert bool(sides[world.beta.pk].sealed_result) == (got_b is not None)
    # What each side stored can be opened only with the key it kept.
    if got_a is not None:
        opened = protocol.open_result(a.key, bytes(sides[world.acme.pk].sealed_result))
        assert len(opened["records"]) == len(got_a)
        with pytest.raises(protocol.ProtocolError):
            protocol.open_result(bytes(32), bytes(sides[world.acme.pk].sealed_result))


def test_the_protocol_alone_matches_set_intersection_for_several_populations():
    left = protocol.Party("r1")
    right = protocol.Party("r1")
    sets = {
        "a1": {f"d:{n}.example": {} for n in range(0, 60)},
        "a2": {f"d:{n}.example": {} for n in range(50, 90)},
        "b1": {f"d:{n}.example": {} for n in range(30, 70)},
        "b2": {f"r:{n}": {} for n in range(5)},
    }
    up = {name: left.blind(name, sets[name], share_fields=None)[0] for name in ("a1", "a2")}
    down = {name: right.blind(name, sets[name], share_fields=None)[0] for name in ("b1", "b2")}
    counts = protocol.matrix(
        {n: right.double_blind(b) for n, b in up.items()},
        {n: left.double_blind(b) for n, b in down.items()},
    )
    for (p, q), count in counts.items():
        assert count == len(set(sets[p]) & set(sets[q]))


def test_values_of_one_run_say_nothing_about_another():
    first, second = protocol.Party("run-1"), protocol.Party("run-2")
    keys = {f"d:{n}.example": {} for n in range(30)}
    assert not set(protocol.split(first.blind("p", keys, share_fields=None)[0])) & set(
        protocol.split(second.blind("p", keys, share_fields=None)[0])
    )
    # Fresh secrets for every run, even with the same run id.
    again = protocol.Party("run-1")
    assert first.match != again.match and first.record != again.record


def test_malformed_partner_values_are_refused():
    party = protocol.Party("r")
    with pytest.raises(protocol.ProtocolError):
        party.double_blind(b"\xff" * 32)
    with pytest.raises(protocol.ProtocolError):
        party.double_blind(b"\x00" * 31)
    with pytest.raises(protocol.ProtocolError):
        party.double_blind(bytes(32))  # u = 0, a point of small order


@settings(max_examples=25, deadline=None)
@given(st.text(), st.binary(min_size=32, max_size=32))
def test_the_ladder_exponentiates_in_the_ristretto255_group(key, scalar):
    """X25519 on u = s² computes ristretto255's exponentiation: raising in libsodium's
    ristretto255 and then blinding with the ladder gives what the ladder gives alone."""
    element = protocol.hash_to_ristretto(b"t", key)
    k = (protocol._clamped(scalar) % protocol.ORDER).to_bytes(32, "little")
    raised = pysodium.crypto_scalarmult_ristretto255(k, element)
    blind = protocol._multiplier(protocol.new_scalar())
    assert blind(protocol.montgomery(raised)) == blind(
        protocol._multiplier(scalar)(protocol.montgomery(element))
    )


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_the_opening_scalar_undoes_the_matching_scalar_when_it_has_a_clamped_form(scalar):
    point = protocol.hash_to_group(b"t", "d:example.com")
    other = protocol._multiplier(protocol.new_scalar())(point)
    undo = protocol.inverse(scalar)
    if undo is None:
        assert protocol._clamped(scalar) % protocol.ORDER  # no clamped form, not a zero scalar
        return
    twice = protocol._multiplier(scalar)(other)
    assert protocol._multiplier(undo)(twice) == other
    assert protocol.inverse(protocol.new_invertible_scalar()) is not None


def test_the_server_tells_canonical_coordinates_from_others():
    good = protocol.hash_to_group(b"t", "d:a.example")
    assert protocol.all_canonical(good * 3) and protocol.all_canonical(b"")
    assert protocol.all_canonical(good + (protocol.FIELD - 1).to_bytes(32, "little"))
    assert not protocol.all_canonical(good + protocol.FIELD.to_bytes(32, "little"))
    assert not protocol.all_canonical(good + b"\xff" * 32)
    assert not protocol.all_canonical(good[:31])
