"""How accountability words its notices: what each kind of reminder says of its item. Used by
e-mails (no case content: kind, case reference, date) and in-app notifications (which may add the
item's plain title where the reader may see it). A meeting's change and cancellation are told of
the invitee's meeting view (the item an invitation makes); their e-mail says only that a meeting
on the case moved or was cancelled, and the meeting's date.

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
    ReminderKind.MEETING_CHANGED: "is for a meeting whose time or place has changed",
    ReminderKind.MEETING_CANCELLED: "is no longer asked: the meeting has been cancelled",
}
