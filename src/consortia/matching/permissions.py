"""Who may ask "who could help?" in a network: people of its active member organizations.

Everyone else — outsiders, applicants, organizations that left or were removed, people without
an organization — gets 404, on every page, API operation and CLI command: the members of a
network and what they state about themselves are for its members.
"""

from django.http import Http404

from consortia.networks import permissions as network_permissions


def get_network_for(person, slug: str):
    network = network_permissions.get_network_for(person, slug)
    membership = network_permissions.membership_of(person, network)
    if membership is None or not membership.is_active:
        raise Http404("No such network")
    return network
