"""requirements.lock, compiled from pyproject.toml, and its runtime part for the image.

    python scripts/lock.py [PIP-COMPILE ARGS]   `make lock`: (re)compile the lock with pip-tools
    python scripts/lock.py --runtime            print the lock's entries the runtime needs (Dockerfile)

pip-compile 7.6 reads neither [dependency-groups] (PEP 735) nor a pyproject.toml without a build
backend, so this hands it `[project] dependencies` and `[dependency-groups] dev` as two requirement
files named after their keys. It keeps the lock's existing pins; pass e.g. `--upgrade-package celery`
to move one. The runtime part is the closure of `[project] dependencies` over the lock's `# via`
annotations, copied entry by entry, hashes included. Only the standard library is needed for it.
"""

import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
COMPILE_OPTIONS = [
    "--quiet",
    "--generate-hashes",
    "--allow-unsafe",  # pip and setuptools are locked like everything else
    "--strip-extras",
    "--no-emit-index-url",
    "--no-emit-find-links",
]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"not a requirement: {requirement!r}")
    return canonical(match.group(1))


def pyproject_inputs() -> dict[str, list[str]]:
    """pip-compile's input files: name -> requirement lines."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    inputs = {
        "project.dependencies": pyproject["project"]["dependencies"],
        "dependency-groups.dev": pyproject["dependency-groups"]["dev"],
    }
    for name, requirements in inputs.items():
        for requirement in requirements:
            if not isinstance(requirement, str):  # e.g. {include-group = ...}
                raise SystemExit(f"{name}: only plain requirement strings are supported, not {requirement!r}")
    return inputs


class Entry:
    """One pinned package of the lock: its text block, version, hashes and what it is needed by."""

    def __init__(self, first_line: str):
        self.lines = [first_line]
        name, _, version = first_line.rstrip(" \\").partition("==")
        self.name = canonical(name.strip())
        self.version = version.split(";")[0].strip()
        self.hashes: list[str] = []
        self.via: set[str] = set()


def read_lock(text: str) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    entry = None
    in_via = False
    for line in text.splitlines():
        if not line.strip():
            entry = None
        elif not line[0].isspace():
            entry, in_via = None, False
            if not line.startswith(("#", "-")):
                entry = Entry(line)
                entries[entry.name] = entry
        elif entry is not None:
            entry.lines.append(line)
            item = line.strip().rstrip(" \\")
            if item.startswith("--hash="):
                entry.hashes.append(item.removeprefix("--hash="))
            elif item == "# via":
                in_via = True
            elif item.startswith("# via "):
                entry.via.add(item.removeprefix("# via ").strip())
                in_via = False
            elif in_via and item.startswith("#   "):
                entry.via.add(item.removeprefix("#").strip())
    for entry in entries.values():
        entry.via = {canonical(v) if not v.startswith("-r ") else v for v in entry.via}
    return entries


def closure(entries: dict[str, Entry], roots: set[str]) -> set[str]:
    """The lock's packages that `roots` need: the roots and whatever an included package is `via`."""
    needed = set(roots) & set(entries)
    grew = True
    while grew:
        grew = False
        for name, entry in entries.items():
            if name not in needed and entry.via & needed:
                needed.add(name)
                grew = True
    return needed


def runtime_lock() -> str:
    entries = read_lock(LOCK.read_text())
    roots = {requirement_name(r) for r in pyproject_inputs()["project.dependencies"]}
    missing = roots - set(entries)
    if missing:
        raise SystemExit(f"requirements.lock lacks {sorted(missing)}: run `make lock`")
    needed = closure(entries, roots)
    header = "# The runtime part of requirements.lock (scripts/lock.py --runtime).\n"
    return header + "".join("\n".join(entries[name].lines) + "\n" for name in sorted(needed))


def compile_lock(args: list[str]) -> int:
    inputs = pyproject_inputs()
    with tempfile.TemporaryDirectory() as tmp:
        for name, requirements in inputs.items():
            Path(tmp, name).write_text("".join(f"{r}\n" for r in requirements))
        command = [sys.executable, "-m", "piptools", "compile", *COMPILE_OPTIONS, "--output-file", str(LOCK)]
        # Run in the temporary folder so the `# via -r ...` lines name the keys, not a temporary path.
        env = {**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"}
        return subprocess.run([*command, *args, *inputs], cwd=tmp, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    if sys.argv[1:] == ["--runtime"]:
        sys.stdout.write(runtime_lock())
    else:
        sys.exit(compile_lock(sys.argv[1:]))
