"""Password policy beyond Django's validators: not the site's own words (finding 6)."""

import re

from django.core.exceptions import ValidationError

SITE_WORDS = ("consortia",)
MIN_WORD = 4


def _words_of(person) -> set[str]:
    words = set(SITE_WORDS)
    email = (getattr(person, "email", "") or "").lower()
    if email:
        local, _, domain = email.partition("@")
        words.update(part for part in re.split(r"[^a-z0-9]+", local) if part)
        words.update(part for part in domain.split(".")[:-1] if part)
        words.add(local)
    for name in (getattr(person, "name", "") or "").lower().split():
        words.add(name)
    membership = getattr(person, "membership", None) if getattr(person, "pk", None) else None
    if membership is not None:
        organization = membership.organization.name.lower()
        words.add(re.sub(r"[^a-z0-9]+", "", organization))
        words.update(re.split(r"[^a-z0-9]+", organization))
    return {word for word in words if len(word) >= MIN_WORD}


def _squash(text: str) -> str:
    """Lower case without separators or digits: "Consortia-2024!" and "consortia" match."""
    return re.sub(r"[^a-z]+", "", text.lower())


class SiteWordsValidator:
    """Refuse a password that is mostly the site's name, the person's organization's name or a
    part of their e-mail address (with digits and punctuation around it)."""

    def validate(self, password, user=None):
        squashed = _squash(password)
        if not squashed:
            return
        for word in _words_of(user):
            word = _squash(word)
            if len(word) < MIN_WORD:
                continue
            # Mostly made of the word: the word covers at least half of the letters.
            if word in squashed and len(word) * 2 >= len(squashed):
                raise ValidationError(
                    "This password is too close to the name of the site, your organization "
                    "or your e-mail address. Choose words nobody would guess from those.",
                    code="password_site_words",
                )

    def get_help_text(self):
        return (
            "Your password can\u2019t be mostly the site\u2019s name, your organization\u2019s "
            "name or a part of your e-mail address."
        )
