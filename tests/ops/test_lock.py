"""requirements.lock agrees with pyproject.toml, pins every package with hashes, and its runtime
part (what the Dockerfile installs) is complete (docs/decisions/0013)."""

import importlib.util
import tomllib
from importlib.metadata import distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def load_lock_script():
    spec = importlib.util.spec_from_file_location("lock_script", ROOT / "scripts" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = load_lock_script()


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def entries() -> dict:
    return lock.read_lock((ROOT / "requirements.lock").read_text())


def test_every_direct_dependency_is_locked_at_a_version_pyproject_allows(pyproject, entries):
    direct = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["dev"]]
    for line in direct:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(entries[name].version, prereleases=True), (
            f"requirements.lock has {name}=={entries[name].version}, pyproject.toml wants {requirement}"
        )


def test_every_lock_entry_is_pinned_hashed_and_needed_by_pyproject(pyproject, entries):
    assert len(entries) > 40
    for name, entry in entries.items():
        assert entry.version and "==" in entry.lines[0], name
        assert entry.hashes and all(h.startswith("sha256:") for h in entry.hashes), f"{name} has no --hash"
    direct = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["dev"]]
    stale = set(entries) - lock.closure(entries, {lock.requirement_name(r) for r in direct})
    assert not stale, f"requirements.lock has packages nothing in pyproject.toml needs: {sorted(stale)}"


def test_the_runtime_part_installs_everything_the_runtime_dependencies_need_and_no_dev_tool(pyproject, entries):
    runtime = lock.read_lock(lock.runtime_lock())
    assert {name: e.lines for name, e in runtime.items()} == {name: entries[name].lines for name in runtime}
    # Walk the installed metadata (make install put the lock in this environment), extras included.
    todo = [Requirement(line) for line in pyproject["project"]["dependencies"]]
    seen: set[tuple[str, str]] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"the runtime needs {name} ({requirement}) but scripts/lock.py --runtime leaves it out"
        dist = distribution(name)
        assert dist.version == runtime[name].version, f"{name} {dist.version} is installed, not the lock's"
        for extra in ("", *requirement.extras):
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for dependency in map(Requirement, dist.requires or []):
                if dependency.marker is None or dependency.marker.evaluate({"extra": extra}):
                    todo.append(dependency)
    assert {"django", "celery", "redis", "gunicorn"} <= set(runtime)
    assert not {"pytest", "mypy", "ruff", "playwright", "pip-tools"} & set(runtime)


def test_make_install_and_the_dockerfile_install_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes --no-deps -r $(LOCK)" in recipe and "pip-sync" in recipe
    assert "LOCK := requirements.lock" in makefile and "sha256sum $(LOCK)" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY pyproject.toml requirements.lock" in dockerfile
    assert "scripts/lock.py --runtime" in dockerfile and "--require-hashes --no-deps" in dockerfile
    assert not list(ROOT.glob("requirements*.txt"))
