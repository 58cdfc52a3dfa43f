"""Response headers (issue 10, docs/decisions/0035): a Content-Security-Policy with a fresh nonce
per response and no 'unsafe-inline', Permissions-Policy, `Cache-Control: no-store` on everything
the application answers, HSTS and the HTTPS redirect from the environment, and a clean
`manage.py check --deploy` with the README's production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from accountability import services as accountability_services
from sharing import services as sharing_services

ROOT = Path(__file__).resolve().parents[2]

# The README's production settings (section "Deploying with PostgreSQL and Redis").
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-key-kept-in-a-secret-store-" + "x" * 20,
    "ALLOWED_HOSTS": "joinedup.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://joinedup.example.org",
    "SITE_URL": "https://joinedup.example.org",
    "SECURE_COOKIES": "on",
    "SECURE_PROXY_SSL": "on",
    "SECURE_SSL_REDIRECT": "on",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "on",
    "SECURE_HSTS_PRELOAD": "on",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_USE_TLS": "on",
}


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


@pytest.fixture
def sam(world):
    client = Client()
    client.force_login(world.sam.user)
    return client


def test_every_page_has_a_csp_with_a_fresh_nonce_and_no_unsafe_inline(world, sam):
    first, second = sam.get("/"), sam.get("/")
    assert first.status_code == second.status_code == 200
    policy = _csp(first)
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert "'self'" in policy[directive]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    nonces = [re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1], "the nonce must be new for each response"
    # The page's script tags carry that response's nonce.
    assert f'nonce="{nonces[0]}"'.encode() in first.content
    assert b"<script>" not in first.content and b"<style>" not in first.content


def test_the_sign_in_page_and_the_api_docs_have_the_policy_too(db):
    client = Client()
    for url in ("/accounts/login/", "/api/v1/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        body = response.content.decode()
        # json_script data blocks (type="application/json") are data, never run (CSP leaves them be)
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body), (
            f"{url} has an inline script"
        )
        assert "<style" not in body and 'style="' not in body, f"{url} has an inline style"


TEMPLATE_DIRS = [ROOT / "templates", *(p for p in ROOT.glob("*/templates") if ".venv" not in p.parts)]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>"), "an inline <script> (move it to static/js)"),
    (re.compile(r"<style\b(?![^>]*csp_nonce)"), "a <style> element without the nonce"),
    (re.compile(r"\sstyle=[\"']"), 'a style="" attribute (use a class in static/css)'),
    (re.compile(r"\son[a-z]+=[\"']"), "an inline event handler (use static/js)"),
    (re.compile(r"\shx-on[:-]"), "an htmx inline handler (hx-on needs eval)"),
    (re.compile(r"javascript:"), "a javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(str(p.relative_to(ROOT)) for d in TEMPLATE_DIRS for p in d.rglob("*.html")))
def test_no_template_has_inline_script_or_style(template):
    source = (ROOT / template).read_text()
    for pattern, what in INLINE:
        match = pattern.search(source)
        assert match is None, f"{template} has {what}: {match.group(0)!r}"


def test_htmx_is_configured_to_run_under_the_policy():
    base = (ROOT / "templates" / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", base).group(1)
    assert '"includeIndicatorStyles": false' in config  # else htmx inserts a <style> element
    assert '"allowEval": false' in config


def test_permissions_policy_on_pages_and_api(world, sam):
    api = APIClient()
    api.force_authenticate(world.sam.user)
    for response in (sam.get("/"), api.get("/api/v1/cases/"), Client().get("/accounts/login/")):
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy
        assert "publickey-credentials-get=(self)" in policy  # passkeys still work


def test_personal_data_is_never_cached(world, sam):
    record = sharing_services.record_write(
        case=world.case, category="general", text="Visited at home", actor=world.sam.user
    )
    api = APIClient()
    api.force_authenticate(world.sam.user)
    token = accountability_services.reminder_settings_for(professional=world.nia).calendar_token
    responses = {
        "my work": sam.get("/"),
        "case page": sam.get(f"/cases/{world.case.id}/"),
        "record page": Client(),
        "record JSON": api.get(f"/api/v1/records/{record.id}/"),
        "case list JSON": api.get("/api/v1/cases/"),
        "people JSON": api.get("/api/v1/people/"),
        "calendar feed": Client().get(f"/calendar/{token}.ics"),
        "records export": api.get(f"/api/v1/cases/{world.case.id}/records/export/"),
    }
    nia = Client()
    nia.force_login(world.nia.user)
    responses["record page"] = nia.get(f"/records/{record.id}/")
    for what, response in responses.items():
        assert response.status_code == 200, what
        assert "no-store" in response["Cache-Control"], (what, response["Cache-Control"])
        assert "max-age=300" not in response["Cache-Control"], what


def test_every_response_carries_a_request_id(world, sam):
    a, b = sam.get("/"), sam.get("/")
    assert re.fullmatch(r"[0-9a-f]{32}", a["X-Request-ID"]) and a["X-Request-ID"] != b["X-Request-ID"]
    given = sam.get("/", headers={"X-Request-ID": "lb-1234abcd"})
    assert given["X-Request-ID"] == "lb-1234abcd"
    forged = sam.get("/", headers={"X-Request-ID": "x\nFAKE LOG LINE"})
    assert "\n" not in forged["X-Request-ID"] and "FAKE" not in forged["X-Request-ID"]


def test_hsts_and_https_redirect_follow_the_settings(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Probes inside the deployment's network still reach /healthz over plain HTTP.
    assert client.get("/healthz").status_code in (200, 503)


def test_embedded_defaults_do_not_redirect_or_pin_https():
    assert django_settings.SECURE_SSL_REDIRECT is False and django_settings.SECURE_HSTS_SECONDS == 0


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "DATABASE_URL", "JOINEDUP_VAR_DIR")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**keep, **env, "DJANGO_SETTINGS_MODULE": "coordination.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_the_documented_production_settings_prints_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout and "security.W" not in result.stderr


def test_the_readme_documents_those_production_settings():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploying with PostgreSQL and Redis", 1)[1]
    for name, value in PRODUCTION_ENV.items():
        if name in ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "EMAIL_HOST"):
            assert f"{name}=" in section, name
        else:
            assert f"{name}={value}" in section, f"README's production settings should say {name}={value}"


def test_without_those_settings_check_deploy_still_warns_about_https():
    """The test above can fail: drop the HSTS and redirect settings and the warnings come back."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith(("SECURE_HSTS", "SECURE_SSL"))}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout
