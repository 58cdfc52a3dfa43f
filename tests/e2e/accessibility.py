"""axe-core, injected into the page under test (tests/e2e/package-lock.json pins it)."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it stands; fail listing each violation and where it is."""
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `npm ci --prefix tests/e2e` (make test does)"
    # Evaluated through the DevTools protocol, not as an inline <script> (which the page's
    # Content-Security-Policy refuses, as it should).
    page.evaluate(f"() => {{ {AXE.read_text()}\n; window.axe = axe; }}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
    ]
    assert problems == [], f"accessibility violations on {page.url}:\n" + "\n".join(problems)
