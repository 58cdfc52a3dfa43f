"""manage.py audit_verify: recompute the chain of seals; exit 0 when the trail is intact,
1 naming the first broken seal otherwise (beat runs it daily)."""

from django.core.management.base import BaseCommand, CommandError

from audit.seal import verify


class Command(BaseCommand):
    help = "Verify the audit trail against its seals; non-zero exit on any tampering."

    def handle(self, *args: object, **options: object) -> None:
        result = verify()
        if not result.ok:
            raise CommandError(f"Audit trail broken at seal {result.first_broken_seal}: {result.problem}")
        self.stdout.write(f"Audit trail intact: {result.seals} seals, {result.events} events.")
