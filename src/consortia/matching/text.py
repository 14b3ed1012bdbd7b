"""Text handling shared by the index and the query: sentences, words, stop words.

Profiles are cut into short *phrases* (each offering or value line, each sentence of the
description, each past initiative) because the evidence shown for a match is a phrase, and a
phrase is what the semantic part compares with the query. The lexical part uses words: the
query's distinct words minus common words in English, German, French and Spanish (the
challenges people write), OR-ed together so that a long challenge still finds profiles that
share only some of its words; BM25 weighs them.
"""

from __future__ import annotations

import re

MAX_QUERY_CHARS = 4000  # a challenge's title and body, trimmed
MAX_TERMS = 48
MIN_WORD = 2
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even ever few
    for from further get got had has have having he her here hers him his how i if in into is it
    its itself just let like ll me might more most much must my need needs no nor not now of off
    on once one only or other our ours out over own per please same see she should so some still
    such than that the their theirs them then there these they this those through to too two
    under until up upon us use used very via want wants was we were what when where which while
    who whom why will with within without would yet you your yours able already always another
    anyone anything around away back best better cannot come could every find first give go
    good help keep know last least less lot make many may maybe new next nobody nothing often
    others really say said seem since someone something take tell thing things think try way
    well whether whole year years
    aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin
    bis bist da damit dann das dass dem den denn der des die dies diese diesem diesen dieser
    dieses doch dort du durch ein eine einem einen einer eines er es etwas euch euer für gegen
    habe haben hat hatte hier hin hinter ich ihm ihn ihr ihre im in ist jede jedem jeden jeder
    jedes kann kein keine können man mehr mein mit muss müssen nach nicht nichts noch nun nur ob
    oder ohne sehr sein seine sich sie sind so soll sollen über um und uns unser unsere unter
    viel vom von vor war waren warum was weil welche wenn wer werden wie wieder will wir wird wo
    zu zum zur zwischen dürfen brauchen bevor
    au aux avec ce ces cet cette chaque comme dans de des du elle elles en est et eux il ils je
    la le les leur leurs lui ma mais me même mes moi mon ne nos notre nous on ou par pas pour
    qu que qui sa se ses son sont sur ta te tes toi ton tous tout toute toutes tu un une vos
    votre vous être avoir fait faire plus peut doit doivent très ont été sans cherchons
    al algo algún alguna ante antes como con contra cual cuando de del desde donde durante el
    ella ellas ellos en entre era es esa ese eso esta estas este esto estos hay la las le les lo
    los más me mi mis muy nada ni no nos nosotros nuestra nuestro nuestros o os otra otro para
    pero poco por porque que qué quien quién se sea ser si sin sobre son su sus también te tu
    tus un una uno unos usted y ya puede pueden necesitamos buscamos deben
    """.split()  # noqa: SIM905 - a word list is easier to read and extend as text
)


def clean(text) -> str:
    return _CONTROL.sub(" ", str(text or ""))


def phrases(field: str, text: str, *, by_line: bool) -> list[tuple[str, str]]:
    """[(field, phrase)] of a profile field: one per non-empty line for line lists (offerings),
    one per sentence otherwise (a description)."""
    return [(field, phrase) for phrase in split(clean(text), by_line=by_line)]


def split(text: str, *, by_line: bool) -> list[str]:
    """The phrases of an already clean text (highlight markers survive)."""
    text = (text or "").strip()
    if not text:
        return []
    chunks = text.splitlines() if by_line else [text]
    found = []
    for chunk in chunks:
        for sentence in _SENTENCE_END.split(chunk.strip()):
            sentence = " ".join(sentence.split()).strip(" -•*")
            if len(sentence) >= 3:
                found.append(sentence[:500])
    return found


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(clean(text))]


def query_terms(text: str) -> list[str]:
    """The distinct content words of a query, in order of first appearance, at most MAX_TERMS
    (letters and digits only: safe to rebuild as engine syntax)."""
    seen: dict[str, None] = {}
    for word in words(text[:MAX_QUERY_CHARS]):
        if len(word) < MIN_WORD or word in STOP_WORDS or word.isdigit() or "_" in word:
            continue
        seen.setdefault(word, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)
