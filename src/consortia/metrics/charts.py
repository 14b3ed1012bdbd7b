"""Server-rendered SVG charts: plain geometry computed here, drawn by templates.

`line_chart(lines)` takes lines of `(date, value)` points and returns what
`metrics/includes/line_chart.html` draws: polylines in a 600x220 viewBox, axis ticks, a legend
and a table fallback. `bar_chart(bars)` does the same for horizontal bars (comparisons).
Reviews and other pages can reuse both: ``{% include "metrics/includes/line_chart.html" with
chart=chart %}``, or ``{% load metrics_charts %}{% series_chart series unit="t" %}`` with the
list returned by selectors.metric_series.
"""

from datetime import date
from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
COLORS = ["#3b6fd8", "#d8753b", "#2f9e6e", "#9c4dc4", "#c43b5c", "#6b7280", "#b08900", "#0e7c86"]


def _fmt(value) -> str:
    value = Decimal(value)
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{float(value):,.2f}"


def line_chart(
    lines, *, unit: str = "", target=None, title: str = "", compact: bool = False
) -> dict:
    """lines: [{"label": str, "points": [(date, Decimal), ...]}]; target: an optional
    horizontal line (a goal's target). compact: a sparkline for dashboards (no dots, no
    table of values; the metric's own page has them)."""
    lines = [line for line in lines if line["points"]]
    dates = sorted({d for line in lines for d, _ in line["points"]})
    values = [Decimal(v) for line in lines for _, v in line["points"]]
    if target is not None:
        values.append(Decimal(target))
    chart = {
        "title": title,
        "unit": unit,
        "width": WIDTH,
        "height": HEIGHT,
        "empty": not dates,
        "lines": [],
        "y_ticks": [],
        "x_ticks": [],
        "target": None,
        "dates": dates,
        "compact": compact,
    }
    if not dates:
        return chart
    low, high = min([*values, Decimal(0)]), max(values)
    if high == low:
        high = low + 1
    span_x = max(1, (dates[-1] - dates[0]).days)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d: date) -> float:
        if len(dates) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (d - dates[0]).days / span_x

    def y(v) -> float:
        return TOP + plot_h * float((high - Decimal(v)) / (high - low))

    for i, line in enumerate(lines):
        points = sorted(line["points"])
        chart["lines"].append(
            {
                "label": line["label"],
                "color": COLORS[i % len(COLORS)],
                "points": " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points),
                "dots": [
                    {"x": round(x(d), 1), "y": round(y(v), 1), "date": d, "value": _fmt(v)}
                    for d, v in points
                ],
                "values": {d: _fmt(v) for d, v in points},
            }
        )
    for k in range(5):
        v = low + (high - low) * k / 4
        chart["y_ticks"].append({"y": round(y(v), 1), "label": _fmt(round(v, 2))})
    step = max(1, len(dates) // 6)
    chart["x_ticks"] = [{"x": round(x(d), 1), "label": d.strftime("%b %y")} for d in dates[::step]]
    if target is not None:
        chart["target"] = {"y": round(y(target), 1), "label": _fmt(target)}
    chart["table"] = [
        {"date": d, "cells": [line["values"].get(d, "—") for line in chart["lines"]]} for d in dates
    ]
    chart["left"], chart["right"] = LEFT, WIDTH - RIGHT
    chart["top"], chart["bottom"] = TOP, HEIGHT - BOTTOM
    chart["svg"] = _svg(chart)
    return chart


def _svg(chart) -> str:
    """The <svg> element, built here rather than in template loops: dashboards draw many."""
    left, right, bottom = chart["left"], chart["right"], chart["bottom"]
    label = chart["title"] or "Line chart"
    if chart["unit"]:
        label += f" in {chart['unit']}"
    if not chart["compact"]:
        label += ": the table below lists the same values"
    parts = [
        f'<svg class="metric-chart__svg" viewBox="0 0 {chart["width"]} {chart["height"]}" '
        f'role="img" aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
    ]
    for t in chart["y_ticks"]:
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{t["y"]}" y2="{t["y"]}" stroke="#e5e7eb" '
            f'stroke-width="1"></line><text x="{left - 6}" y="{t["y"]}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="11" fill="#4b5563">{escape(t["label"])}</text>'
        )
    for t in chart["x_ticks"]:
        parts.append(
            f'<text x="{t["x"]}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
            f'fill="#4b5563">{escape(t["label"])}</text>'
        )
    target = chart["target"]
    if target:
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{target["y"]}" y2="{target["y"]}" '
            f'stroke="#2f9e6e" stroke-width="1.5" stroke-dasharray="6 4"></line>'
            f'<text x="{right}" y="{target["y"] - 4}" text-anchor="end" font-size="11" '
            f'fill="#2f6e4e">target {escape(target["label"])}</text>'
        )
    for line in chart["lines"]:
        color = line["color"]
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" '
            f'points="{line["points"]}"></polyline>'
        )
        if not chart["compact"]:
            name = escape(line["label"])
            for d in line["dots"]:
                parts.append(
                    f'<circle cx="{d["x"]}" cy="{d["y"]}" r="3" fill="{color}"><title>{name} '
                    f"{d['date']:%b %Y}: {escape(d['value'])}</title></circle>"
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def series_chart(series, *, unit: str = "", target=None, title: str = "") -> dict:
    """A line per organization from selectors.metric_series rows."""
    by_org: dict[str, list] = {}
    for row in series:
        by_org.setdefault(row["organization"], []).append((row["period"], row["value"]))
    lines = [{"label": org, "points": points} for org, points in by_org.items()]
    return line_chart(lines, unit=unit, target=target, title=title)


def bar_chart(bars, *, unit: str = "") -> dict:
    """bars: [{"label": str, "value": Decimal, "mine": bool}] → widths in percent."""
    high = max((abs(Decimal(b["value"])) for b in bars), default=Decimal(0)) or Decimal(1)
    return {
        "unit": unit,
        "bars": [
            {**b, "width": float(abs(Decimal(b["value"])) / high * 100), "text": _fmt(b["value"])}
            for b in bars
        ],
    }
