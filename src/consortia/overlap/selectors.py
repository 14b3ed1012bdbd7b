"""Every read of overlap discovery; visibility is a SQL filter (permissions.py)."""

from __future__ import annotations

from django.db.models import Prefetch

from . import permissions
from .models import Partnership, Population, PopulationOverride, Run, RunSide


def populations_of(org_id):
    return Population.objects.filter(organization_id=org_id).prefetch_related(
        Prefetch("overrides", queryset=PopulationOverride.objects.select_related("partner"))
    )


def partnerships_for(person, network):
    return (
        permissions.partnerships_of(person, network)
        .select_related("proposer", "counterparty", "proposed_by", "stopped_by")
        .order_by("-created_at", "-id")
    )


def accepted_partners(person, network):
    """The organizations the person's organization may run comparisons with now."""
    from consortia.networks.models import Organization

    org_id = permissions.own_org_id(person)
    live = permissions.partnerships_of(person, network).filter(status=Partnership.Status.ACCEPTED)
    ids = {p for pair in live.values_list("proposer_id", "counterparty_id") for p in pair}
    ids.discard(org_id)
    return Organization.objects.filter(pk__in=ids).order_by("name")


def runs_for(person, network, limit: int | None = 50):
    """The log: every run of the person's organization's partnerships, newest first."""
    queryset = (
        permissions.runs_of(person, network)
        .select_related(
            "initiator", "started_by", "partnership__proposer", "partnership__counterparty"
        )
        .prefetch_related(
            Prefetch(
                "sides",
                queryset=RunSide.objects.select_related("organization", "person").defer(
                    "sealed_result"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )
    return queryset[:limit] if limit else queryset


def waiting_for(person, network):
    """What waits for the person's organization in `network` (for a dashboard): proposals its
    team leaders may answer, and runs a partner started that it has not joined yet."""
    org_id = permissions.own_org_id(person)
    proposals = (
        permissions.partnerships_of(person, network)
        .filter(status=Partnership.Status.PROPOSED, counterparty_id=org_id)
        .select_related("proposer")
    )
    runs = (
        permissions.runs_of(person, network)
        .filter(
            status__in=Run.ACTIVE,
            sides__organization_id=org_id,
            sides__joined_at__isnull=True,
        )
        .select_related("initiator")
    )
    return {"proposals": proposals, "runs": runs}


def describe_run(run: Run, own_org_id: int) -> dict:
    """A run as one side sees it: both sides, their populations and levels, what this side
    receives, and the matrix with names (rows: own populations)."""
    sides = list(run.sides.all())
    own = next(s for s in sides if s.organization_id == own_org_id)
    other = next(s for s in sides if s.organization_id != own_org_id)
    names = {p["id"]: p["name"] for side in sides for p in side.populations}
    cells = {}
    for cell in run.matrix or []:
        a, b = cell["a"], cell["b"]
        if run.initiator_id == own_org_id:
            cells[(a, b)] = cell["count"]
        else:
            cells[(b, a)] = cell["count"]
    matrix = None
    if run.matrix:
        matrix = {
            "columns": [p["name"] for p in other.populations],
            "rows": [
                {
                    "name": p["name"],
                    "cells": [cells.get((p["id"], q["id"]), 0) for q in other.populations],
                }
                for p in own.populations
            ],
        }
    receives = [p for p in other.populations if p["level"] == "records"]
    gives = [p for p in own.populations if p["level"] == "records"]
    return {
        "run": run,
        "own": own,
        "other": other,
        "names": names,
        "matrix": matrix,
        "receives_records": receives,
        "gives_records": gives,
    }


def side_done(run: Run, own: RunSide, other: RunSide) -> bool:
    """Whether this side has nothing left to do in the run."""
    if own.opened_at is not None:
        return True
    receives = any(p["level"] == "records" for p in other.populations)
    return own.doubled_at is not None and (run.status == Run.Status.COMPLETE or not receives)


def side_state(run: Run, side: RunSide) -> str:
    if run.status not in Run.ACTIVE:
        return run.get_status_display()
    if side.joined_at is None:
        return "choosing populations"
    if side.blinded_at is None:
        return "reading its lists"
    if side.doubled_at is None:
        return "blinded; waiting to double-blind"
    if side.opened_at is None and run.status == Run.Status.MATCHED:
        return "counted; opening records"
    return "done"
