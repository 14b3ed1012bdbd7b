"""A review as Markdown or PDF (WeasyPrint, from a print template), from its frozen snapshot."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from .models import Review

FORMATS = ("md", "pdf")


def _context(review: Review) -> dict:
    return {
        "review": review,
        "initiative": review.initiative,
        "snapshot": review.snapshot or {},
        "groups": selectors.grouped_entries(review),
        "signoffs": selectors.signoffs_of(review),
        "charts": selectors.series_charts(review.snapshot or {}),
        "metric_charts": selectors.metric_charts(review.snapshot or {}),
        "exported_at": timezone.now(),
    }


def _md_escape(text) -> str:
    text = str(text if text is not None else "")
    for ch in ("\\", "*", "_", "`", "[", "]", "#", "|"):
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split()) if "\n" not in text else text


def markdown(review: Review) -> str:
    c = _context(review)
    snap = c["snapshot"]
    e = _md_escape
    lines = [f"# Review of {e(review.initiative.title)}", ""]
    lines.append(f"- Network: {e(review.initiative.network.name)}")
    lines.append(f"- Scheduled for: {review.scheduled_for:%d %b %Y}")
    lines.append(f"- Status: {review.get_status_display()}")
    if review.held_at:
        period = snap.get("period", {})
        lines.append(f"- Held: {review.held_at:%d %b %Y %H:%M} UTC by {e(review.held_by)}")
        lines.append(f"- Period: {period.get('start')} to {period.get('end')}")
    if snap.get("participants"):
        lines.append(f"- Participants: {', '.join(e(p) for p in snap['participants'])}")
    lines.append("")
    if not review.held_at:
        lines += ["The review has not been held yet.", ""]
        return "\n".join(lines)
    lines += ["## Goals against targets", ""]
    if snap.get("goals"):
        lines += ["| Metric | Baseline | Target | Deadline | Current | Progress | On track |"]
        lines += ["|---|---|---|---|---|---|---|"]
        for g in snap["goals"]:
            progress = "—" if g.get("progress") is None else f"{float(g['progress']):.0%}"
            on_track = {True: "yes", False: "no"}.get(g.get("on_track"), "—")
            lines.append(
                f"| {e(g.get('metric'))} ({e(g.get('unit'))}) | {g.get('baseline')} | "
                f"{g.get('target')} | {g.get('deadline')} | {g.get('current') or '—'} | "
                f"{progress} | {on_track} |"
            )
    else:
        lines.append("No goals in the joint plan yet.")
    lines.append("")
    for chart in c["charts"]:
        lines += [f"### {e(chart['metric'])}", ""]
        for p in chart["rows"]:
            lines.append(f"- {p.get('period')}: {p.get('value')} ({e(p.get('organization'))})")
        lines.append("")
    com = snap.get("commitments", {})
    lines += ["## Commitments in the period", ""]
    for key, label in (
        ("on_time", "Delivered on time"),
        ("late", "Delivered late"),
        ("missed", "Missed"),
        ("overdue", "Overdue"),
    ):
        items = com.get(key, [])
        lines.append(f"**{label}: {len(items)}**")
        lines += [f"- {e(i['title'])} ({e(i['organization'])}, due {i['due_on']})" for i in items]
        lines.append("")
    balance = snap.get("balance")
    lines += ["## Investment and return", ""]
    if balance and balance.get("rows"):
        lines += [f"- {e(r.get('sentence'))}" for r in balance["rows"]]
    else:
        lines.append("Nothing recorded in the period.")
    lines.append("")
    lines += ["## Engagement of the participants", ""]
    for r in snap.get("engagement", []):
        lines.append(
            f"- {e(r['organization'])}: {r['people']} people in {r['departments']} "
            f"departments active in 90 days, {r['depth']} events per person, trust "
            f"{float(r['trust']):.2f}"
        )
    lines.append("")
    for hc in snap.get("health_checks") or []:
        lines += [f"## Health check: {e(hc.get('title'))}", ""]
        sides = hc.get("sides") or []
        lines += ["| Dimension | " + " | ".join(e(s) for s in sides) + " | Gap |"]
        lines += ["|---" * (len(sides) + 2) + "|"]
        for d in hc.get("dimensions") or []:
            cells = " | ".join(str(x.get("score") or "—") for x in d.get("scores") or [])
            lines.append(f"| {e(d.get('label'))} | {cells} | {d.get('gap') or '—'} |")
        lines.append("")
    for group in c["groups"]:
        lines += [f"## {group['label']}", ""]
        if not group["entries"]:
            lines += ["Nothing yet.", ""]
            continue
        for entry in group["entries"]:
            kudos = " and ".join(
                e(k) for k in (entry.kudos_person, entry.kudos_organization) if k is not None
            )
            extra = f" — kudos to {kudos}" if kudos else ""
            if entry.request_id:
                extra += (
                    f" — request to {e(entry.request.to_organization)}, due {entry.request.due_on}"
                )
            lines.append(f"- {e(entry.text)}{extra} ({e(entry.author)}, {e(entry.organization)})")
        lines.append("")
    lines += ["## Sign-off", ""]
    for s in c["signoffs"]:
        signed = s["signoff"]
        lines.append(
            f"- {e(s['organization'])}: "
            + (
                f"signed by {e(signed.person)} on {signed.signed_at:%d %b %Y}"
                + ("" if s["current"] else " (signed before the last changes)")
                if signed
                else "not yet"
            )
        )
    lines.append("")
    return "\n".join(lines)


def pdf(review: Review) -> bytes:
    import weasyprint

    html = render_to_string("reviews/review_print.html", _context(review))
    css = weasyprint.CSS(string=render_to_string("reviews/print.css"))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[css])


def filename(review: Review, fmt: str) -> str:
    return f"review-{review.initiative_id}-{review.scheduled_for:%Y-%m-%d}.{fmt}"
