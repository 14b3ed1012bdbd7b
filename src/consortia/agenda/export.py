"""The agenda as one Markdown document: the page, `GET /api/v1/agenda/export` and
`consortia agenda export --as EMAIL` all write it. Only the organization's own people get it."""

from __future__ import annotations

from django.utils import timezone

from . import selectors, services
from .models import SECTIONS


def _block(text: str) -> str:
    return text.strip() if text and text.strip() else "_(not written yet)_"


def _cell(text) -> str:
    return str(text if text not in (None, "") else "—").replace("|", "\\|").replace("\n", " ")


def agenda_markdown(organization) -> str:
    agenda = services.agenda_of(organization)
    criteria = selectors.criteria_of(organization)
    prospects = selectors.prioritized(organization, criteria)
    out = [f"# Partnering agenda — {organization.name}", ""]
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    if agenda.version:
        who = agenda.updated_by.name if agenda.updated_by else "a former colleague"
        out.append(
            f"Version {agenda.version}, saved by {who} on "
            f"{timezone.localtime(agenda.updated_at):%Y-%m-%d %H:%M}. Exported {stamp}. "
            "Private to the organization."
        )
    else:
        out.append(f"Not written yet. Exported {stamp}. Private to the organization.")
    out.append("")
    for name, label, question in SECTIONS:
        out += [f"## {label}", "", f"> {question}", "", _block(getattr(agenda, name)), ""]
    capacity = agenda.partner_capacity
    out += ["## Partner capacity", "", "—" if capacity is None else f"{capacity} partners", ""]
    warning = selectors.capacity_warning(agenda, organization)
    if warning:
        out += [f"**Warning:** {warning}", ""]
    out += ["## Selection criteria", ""]
    if criteria:
        out += [
            "| criterion | group | weight | 0 | 1 | 2 | 3 | 4 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in criteria:
            out.append(
                f"| {_cell(c.name)} | {c.get_group_display()} | {c.weight} | "
                + " | ".join(_cell(a) for a in c.anchors)
                + " |"
            )
    else:
        out.append("_(no criteria yet)_")
    out += ["", "## Prospects, best first", ""]
    if not prospects:
        out.append("_(no prospects yet)_")
    for n, p in enumerate(prospects, 1):
        out += [
            f"### {n}. {p.name}",
            "",
            f"- Stage: {p.get_stage_display()}"
            + (f" ({p.stage_reason})" if p.stage_reason else ""),
            f"- Weighted total: {p.total} / 100 (scored {p.scored} of {p.criteria_count} criteria)",
            f"- Owner: {p.owner.name if p.owner else '—'}",
            f"- Next step: {p.next_step or '—'}"
            + (f" by {p.next_step_on:%Y-%m-%d}" if p.next_step_on else ""),
        ]
        if p.website:
            out.append(f"- Website: {p.website}")
        card = selectors.scorecard(p, criteria)
        scored = [r for r in card["rows"] if r["score"]]
        if scored:
            out += ["", "| criterion | score | evidence |", "|---|---|---|"]
            for r in scored:
                s, c = r["score"], r["criterion"]
                evidence = "; ".join(
                    x for x in (s.note, s.link, s.document.title if s.document else "") if x
                )
                anchor = _cell(c.anchor(s.value))
                out.append(f"| {_cell(c.name)} | {s.value} ({anchor}) | {_cell(evidence)} |")
        checks = selectors.checks_of(p)
        if checks:
            out += ["", "Due diligence:", ""]
            for check in checks:
                mark = "x" if not check.is_open else " "
                who = (
                    f" — {check.checked_by.name if check.checked_by else 'someone'}, "
                    f"{timezone.localtime(check.checked_at):%Y-%m-%d}"
                    if check.checked_at
                    else ""
                )
                required = " (required)" if check.required else ""
                evidence = f": {check.evidence}" if check.evidence else ""
                out.append(
                    f"- [{mark}] {check.title}{required} — {check.get_status_display()}"
                    f"{evidence}{who}"
                )
        if p.has_memo:
            out += ["", "Decision memo:", ""]
            out += [f"- Context: {p.memo_context or '—'}", f"- Options: {p.memo_options or '—'}"]
            for i, risk in enumerate(p.memo_risks, 1):
                out.append(f"- Risk {i}: {risk}")
            out.append(f"- Recommendation: {p.memo_recommendation or '—'}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
