"""The portal in the person's language (issue 12, docs/decisions/0067): Welsh, Polish, Arabic and
Urdu, chosen by `preferred_language` and a switcher on every portal page; `<html lang>` follows,
Arabic and Urdu are right to left; professional pages stay English. Every msgid is translated in
all four catalogues, and every string the code marks for translation is in them."""

import ast
import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation.template import templatize

from portal.language import language_for_tag
from tests.meetings.conftest import meet, mw  # noqa: F401  (the family's meeting page)

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["cy", "pl", "ar", "ur"]
RIGHT_TO_LEFT = {"ar", "ur"}
PAGES = ["", "workers/", "messages/", "say/", "information/", "information/change/", "looked/", "copy/", "meetings/"]
# What the home page's heading says in each language (the catalogue's words, checked by hand).
YOUR_PLAN = {"en-gb": "Your plan", "cy": "Eich cynllun", "pl": "Twój plan", "ar": "خطتك", "ur": "آپ کا منصوبہ"}


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def speaking(world, tag):
    world.maya.preferred_language = tag
    world.maya.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(world.maya.user)
    return client


# --- Chosen by preferred_language, and by the switcher ---------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_portal_is_in_the_persons_preferred_language_with_lang_and_dir(world, language):
    response = speaking(world, language).get("/portal/")
    page = response.content.decode()
    tag = html_tag(page)
    assert f'lang="{language}"' in tag
    assert ('dir="rtl"' in tag) == (language in RIGHT_TO_LEFT)
    assert f"<h1>{YOUR_PLAN[language]}</h1>" in page
    assert "<h1>Your plan</h1>" not in page
    assert response["Content-Language"] == language


@pytest.mark.parametrize(
    ("tag", "language"),
    [("cy-GB", "cy"), ("pl-PL", "pl"), ("AR", "ar"), ("ur_PK", "ur"), ("en", "en-gb"), ("fr", "en-gb"), ("", "en-gb")],
)
def test_a_bcp47_tag_maps_to_one_of_the_portals_languages(world, tag, language):
    assert language_for_tag(tag) == language
    page = speaking(world, tag).get("/portal/").content.decode()
    assert f"<h1>{YOUR_PLAN[language]}</h1>" in page


def test_english_or_unset_keeps_the_portal_in_british_english(world):
    page = speaking(world, "en").get("/portal/").content.decode()
    assert html_tag(page) == '<html lang="en-GB">'
    assert "Skip to main content" in page and "Your plan" in page


def test_the_switcher_changes_the_language_and_keeps_the_page(world):
    client = speaking(world, "en")
    page = client.get("/portal/workers/").content.decode()
    assert 'action="/portal/language/"' in page and 'name="next" value="/portal/workers/"' in page
    assert 'value="ar" lang="ar"' in page  # each language named in its own language
    response = client.post("/portal/language/", {"language": "ar", "next": "/portal/workers/"})
    assert response.status_code == 302 and response["Location"] == "/portal/workers/"
    page = client.get("/portal/workers/").content.decode()
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "<h1>العاملون معك</h1>" in page
    assert 'value="ar" lang="ar" aria-current="true"' in page
    # the choice outranks preferred_language for the rest of the sign-in, on every portal page
    assert 'lang="ar"' in html_tag(client.get("/portal/meetings/").content.decode())
    client.post("/portal/language/", {"language": "en-gb", "next": "/portal/"})
    assert html_tag(client.get("/portal/").content.decode()) == '<html lang="en-GB">'


def test_the_switcher_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.maya.user)
    assert client.post("/portal/language/", {"language": "cy", "next": "/portal/"}).status_code == 403
    assert html_tag(client.get("/portal/").content.decode()) == '<html lang="en-GB">'


@pytest.mark.parametrize("back", ["https://evil.example/portal/", "//evil.example/portal/", "/cases/", "", "portal/"])
def test_the_switcher_goes_back_only_to_a_portal_page(world, back):
    client = speaking(world, "en")
    response = client.post("/portal/language/", {"language": "cy", "next": back})
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_an_unknown_language_changes_nothing(world):
    client = speaking(world, "pl")
    client.post("/portal/language/", {"language": "xx", "next": "/portal/"})
    assert 'lang="pl"' in html_tag(client.get("/portal/").content.decode())
    assert client.get("/portal/language/").status_code == 405


