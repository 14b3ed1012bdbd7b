"""What every page of a network shows around its content: the viewer's relation, the sections.

Every app's network pages build their context with `network_page_context(request, network, tab)`
and render `networks/includes/network_header.html`, which draws the sections listed here. An app
that adds a section appends one `Section` to `SECTIONS` (in its `AppConfig.ready` or here), so
the navigation is defined once and every page shows the same one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from consortia.networks import permissions
from consortia.networks.models import NetworkMembership


@dataclass(frozen=True)
class Section:
    """One entry of a network's navigation: shown to active members unless `public`."""

    key: str
    label: str
    url_name: str
    group: str
    # Other tab keys that highlight this entry (a page below it, e.g. the access log under NDAs).
    also: tuple[str, ...] = ()
    # Shown to every viewer who may open the network (overview, charter), not only to members.
    public: bool = False


# Groups in the order they are shown; a newcomer scans four words, not seventeen links.
GROUPS = ("Network", "Share", "Work together", "Measure")

SECTIONS: list[Section] = [
    Section("overview", "Overview", "network_detail", "Network", public=True),
    Section("members", "Members", "network_members", "Network"),
    Section("activity", "Activity", "network_activity", "Network"),
    Section("charter", "Charter", "network_charter", "Network", public=True),
    Section("feed", "Feed", "sharing_feed", "Share"),
    Section("challenges", "Challenges", "sharing_challenge_list", "Share"),
    Section("posts", "Posts", "sharing_post_list", "Share"),
    Section("documents", "Documents", "sharing_document_list", "Share"),
    Section("search", "Search", "sharing_search", "Share"),
    Section("ndas", "NDAs", "sharing_ndas", "Share", also=("access_log",)),
    Section("initiatives", "Initiatives", "initiative_list", "Work together"),
    Section("decisions", "Decisions", "poll_list", "Work together"),
    Section("metrics", "Metrics", "metrics_dashboard", "Measure"),
    Section("ledger", "Ledger", "ledger_network", "Measure"),
    Section("health", "Health", "network_health", "Measure"),
]


def register_section(section: Section) -> None:
    """Add an app's section to every network page's navigation (idempotent by key)."""
    if section.group not in GROUPS:
        raise ValueError(f"unknown section group {section.group!r}; use one of {GROUPS}")
    if all(existing.key != section.key for existing in SECTIONS):
        SECTIONS.append(section)


def network_sections(network, *, tab: str, is_active: bool) -> list[dict]:
    """The navigation for one viewer: groups of links, the current one marked."""
    groups: dict[str, list[dict]] = {group: [] for group in GROUPS}
    for section in SECTIONS:
        if not (section.public or is_active):
            continue
        groups[section.group].append(
            {
                "key": section.key,
                "label": section.label,
                "url": reverse(section.url_name, args=[network.slug]),
                "current": tab == section.key or tab in section.also,
            }
        )
    return [{"label": group, "links": links} for group, links in groups.items() if links]


def network_page_context(request, network, tab: str, **extra) -> dict:
    """What every network page needs: the viewer's relation to the network and its sections.

    Keys: `network`, `membership` (the viewer's organization's, or None), `is_active`,
    `is_pending`, `charter`, `charter_accepted`, `can_act` (may act as a member now),
    `is_team_leader`, `tab`, `sections` (the navigation); `extra` is merged on top.
    """
    person = request.user
    membership = permissions.membership_of(person, network)
    status = membership.status if membership else None
    is_active = membership is not None and membership.is_active
    is_pending = status in NetworkMembership.PENDING
    charter_accepted = False
    if is_active or is_pending:
        charter_accepted = permissions.has_accepted_charter(membership.organization_id, network)
    return {
        "network": network,
        "membership": membership,
        "is_active": is_active,
        "is_pending": is_pending,
        "charter": permissions.current_charter(network),
        "charter_accepted": charter_accepted,
        "can_act": is_active and permissions.can_act(person, network),
        "is_team_leader": person.is_team_leader,
        "tab": tab,
        # Why the person may not see inside the network now (two-factor it requires), with
        # the page that puts it right; the header says so on every network page.
        "lock_reason": permissions.lock_reason(person, network) if is_active else None,
        "sections": network_sections(network, tab=tab, is_active=is_active),
        **extra,
    }
