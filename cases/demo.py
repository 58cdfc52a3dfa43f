"""The registry of demo steps: `manage.py seed_demo` (workspace, the top floor) builds the
agencies, people and plans, then runs every registered step, so an app on workspace's
own floor (portal) or any floor adds its demo data without being imported by workspace.
A step registers in its app's AppConfig.ready().

Floor 4. May use: Django only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DemoStep = Callable[[dict[str, Any]], None]

_steps: dict[str, tuple[int, DemoStep]] = {}


def register_demo_step(name: str, step: DemoStep, order: int = 50) -> None:
    """`step(staff)` gets the demo professionals by username; registering a name again replaces it."""
    _steps[name] = (order, step)


def demo_steps() -> list[DemoStep]:
    return [step for _, step in sorted(_steps.values(), key=lambda s: s[0])]
