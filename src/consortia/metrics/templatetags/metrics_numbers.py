"""Numbers with the precision of their unit: money to the cent, counts whole, percentages and
hours to a tenth, anything else to two decimals (trailing zeros dropped)."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

CURRENCIES = {"eur", "usd", "gbp", "chf", "jpy", "sek", "nok", "dkk", "pln", "€", "$", "£"}
COUNTS = {
    "n", "#", "count", "people", "persons", "person", "pcs", "pieces", "items", "units",
    "parcels", "deliveries", "organizations", "companies", "jobs", "employees", "members",
    "events", "visits", "projects", "customers", "students", "trees",
}  # fmt: skip
TENTHS = {"%", "percent", "hours", "h", "days", "fte"}


def unit_format(unit: str) -> str:
    """The floatformat argument for a unit."""
    word = (unit or "").strip().casefold()
    first = word.split()[0] if word else ""
    if word in CURRENCIES or first in CURRENCIES:
        return "2g"
    if word in COUNTS or first in COUNTS:
        return "-1g"  # whole for counts; a mean of counts keeps one decimal
    if word in TENTHS or first in TENTHS:
        return "-1g"
    return "-2g"


@register.filter
def in_unit(value, unit):
    """{{ value|in_unit:metric.unit }}: the number as its unit is usually written."""
    if value is None or value == "":
        return ""
    return floatformat(value, unit_format(unit))
