"""Periods: every measurement's date is normalized to the start of its metric's cadence."""

import calendar
from datetime import date, timedelta
from functools import lru_cache

WEEKLY, MONTHLY, QUARTERLY = "weekly", "monthly", "quarterly"


def period_start(day: date, cadence: str) -> date:
    """Monday of the week, the 1st of the month, or the 1st of the quarter containing `day`."""
    if cadence == WEEKLY:
        return day - timedelta(days=day.weekday())
    if cadence == QUARTERLY:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def next_period(start: date, cadence: str) -> date:
    if cadence == WEEKLY:
        return start + timedelta(days=7)
    months = 3 if cadence == QUARTERLY else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_end(start: date, cadence: str) -> date:
    """The last day of the period beginning at `start`."""
    return next_period(start, cadence) - timedelta(days=1)


def label(start: date, cadence: str) -> str:
    if cadence == WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{calendar.month_abbr[start.month]} {start.year}"


@lru_cache(maxsize=4096)
def parse(text: str, cadence: str) -> date:
    """A period as written in a CSV file or form: an ISO date (2026-03-15) normalized to the
    cadence, a month (2026-03), a quarter (2026-Q1) or an ISO week (2026-W11). ValueError if
    it is none of these."""
    text = (text or "").strip()
    upper = text.upper()
    if len(upper) == 7 and upper[4:6] == "-Q" and upper[:4].isdigit() and upper[6] in "1234":
        day = date(int(upper[:4]), (int(upper[6]) - 1) * 3 + 1, 1)
    elif len(upper) == 8 and upper[4:6] == "-W" and upper[:4].isdigit() and upper[6:].isdigit():
        day = date.fromisocalendar(int(upper[:4]), int(upper[6:]), 1)
    elif len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        day = date(int(text[:4]), int(text[5:]), 1)
    else:
        day = date.fromisoformat(text) if len(text) == 10 else None
        if day is None:
            raise ValueError(text)
    return period_start(day, cadence)
