"""manage.py audit_seal: seal the audit events not sealed yet (beat runs it every minute)."""

from django.core.management.base import BaseCommand

from audit.seal import seal


class Command(BaseCommand):
    help = "Seal the audit events not sealed yet into the chain of digests."

    def handle(self, *args: object, **options: object) -> None:
        made = seal()
        if made is None:
            self.stdout.write("Nothing new to seal.")
        else:
            self.stdout.write(f"Sealed {made.events} events as seal {made.pk}.")
