"""Compile the portal's translations: each locale/<code>/LC_MESSAGES/django.po under
settings.LOCALE_PATHS to the django.mo beside it, with polib (pure Python), so neither the
image nor a developer needs GNU gettext's msgfmt (docs/decisions/0067). Fuzzy and empty
entries are left out of the .mo, as msgfmt leaves them; the translation-coverage test fails
on them first. `make install` and the Dockerfile run it; the .mo files are not committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po under LOCALE_PATHS to its .mo (pure Python; no msgfmt needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"{po_path} -> {mo_path.name}")
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {compiled} translation catalogue{'s' if compiled != 1 else ''}.")