def test_professional_pages_stay_english_whatever_the_browser_asks(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="cy")
    client.force_login(world.sam.user)
    page = client.get(f"/cases/{world.case.id}/").content.decode()
    assert html_tag(page) == '<html lang="en-GB">'
    assert "Skip to main content" in page and "Eich cynllun" not in page
    assert 'action="/portal/language/"' not in page  # no switcher on a professional page
    assert client.post("/portal/language/", {"language": "cy", "next": "/portal/"}).status_code == 404
    signed_out = Client(HTTP_ACCEPT_LANGUAGE="ar").get("/accounts/login/").content.decode()
    assert html_tag(signed_out) == '<html lang="en-GB">'


def test_a_welsh_persons_set_password_link_is_in_welsh(world):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.maya.user
    user.set_unusable_password()
    user.save()
    world.maya.preferred_language = "cy"
    world.maya.save(update_fields=["preferred_language"])
    link = f"/portal/welcome/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    page = Client().get(link).content.decode()
    assert "<h1>Dewiswch eich cyfrinair</h1>" in page and 'lang="cy"' in html_tag(page)


# --- Every portal page fully translated --------------------------------------------------


def english_words_on(page: str) -> set[str]:
    """The catalogue's English sentences (two words or more) that a page shows."""
    text = unescape(page)
    return {e.msgid for e in catalogue("cy") if " " in e.msgid and "%(" not in e.msgid and e.msgid in text}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_portal_page_shows_none_of_its_english_in_another_language(world, meet, language):  # noqa: F811
    pages = [*PAGES, f"meetings/{meet.id}/"]
    english = {path: english_words_on(speaking(world, "en").get(f"/portal/{path}").content.decode()) for path in pages}
    assert all(english.values()), english  # each page shows some of its own words
    translated = {e.msgid: e.msgstr for e in catalogue(language)}
    client = speaking(world, language)
    for path in pages:
        response = client.get(f"/portal/{path}")
        assert response.status_code == 200, path
        page = unescape(response.content.decode())
        assert f'lang="{language}"' in html_tag(page), path
        left_in_english = {w for w in english[path] if w in page and w not in translated[w]}
        assert left_in_english == set(), (language, path, left_in_english)


def test_a_translated_form_error_shows_in_the_persons_language(world):
    client = speaking(world, "pl")
    page = client.post("/portal/messages/", {"text": "", "case": str(world.case.id)}).content.decode()
    assert "Jest problem" in page and "Napisz wiadomość." in page
    page = client.post("/portal/say/", {"comment": "", "case": str(world.case.id)}).content.decode()
    assert "Wybierz liczbę od 1 do 5." in page


def test_a_notice_after_a_change_is_in_the_persons_language(world):
    client = speaking(world, "cy")
    response = client.post("/portal/messages/", {"text": "Helo", "case": str(world.case.id)}, follow=True)
    assert "Mae eich neges wedi&#x27;i hanfon." in response.content.decode()


# --- Translation coverage ----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)
    assert po.metadata["Language"] == language
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    placeholders = re.compile(r"%\(\w+\)s|<[^>]+>")
    for e in po:
        assert sorted(placeholders.findall(e.msgstr)) == sorted(placeholders.findall(e.msgid)), (language, e.msgid)
    assert po.percent_translated() == 100


def marked_in_templates() -> set[str]:
    """Every msgid the templates mark, as makemessages would find it (Django's own templatize)."""
    literal = r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    call = re.compile(rf"(p?gettext)\(({literal})(?:, ({literal}))?\)")
    found = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        for name, first, second in call.findall(templatize(path.read_text(), origin=str(path))):
            words = ast.literal_eval(first.lstrip("u"))
            found.add(f"{words}\x04{ast.literal_eval(second.lstrip('u'))}" if name == "pgettext" else words)
    return found


def marked_in_python() -> set[str]:
    names = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
    found = set()
    skip = {".venv", "tests", "node_modules", "bench", "migrations", "staticfiles"}
    for path in ROOT.rglob("*.py"):
        if skip & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in names:
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if len(args) == len(node.args) and args:
                    found.add(f"{args[0]}\x04{args[1]}" if node.func.id.startswith("p") else args[0])
    return found


def test_every_string_marked_for_translation_is_in_the_catalogues():
    in_catalogue = {(f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid) for e in catalogue("cy")}
    marked = marked_in_templates() | marked_in_python()
    assert len(marked) > 150
    # a new or changed string: run makemessages (README, "Translations") and translate it in all four
    assert marked - in_catalogue == set()
    assert in_catalogue - marked == set()


def test_the_compiled_catalogues_are_the_committed_ones():
    """make install compiled the .po files: Django reads exactly their words."""
    for language in LANGUAGES:
        po = catalogue(language)
        with translation.override(language):
            for e in po:
                got = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
                assert got == e.msgstr, (language, e.msgid)
