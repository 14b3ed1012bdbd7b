"""Named call points where apps that core and networks know nothing of plug in.

Two kinds, both filled from an AppConfig.ready():

- person annotations: extra columns loaded with the signed-in person in the one query that
  loads them (session or API token), so a permission check needs no second query —
  ``register_person_annotation("accounts_email_verified", lambda prefix: Exists(...))``;
- listeners: ``listen("person.left_organization", func)`` and ``call(...)`` where it happens
  (an explicit call in a service, not a Django signal, so the order of effects stays readable).
"""

from collections import defaultdict
from collections.abc import Callable

_annotations: dict[str, Callable[[str], object]] = {}
_listeners: dict[str, list[Callable]] = defaultdict(list)

# Hooks in use: person.left_organization(person, organization, actor),
# api_token.used_from(token, address, request), api_token.refused(request).
PERSON_LEFT_ORGANIZATION = "person.left_organization"
API_TOKEN_USED_FROM = "api_token.used_from"  # noqa: S105 - a hook name
API_TOKEN_REFUSED = "api_token.refused"  # noqa: S105 - a hook name
API_TOKEN_CREATED = "api_token.created"  # noqa: S105 - a hook name: (token)
# (person, email): the person opened a single-use link e-mailed to `email` (an invitation), which
# proves the address as well as a verification link does.
ADDRESS_PROVEN = "person.address_proven"
DEMO_PERSON_CREATED = "demo.person_created"  # (person): the demo's people are verified
# (organization_ids, network): what an organization states about itself changed — its profile
# (network=None) or its track record in one network (initiatives it took part in). Called inside
# the service's transaction, so what is derived from it (matching's index) changes with it.
PROFILE_CHANGED = "organization.profile_changed"
# (initiative, person, until, sections): a joint review of `initiative` is being held by `person`;
# a listener may add one JSON-safe entry to the dict `sections` under its own key, frozen into
# the review's snapshot (healthchecks adds "health_checks"). Reviews knows nothing of the apps.
REVIEW_SNAPSHOT = "review.snapshot"
# (person, org_id, since, now, events): a person's private calendar feed is being built; a
# listener appends dicts (uid, summary, start, description, url) for the dates of its app that
# the person's organization may see, filtered in SQL (healthchecks adds sealed checks' deadlines).
CALENDAR_EVENTS = "calendar.events"


def register_person_annotation(name: str, build: Callable[[str], object]) -> None:
    """`build(prefix)` returns an expression over the person reached by `prefix` ("" for the
    person itself, "person__" from a row that points at them)."""
    _annotations[name] = build


def person_annotations(prefix: str = "") -> dict:
    return {name: build(prefix) for name, build in _annotations.items()}


def copy_person_annotations(source, person) -> None:
    """Move annotations loaded on `source` (e.g. an API token row) onto its person."""
    for name in _annotations:
        if hasattr(source, name):
            setattr(person, name, getattr(source, name))


def listen(name: str, func: Callable) -> None:
    if func not in _listeners[name]:
        _listeners[name].append(func)


def call(name: str, **kwargs) -> None:
    for func in list(_listeners[name]):
        func(**kwargs)


def profile_changed(organization_ids, *, network=None) -> None:
    """Tell the listeners of PROFILE_CHANGED that these organizations' profiles changed."""
    ids = [pk for pk in organization_ids if pk]
    if ids:
        call(PROFILE_CHANGED, organization_ids=ids, network=network)
