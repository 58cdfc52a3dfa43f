"""The Content-Security-Policy in a real browser (issue 10, docs/decisions/0035): the key pages of
each kind of user load, htmx swaps its sections in, Swagger UI and the admin run, and Chromium
reports no violation of the policy, neither in the console nor as a `securitypolicyviolation`
event."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from sharing import services as sharing_services
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page: Page):
    """The page, with every CSP complaint Chromium makes collected."""
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text or "Refused to" in m.text else None,
    )
    page.add_init_script(COLLECT)
    return page, console


def _visit(page: Page, console: list[str], url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    events = page.evaluate("window.__csp")
    return [f"{url}: {v}" for v in [*console, *events]]


def _sign_in(page: Page, base: str, username: str, password: str) -> None:
    if username != "maya":  # professionals and admins: both steps (REQUIRE_2FA is on)
        sign_in(page, base, username, password, landing=None)
        page.wait_for_load_state("networkidle")
        return
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_key_pages_run_under_the_policy_without_a_violation(watched, live_server, world):
    page, console = watched
    record = sharing_services.record_write(
        case=world.case, category="general", text="Seen at home", actor=world.sam.user
    )
    base = live_server.url
    violations = _visit(page, console, f"{base}/accounts/login/")
    _sign_in(page, base, "sam", world.password)
    for path in (
        "/",
        "/cases/",
        f"/cases/{world.case.id}/",
        f"/cases/{world.case.id}/records/",
        f"/cases/{world.case.id}/records/new/",
        f"/records/{record.id}/",
        "/records/search/?q=home",
        "/people/",
        f"/people/{world.maya.id}/",
        f"/people/{world.maya.id}/consents/",
        "/notifications/",
        "/notifications/settings/",
        "/api/v1/docs/",
    ):
        violations += _visit(page, console, f"{base}{path}")
        console.clear()
    # htmx loaded the case page's sharing section (hx-trigger="load") under the policy.
    page.goto(f"{base}/cases/{world.case.id}/")
    expect(page.locator("#case-sharing")).to_be_visible()
    # Swagger UI rendered the schema with its script from ?script.
    page.goto(f"{base}/api/v1/docs/")
    expect(page.get_by_text("JoinedUp API").first).to_be_visible()
    assert not violations, "\n".join(violations)


def test_the_portal_and_the_admin_run_under_the_policy(watched, live_server, world):
    page, console = watched
    base = live_server.url
    _sign_in(page, base, "maya", world.password)
    violations = _visit(page, console, f"{base}/portal/")
    page.goto(f"{base}/accounts/login/")
    page.context.clear_cookies()
    _sign_in(page, base, "admin", world.password)
    for path in ("/admin/", "/admin/agencies/professional/", f"/admin/agencies/professional/{world.sam.pk}/change/"):
        console.clear()
        violations += _visit(page, console, f"{base}{path}")
    assert not violations, "\n".join(violations)


def test_an_inline_script_would_be_reported(watched, live_server, world):
    """The checks above can fail: a script the policy forbids is reported and does not run."""
    page, console = watched
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__csp"), "the blocked inline script was not reported"


def test_axe_still_runs_on_a_page_under_the_policy(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
