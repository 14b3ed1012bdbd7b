"""Who may see reviews: people of the initiative's participating organizations.

Everyone else gets 404: outsiders to the network (the initiatives funnel), and active members
whose organization does not take part in the initiative — its reviews are not theirs to know of.
"""

from django.http import Http404

from consortia.initiatives import permissions as initiative_permissions

from .models import Review


def require_viewer(person, initiative) -> None:
    if not initiative_permissions.is_participant(person, initiative):
        raise Http404("No such review")


def get_initiative_for(person, pk: int, *, slug: str | None = None):
    initiative = initiative_permissions.get_initiative_for(person, pk, slug=slug)
    require_viewer(person, initiative)
    return initiative


def get_review_for(person, pk: int, *, initiative_id: int | None = None) -> Review:
    reviews = Review.objects.select_related("initiative__network", "held_by").filter(
        initiative__in=initiative_permissions.initiatives_visible_to(person)
    )
    if initiative_id is not None:
        reviews = reviews.filter(initiative_id=initiative_id)
    review = reviews.filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    require_viewer(person, review.initiative)
    return review
