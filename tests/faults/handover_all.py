"""Hand every open milestone of the seeded world (tests/reminders/seed_procs.py) over to the other
professional on the case, as the handover request does (its service, its transaction, its notice
queued in the outbox): `python -m tests.faults.handover_all`. Prints how many were handed over."""

import django

django.setup()

from agencies.models import Professional  # noqa: E402
from plans import services as plan_services  # noqa: E402
from plans.models import ItemStatus, Milestone  # noqa: E402

if __name__ == "__main__":
    sam, nia = (Professional.objects.get(user__username=name) for name in ("sam", "nia"))
    handed = 0
    for milestone in Milestone.objects.filter(status=ItemStatus.OPEN).select_related("accountable__user"):
        to = nia if milestone.accountable_id == sam.id else sam
        plan_services.milestone_handover(milestone=milestone, to=to, actor=milestone.accountable.user)
        handed += 1
    print(handed)
