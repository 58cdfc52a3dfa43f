"""manage.py audit_verify_archive PATH [PATH ...]: re-verify exported months (the gzip CSV files
`audit_partitions` writes when it retires a month) with the key; exit 0 when every file is
intact, 1 naming what is broken otherwise (a row changed, removed or added: the seal whose
window holds it and the file's lines that window covers)."""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.partitions import archive_verify


class Command(BaseCommand):
    help = "Re-verify exported audit months against their archive records and seals; non-zero exit if broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="archive files (audit_auditevent_pYYYY_MM.csv.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = []
        for path in options["paths"]:
            if not path.is_file():
                broken.append(f"{path}: no such file")
                continue
            try:
                result = archive_verify(path)
            except (OSError, EOFError, ValueError, IndexError, csv.Error) as exc:
                broken.append(f"{path}: not an export this command can read ({type(exc).__name__})")
                continue
            if result.ok:
                self.stdout.write(f"{path}: intact, {result.rows} events in {result.seals} seals.")
            else:
                broken += [f"{path}: {problem}" for problem in result.problems]
        if broken:
            raise CommandError("Audit archive broken:\n" + "\n".join(broken))
