"""How accountability words its own kinds of reminder and notice: what each says of its item.
Used by e-mails (no case content: kind, case reference, date) and in-app notifications (which may
add the item's plain title where the reader may see it). Registered in AccountabilityConfig.ready(),
before any other app registers the kinds it tells (registry.NoticeKind, decision 0086).

Floor 3."""

from accountability.models import ReminderKind
from accountability.registry import NoticeKind

KIND_PHRASE = {
    ReminderKind.UPCOMING: "is due within 7 days",
    ReminderKind.DUE_TOMORROW: "is due tomorrow",
    ReminderKind.DUE_TODAY: "is due today",
    ReminderKind.OVERDUE: "is overdue",
    ReminderKind.ESCALATION: "is overdue by 3 days or more and has been escalated to you",
    ReminderKind.HANDOVER: "has been handed over to you",
    ReminderKind.ITEM_CHANGED: "you are accountable for has been changed by someone else",
    ReminderKind.ITEM_CANCELLED: "you were accountable for has been cancelled",
    ReminderKind.ITEM_COMPLETED: "you are accountable for has been marked complete by someone else",
}

# Told even though the item is, by then, no longer owed: delivered without the claim-time
# "still due" check, which would otherwise cancel them.
_ENDS = {ReminderKind.ITEM_CANCELLED, ReminderKind.ITEM_COMPLETED}

OWN_KINDS = [
    NoticeKind(code=kind.value, label=str(kind.label), phrase=KIND_PHRASE[kind], ends=kind in _ENDS)
    for kind in ReminderKind
]
