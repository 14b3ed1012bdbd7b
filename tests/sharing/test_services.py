"""Services: sharing, audiences, offers, conversion, comments, versions, NDAs, access log."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from consortia.core.models import Event, Notification
from consortia.initiatives.models import Participation
from consortia.networks.models import AgreementAcceptance
from consortia.sharing import services
from consortia.sharing.audience import readers_of, visible_items
from consortia.sharing.models import AccessLog, Comment, DocumentVersion, Item, Nda, Offer

from .conftest import network_nda, pdf, share, text_file


def test_it_shares_a_post_with_sanitized_markdown_and_tags(world):
    item = share(
        world.leader,
        world.network,
        body="Hi <script>alert(1)</script> **bold** [x](javascript:alert(1)) "
        '<a href="https://ok.test" onclick="evil()">ok</a>',
        tags="Supply Chain, ai ,AI,",
        audience="network",
    )
    assert "<script" not in item.body_html
    assert "onclick" not in item.body_html
    assert "javascript:" not in item.body_html
    assert "<strong>bold</strong>" in item.body_html
    assert 'rel="noopener nofollow"' in item.body_html
    assert item.tags == "supply chain,ai"
    assert item.status == "published"


def test_item_events_are_for_the_owner_organization_only(world):
    share(world.leader, world.network, audience="network", title="Crown jewels")
    events = Event.objects.filter(verb__startswith="post.")
    assert events.count() == 1
    event = events.get()
    assert event.audience == "organization"
    assert event.audience_organization_id == world.acme.pk


def test_sharing_notifies_readers_of_other_organizations_only(world):
    share(world.leader, world.network, audience="network", title="For all")
    notified = set(Notification.objects.values_list("person_id", flat=True))
    assert notified == {world.other_leader.pk, world.other_member.pk}


def test_a_confidential_item_notifies_nobody_without_an_nda(world):
    share(world.leader, world.network, audience="network", level="confidential")
    assert not Notification.objects.exists()


def test_partners_must_be_active_members(world):
    with pytest.raises(ValidationError) as error:
        share(world.leader, world.network, audience="partners", partners=[world.delta.pk])
    assert "active member" in str(error.value)
    with pytest.raises(ValidationError):
        share(world.leader, world.network, audience="partners", partners=[world.gamma.pk])
    assert not Item.objects.exists()


def test_named_readers_must_be_within_the_audience(world):
    with pytest.raises(ValidationError) as error:
        share(
            world.leader,
            world.network,
            audience="organization",
            level="restricted",
            readers=[world.other_member.pk],
        )
    assert "within the audience" in str(error.value)
    item = share(
        world.leader,
        world.network,
        audience="partners",
        partners=[world.beta.pk],
        level="restricted",
        readers=[world.other_member.pk],
    )
    assert set(visible_items(world.other_member)) == {item}
    assert set(visible_items(world.other_leader)) == set()


def test_the_initiative_must_be_of_the_network(world):
    with pytest.raises(ValidationError):
        share(world.leader, world.network, audience="initiative", initiative=999999)


def test_narrowing_the_audience_ends_access_at_once(world):
    item = share(world.leader, world.network, audience="network")
    assert item in visible_items(world.other_member)
    services.item_update_audience(
        actor=world.leader, item=item, audience="organization", level="open"
    )
    assert item not in visible_items(world.other_member)
    assert world.other_member not in readers_of(item)


def test_only_the_author_or_a_team_leader_changes_the_audience(world):
    item = share(world.member, world.network, audience="network")
    with pytest.raises(PermissionDenied):
        services.item_update_audience(
            actor=world.other_leader, item=item, audience="organization", level="open"
        )
    services.item_update_audience(
        actor=world.leader, item=item, audience="organization", level="open"
    )


def test_outsiders_cannot_share(world):
    with pytest.raises(PermissionDenied):
        share(world.outsider, world.network)
    with pytest.raises(PermissionDenied):
        share(world.applicant, world.network)


def test_documents_keep_versions(world):
    item = share(world.leader, world.network, kind="document", audience="network")
    version = services.document_add_version(
        actor=world.leader, item=item, file=text_file(content=b"second")
    )
    assert version.number == 2
    assert version.text == "second"
    assert DocumentVersion.objects.filter(item=item).count() == 2
    assert version.file.name.startswith("documents/")


@pytest.mark.parametrize(
    "upload, message",
    [
        (pdf(content=b"MZ\x90\x00 not a pdf"), "disguised"),
        (pdf(name="evil.exe", content_type="application/octet-stream"), "not accepted"),
        (text_file(content=b"\xff\xfe\x00binary"), "disguised"),
        (pdf(content_type="image/png"), "says it is"),
        (pdf(name="image.png", content_type="image/png"), "disguised"),
    ],
)
def test_disguised_or_unknown_files_are_refused(world, upload, message):
    with pytest.raises(ValidationError) as error:
        share(world.leader, world.network, kind="document", file=upload)
    assert message in str(error.value)
    assert not Item.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_oversized_files_are_refused(world, settings):
    settings.SHARING_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as error:
        share(world.leader, world.network, kind="document")
    assert "larger than the limit" in str(error.value)
    assert not Item.objects.exists()


def test_offers_accept_and_convert_into_an_initiative(world):
    challenge = share(
        world.leader, world.network, kind="challenge", audience="network", title="Castings"
    )
    offer = services.offer_create(actor=world.other_member, item=challenge, offer="Our foundry")
    assert Notification.objects.filter(person=world.member, kind="challenge.offer").exists()
    with pytest.raises(ValidationError):
        services.offer_create(actor=world.other_leader, item=challenge, offer="Again")
    with pytest.raises(ValidationError):
        services.offer_create(actor=world.member, item=challenge, offer="Own org")
    with pytest.raises(PermissionDenied):
        services.offer_accept(actor=world.other_leader, offer=offer)
    services.offer_accept(actor=world.leader, offer=offer)
    assert Offer.objects.get(pk=offer.pk).status == "accepted"
    initiative = services.challenge_convert(
        actor=world.leader, item=challenge, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    assert initiative.title == "Castings"
    assert initiative.status == "proposed"
    participation = Participation.objects.get(initiative=initiative, organization=world.beta)
    assert participation.status == "invited"  # they still have to accept
    challenge.refresh_from_db()
    assert challenge.status == "converted"
    assert challenge.converted_initiative == initiative


def test_offering_on_an_invisible_challenge_is_a_404(world):
    challenge = share(world.leader, world.network, kind="challenge", audience="organization")
    with pytest.raises(Http404):
        services.offer_create(actor=world.other_member, item=challenge, offer="Help")


def test_resolving_a_challenge(world):
    challenge = share(world.member, world.network, kind="challenge", audience="network")
    with pytest.raises(ValidationError):
        services.challenge_resolve(actor=world.member, item=challenge, outcome="  ")
    services.challenge_resolve(actor=world.member, item=challenge, outcome="Solved in-house")
    challenge.refresh_from_db()
    assert challenge.status == "resolved"
    with pytest.raises(ValidationError):
        services.offer_create(actor=world.other_member, item=challenge, offer="Late")


def test_comments_only_on_visible_items_and_notify_readers(world):
    item = share(world.leader, world.network, audience="network")
    Notification.objects.all().delete()
    services.comment_create(actor=world.other_member, item=item, body="Nice <script>x</script>")
    comment = Comment.objects.get()
    assert "<script" not in comment.body_html
    assert set(Notification.objects.values_list("person_id", flat=True)) == {world.leader.pk}
    hidden = share(world.leader, world.network, audience="organization")
    with pytest.raises(Http404):
        services.comment_create(actor=world.other_member, item=hidden, body="Hi")
    assert Comment.objects.count() == 1


def test_bilateral_nda_opens_confidential_items_and_withdrawal_closes_them(world):
    item = share(world.leader, world.network, audience="network", level="confidential")
    assert item not in visible_items(world.other_member)
    nda = services.nda_propose(
        actor=world.leader, network=world.network, counterparty=world.beta, title="NDA", text="t"
    )
    assert item not in visible_items(world.other_member)  # proposed is not accepted
    with pytest.raises(PermissionDenied):
        services.nda_accept(actor=world.leader, nda=nda)
    services.nda_accept(actor=world.other_leader, nda=nda)
    assert item in visible_items(world.other_member)
    services.nda_withdraw(actor=world.other_leader, nda=nda)
    assert item not in visible_items(world.other_member)


def test_a_new_nda_version_supersedes_the_live_one_in_either_direction(world):
    first = services.nda_propose(
        actor=world.leader, network=world.network, counterparty=world.beta, title="A", text="t"
    )
    services.nda_accept(actor=world.other_leader, nda=first)
    second = services.nda_propose(
        actor=world.other_leader,
        network=world.network,
        counterparty=world.acme,
        title="B",
        text="u",
    )
    first.refresh_from_db()
    assert first.status == "superseded"
    assert second.version == 2
    assert Nda.objects.filter(status__in=Nda.LIVE).count() == 1


def test_nda_counterparty_must_be_an_active_member(world):
    with pytest.raises(ValidationError):
        services.nda_propose(
            actor=world.leader, network=world.network, counterparty=world.delta, title="A", text="t"
        )
    with pytest.raises(PermissionDenied):
        services.nda_propose(
            actor=world.member, network=world.network, counterparty=world.beta, title="A", text="t"
        )


def test_network_nda_accept_and_a_new_version(world):
    item = share(world.leader, world.network, audience="network", level="confidential")
    with pytest.raises(ValidationError):
        services.network_nda_accept(actor=world.other_leader, network=world.network)
    network_nda(world.network)
    services.network_nda_accept(actor=world.other_leader, network=world.network)
    assert (
        AgreementAcceptance.objects.filter(organization=world.beta, agreement__kind="nda").count()
        == 1
    )
    assert item in visible_items(world.other_member)
    network_nda(world.network, version=2)
    assert item not in visible_items(world.other_member)  # a new version needs a new yes


def test_adopting_the_network_nda_goes_through_a_poll(world):
    from consortia.decisions.outcomes import get
    from consortia.sharing import outcomes

    assert get("adopt_nda") is not None
    with pytest.raises(ValidationError):
        outcomes.validate(world.network, {"text": " "})

    class Poll:
        network = world.network
        action_payload = {"title": "Our NDA", "text": "Keep it secret."}
        created_by = world.leader

    outcomes.apply(Poll, {"passed": True})
    assert services.current_network_nda(world.network).version == 1
    outcomes.apply(Poll, {"passed": False})
    assert services.current_network_nda(world.network).version == 1


def test_access_to_confidential_items_is_logged(world):
    item = share(world.leader, world.network, audience="network", level="confidential")
    assert services.access_log(person=world.member, item=item, action="view") is not None
    open_item = share(world.leader, world.network, audience="network")
    assert services.access_log(person=world.member, item=open_item, action="view") is None
    assert AccessLog.objects.count() == 1


def test_the_demo_loads_once(world):
    from consortia.sharing import demo

    demo.load(world.network, [world.leader, world.other_leader])
    assert Item.objects.count() == 4
    demo.load(world.network, [world.leader, world.other_leader])
    assert Item.objects.count() == 4
    secret = Item.objects.get(level="confidential")
    assert secret in visible_items(world.other_member)


def test_proposing_a_network_nda_opens_a_poll_that_publishes_it(world):
    from datetime import timedelta

    from django.utils import timezone

    poll = services.network_nda_propose(
        actor=world.leader,
        network=world.network,
        title="Alliance NDA",
        text="We keep shared data confidential.",
        closes_at=timezone.now() + timedelta(days=7),
    )
    assert poll.action == "adopt_nda"
    assert poll.action_payload["text"] == "We keep shared data confidential."
    with pytest.raises(PermissionDenied):
        services.network_nda_propose(
            actor=world.member,
            network=world.network,
            title="x",
            text="y",
            closes_at=timezone.now() + timedelta(days=7),
        )


def test_converting_a_narrow_challenge_never_copies_its_words_to_the_network(world):
    challenge = share(
        world.leader,
        world.network,
        kind="challenge",
        audience="partners",
        partners=[world.beta.pk],
        title="Secret castings",
        body="Our confidential numbers",
    )
    with pytest.raises(ValidationError):
        services.challenge_convert(
            actor=world.leader,
            item=challenge,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
        )
    initiative = services.challenge_convert(
        actor=world.leader,
        item=challenge,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        title="Castings initiative",
        objective="Joint sourcing",
    )
    assert "Secret" not in initiative.title and initiative.challenge_url == ""
    assert not Event.objects.filter(audience="network", summary__contains="Secret").exists()


def test_the_database_refuses_two_live_ndas_for_one_pair_in_either_direction(world):
    from django.db import IntegrityError, transaction

    Nda.objects.create(
        network=world.network, proposer=world.acme, counterparty=world.beta, title="A", text="t"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Nda.objects.create(
            network=world.network, proposer=world.beta, counterparty=world.acme, title="B", text="t"
        )
