"""docker-compose.yml, the Procfile, the Makefile and .ci/run stay consistent with
the project and with what the README tells people to run."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def words(command) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(w) for w in command]


def settings_env_names() -> set[str]:
    source = (ROOT / "coordination" / "settings.py").read_text()
    names = set(re.findall(r"os\.environ(?:\.get)?[\[(]\s*\"([A-Z0-9_]+)\"", source))
    names |= set(re.findall(r"env_(?:bool|list)\(\s*\"([A-Z0-9_]+)\"", source))
    return names


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):", (ROOT / "Makefile").read_text(), flags=re.M))


def test_compose_has_the_production_services(compose):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_every_long_running_service_has_a_health_check(compose):
    for name in ("postgres", "redis", *APP_SERVICES):
        check = compose["services"][name].get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), name


def test_web_serves_the_project_wsgi_application_with_gunicorn(compose):
    command = words(compose["services"]["web"]["command"])
    assert command[0] == "gunicorn"
    module = next(w for w in command[1:] if not w.startswith("-"))
    module_name, _, attribute = module.partition(":")
    assert module_name == "coordination.wsgi"
    assert hasattr(importlib.import_module(module_name), attribute or "application")


@pytest.mark.parametrize(("service", "role"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_coordination_app(compose, service, role):
    command = words(compose["services"][service]["command"])
    assert command[:4] == ["celery", "-A", "coordination", role]
    celery_app = importlib.import_module("coordination.celery").app
    assert celery_app.main == "coordination"


def test_there_is_exactly_one_beat(compose):
    beat = compose["services"]["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
    beats = [n for n, s in compose["services"].items() if "beat" in words(s.get("command", []))]
    assert beats == ["beat"]


def test_app_services_point_at_postgres_and_redis_through_the_settings_names(compose):
    known = settings_env_names()
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= known
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        assert set(env) <= known, (name, set(env) - known)
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_procfile_runs_web_worker_and_beat_of_the_same_project():
    procs = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and not line.startswith("#")
    )
    assert set(procs) == {"web", "worker", "beat"}
    assert "coordination.wsgi" in procs["web"]
    assert words(procs["worker"])[:4] == ["celery", "-A", "coordination", "worker"]
    assert words(procs["beat"])[:4] == ["celery", "-A", "coordination", "beat"]


def test_readme_commands_exist_in_the_makefile():
    readme = (ROOT / "README.md").read_text()
    mentioned = set(re.findall(r"`make ([a-z][a-z0-9-]*)`", readme))
    assert {"run", "test", "lint", "bench", "install"} <= mentioned
    assert mentioned <= makefile_targets()


def test_ci_runs_lint_then_exactly_make_test_against_postgres_and_redis():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci
    commands = [line.strip() for line in ci.splitlines() if line.strip().startswith("make ")]
    assert commands == ["make lint", "make test"]
    assert "DATABASE_URL=postgres://" in ci and "CELERY_BROKER_URL=redis://" in ci
    assert "`.ci/run`" in (ROOT / "README.md").read_text()


def test_make_test_also_checks_for_missing_migrations():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "makemigrations --check --dry-run" in recipe
    assert "pytest" in recipe


def test_readme_documents_every_environment_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    assert settings_env_names() - documented == set()


def test_migrations_run_as_the_owner_and_the_app_as_the_runtime_role(compose):
    """The owner migrates and grants; web, worker and beat connect as joinedup_app, which may
    only INSERT and SELECT the audit tables (tests/ops/test_runtime_role.py proves it)."""
    migrate = compose["services"]["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://joinedup:")
    command = " ".join(words(migrate["command"]))
    assert "migrate --noinput" in command and "audit_grant_runtime_role joinedup_app" in command
    for name in APP_SERVICES:
        assert compose["services"][name]["environment"]["DATABASE_URL"].startswith("postgres://joinedup_app:")


PASSWORD_SLOT = re.compile(r"\$\{(?P<name>[A-Z_]*PASSWORD[A-Z_]*)(?P<op>:?[?-])(?P<rest>[^}]*)\}")


def _values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    elif isinstance(node, str):
        yield node


def test_no_database_password_has_a_default(compose):
    """Every password is given by whoever starts it (`${POSTGRES_PASSWORD:?...}`): a default in
    the file would be the same known password on every deployment that forgot to set one."""
    postgres = compose["services"]["postgres"]["environment"]
    assert PASSWORD_SLOT.fullmatch(postgres["POSTGRES_PASSWORD"]).group("op") == ":?"
    slots = [m for value in _values(compose) for m in PASSWORD_SLOT.finditer(value)]
    assert {m.group("name") for m in slots} == {"POSTGRES_PASSWORD", "RUNTIME_DB_PASSWORD"}
    assert all(m.group("op") == ":?" for m in slots), [m.group(0) for m in slots if m.group("op") != ":?"]
    for value in _values(compose):
        if value.startswith("postgres://"):
            password = value.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
            assert PASSWORD_SLOT.fullmatch(password), f"a literal password in {value}"
        assert "PASSWORD: " not in value
    for service in compose["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if "PASSWORD" in name:
                assert PASSWORD_SLOT.fullmatch(str(value)), f"{name} has a literal value"
