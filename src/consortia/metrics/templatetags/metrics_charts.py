"""`{% series_chart series unit="t" target=goal.target title="…" %}` draws the rows of
selectors.metric_series as a server-rendered SVG line chart (one line per organization)."""

from django import template

from consortia.metrics import charts

register = template.Library()


@register.inclusion_tag("metrics/includes/line_chart.html")
def series_chart(series, unit="", target=None, title=""):
    return {"chart": charts.series_chart(series, unit=unit, target=target, title=title)}


@register.inclusion_tag("metrics/includes/line_chart.html")
def points_chart(points, label="", unit="", target=None, title=""):
    """A single line from [(date, value), ...]."""
    return {
        "chart": charts.line_chart(
            [{"label": label, "points": points}], unit=unit, target=target, title=title
        )
    }
