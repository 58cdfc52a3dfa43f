"""manage.py audit_partitions: what beat's daily task does, at once (PostgreSQL): make the
coming months' audit partitions and retire (export, detach, drop) the months older than
AUDIT_RETENTION_MONTHS. `--list` shows the partitions attached and the months archived."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.models import AuditArchive
from audit.partitions import partitioned, partitions_attached, partitions_make_ahead, partitions_retire


class Command(BaseCommand):
    help = "Make the audit trail's monthly partitions ahead and retire the months past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="only list partitions and archives")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitioned():
            self.stdout.write("The audit events are one table here (SQLite): nothing to do.")
            return
        if not options["list"]:
            for name in partitions_make_ahead():
                self.stdout.write(f"Made {name}.")
            for archive in partitions_retire():
                self.stdout.write(f"Retired {archive.partition}: {archive.events} events exported to {archive.path}.")
        for p in partitions_attached():
            self.stdout.write(f"attached {p.name} ({p.month:%Y-%m})")
        for a in AuditArchive.objects.order_by("month"):
            self.stdout.write(f"archived {a.partition}: {a.events} events, {a.path}, sha256 {a.sha256}")
