"""How accountability words its notices: what each kind of reminder says of its item. Used by
e-mails (no case content: kind, case reference, date) and in-app notifications (which may add the
item's plain title where the reader may see it).

Floor 3."""

from accountability.models import ReminderKind

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
    ReminderKind.ADDED_TO_TEAM: "has you on its team now",
    ReminderKind.INVITED: "is asked of you for a meeting you are invited to",
    ReminderKind.MESSAGE: "has come in for you from the person",
}
