"""Held joint reviews the organization has not signed off yet (core.waiting). Registered by
ReviewsConfig.ready()."""

from django.db.models import Exists, OuterRef, Subquery

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.initiatives import permissions as initiative_permissions
from consortia.initiatives.models import Participation
from consortia.networks.permissions import org_id_of

from .models import Review, ReviewSignoff
from .services import review_url


def reviews_to_sign(person, now):
    """Reviews held in initiatives the organization takes part in, without its sign-off;
    oldest first. Signing needs reading: the action is a link to the review."""
    org_id = org_id_of(person)
    if org_id is None:
        return [], 0
    mine = Participation.objects.filter(
        initiative_id=OuterRef("initiative_id"),
        organization_id=org_id,
        status=Participation.Status.ACTIVE,
    )
    rows, count = waiting.capped(
        Review.objects.filter(
            status=Review.Status.HELD,
            initiative__in=initiative_permissions.initiatives_visible_to(person),
        )
        .filter(Exists(mine))
        .filter(
            ~Exists(ReviewSignoff.objects.filter(review=OuterRef("pk"), organization_id=org_id))
        )
        .annotate(named_team_leader_id=Subquery(mine.values("team_leader_id")[:1]))
        .select_related("initiative__network")
        .order_by("scheduled_for", "pk")
    )
    membership = person.membership
    items = []
    for r in rows:
        url = review_url(r)
        may_sign = membership.votes_in_polls or r.named_team_leader_id == person.pk
        items.append(
            Item(
                key=f"review-{r.pk}",
                title=f"Joint review of “{r.initiative}”",
                url=url,
                detail=f"Held {r.held_at:%d %b %Y}; your organization has not signed it off",
                network=r.initiative.network.name,
                due=r.scheduled_for,
                due_label="scheduled for",
                note="" if may_sign else "Your team leader signs off",
                actions=[Action("Read and sign off", url, method="get")] if may_sign else [],
            )
        )
    return items, count


def register() -> None:
    waiting.register("reviews", "Reviews to sign off", reviews_to_sign, order=70)
