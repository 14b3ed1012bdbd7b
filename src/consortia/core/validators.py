"""The validator every name and title people type goes through (organizations, networks,
initiatives, people, criteria, prospects, documents…).

A name is shown to other partners as it was typed, so it must not carry characters that change
how it looks without being seen: a RIGHT-TO-LEFT OVERRIDE (U+202E) shows the letters after it
backwards, so “Acme” + U+202E + “latipaC” reads as another partner's “AcmeCapital”; the
isolates and marks (U+2066 to U+2069, U+200E/F) reorder what follows; zero-width and other format
characters (Unicode category Cf) hide inside a name that then looks identical to another; and
control characters (Cc: tabs, line breaks, escapes) break the one line a name is shown on.
Leading and trailing whitespace is stripped by the forms and services before this check, as
before.

Two format characters are letters' business and stay allowed: ZERO WIDTH NON-JOINER (U+200C)
and ZERO WIDTH JOINER (U+200D) shape Persian, Arabic and Indic names and join emoji sequences.

Dates people type go through `day_error`/`validate_day`: a due date, a start or a closing time
in the year 9999 is a typo, and the day after it does not exist (a calendar feed or a period
that adds a day or a term to it would fail), so every date is kept within the years 2000 to
2199, as the API's times are (`core.schemas.aware_datetime`).
"""

import unicodedata
from datetime import date, datetime

from django.core.exceptions import ValidationError

# Unicode categories refused in names: controls, format characters (bidirectional embeddings,
# overrides, isolates and marks, zero-width spaces, soft hyphens, tags), and the line and
# paragraph separators.
REFUSED = frozenset({"Cc", "Cf", "Zl", "Zp"})
ALLOWED = frozenset({"\u200c", "\u200d"})


def hidden_character(value: str) -> str | None:
    """The first character of `value` that a name may not contain, or None."""
    for character in value:
        if character not in ALLOWED and unicodedata.category(character) in REFUSED:
            return character
    return None


def without_hidden(value: str) -> str:
    """`value` without the characters a name may not contain: for a name nobody typed here
    (a single sign-on provider's), which there is nobody to ask to correct."""
    return "".join(c for c in value if c in ALLOWED or unicodedata.category(c) not in REFUSED)


def describe(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: how the message names a character nobody can see."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    return f"{code} {name}" if name else f"{code} (a control character)"


def name_error(value) -> str | None:
    """Why `value` cannot be a name (a sentence naming the character), or None when it can;
    for services that collect every field's error before raising."""
    character = hidden_character(value) if isinstance(value, str) else None
    if character is None:
        return None
    return (
        f"Remove the invisible character {describe(character)}: names cannot contain control "
        "or text-direction characters, which can make a name look like another."
    )


def validate_name(value, field: str | None = None):
    """Refuse a name or title with a control, bidirectional or other invisible formatting
    character, with a message naming it; return the value unchanged otherwise.

    Usable as a Django validator (`validators=[validate_name]`); services pass the `field` the
    error belongs to, so the form shows it under that field and the API puts it at
    `["body", "payload", field]`."""
    message = name_error(value)
    if message is None:
        return value
    error = ValidationError(message, code="hidden_character")
    raise ValidationError({field: error}) if field else error


FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
DAY_MESSAGE = f"Give a date between the years {FIRST_DAY:%Y} and {LAST_DAY:%Y}."


def day_error(value) -> str | None:
    """Why the date (or time) `value` cannot be used — it lies outside the years 2000 to 2199 —
    or None when it can (None and values of other types are left to the caller)."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not FIRST_DAY <= day <= LAST_DAY:
        return DAY_MESSAGE
    return None


def validate_day(value, field: str | None = None):
    """Refuse a date or time outside the years 2000 to 2199, under `field`; return it otherwise."""
    message = day_error(value)
    if message is None:
        return value
    error = ValidationError(message, code="date_out_of_range")
    raise ValidationError({field: error}) if field else error
