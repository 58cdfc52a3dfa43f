"""Every audit action code in words, for the audit trail's pages and CSV: the one label
table. tests/sharing/test_audit_trail.py fails when an action code written anywhere in
the apps has no label here, so a new code is named in words when it is added.

Floor 5 (sharing: the information-governance pages). Plain data: imports nothing.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    # agencies
    "agencies.agency.created": "Created an agency",
    "agencies.agency.updated": "Changed an agency",
    "agencies.team.created": "Created a team",
    "agencies.team.updated": "Changed a team",
    "agencies.professional.created": "Added a professional",
    "agencies.professional.updated": "Changed a professional",
    "agencies.auth_token.issued": "Was issued an API token",
    # accountability
    "accountability.reminders.scanned": "Ran the reminder scan",
    "accountability.reminders.delivered": "Delivered reminders",
    "accountability.reminder_delivery.changed": "Changed how reminders arrive",
    "accountability.notification.read": "Read a notification",
    "accountability.notification.all_read": "Marked all notifications read",
    "accountability.calendar_token.reset": "Reset the calendar link",
    # cases
    "cases.person.registered": "Registered a person",
    "cases.person.updated": "Changed a person's details",
    "cases.person.viewed": "Opened a person's details",
    "cases.person.listed": "Saw a person in a list",
    "cases.person.portal_account_created": "Gave a person a portal account",
    "cases.case.opened": "Opened a case",
    "cases.case.updated": "Changed a case",
    "cases.case.closed": "Closed a case",
    "cases.case.access_refused": "Was refused a case",
    "cases.assignment.added": "Added someone to a case team",
    "cases.assignment.ended": "Ended someone's role on a case",
    # plans
    "cases.goal.added": "Added a goal",
    "cases.milestone.added": "Added a milestone",
    "cases.milestone.updated": "Changed a milestone",
    "cases.milestone.completed": "Completed a milestone",
    "cases.milestone.handed_over": "Handed a milestone over",
    "cases.review.added": "Scheduled a review",
    "cases.review.completed": "Completed a review",
    "cases.review.handed_over": "Handed a review over",
    # sharing
    "cases.record.written": "Wrote a record",
    "cases.record.corrected": "Corrected a record",
    "cases.record.viewed": "Opened a record",
    "cases.record.listed": "Saw a record in a list",
    "cases.record.exported": "Exported a record",
    "cases.record.access_refused": "Was refused a record",
    "cases.consent.recorded": "Recorded a consent decision",
    "cases.consent.withdrawn": "Withdrew a consent",
    "cases.consent.listed": "Read consent decisions",
    "cases.override.started": "Took a safeguarding override",
    "cases.override.used": "Read records under a safeguarding override",
    "cases.override.ended": "Ended a safeguarding override",
    "cases.override.reviewed": "Reviewed a safeguarding override",
    # portal
    # meetings
    "meetings.meeting.scheduled": "Scheduled a meeting",
    "meetings.meeting.changed": "Changed a meeting",
    "meetings.meeting.cancelled": "Cancelled a meeting",
    "meetings.meeting.viewed": "Opened a meeting",
    "meetings.meeting.opened": "Opened a meeting's views (the chair)",
    "meetings.meeting.closed": "Closed a meeting with minutes",
    "meetings.invitation.viewed": "Downloaded a meeting invitation",
    "meetings.view.given": "Gave a view before a meeting",
    "meetings.view.changed": "Changed their view before a meeting",
    "meetings.view.viewed": "Read a view given for a meeting",
    "meetings.attendance.recorded": "Recorded who came to a meeting",
    "meetings.decision.recorded": "Recorded a meeting's decision",
    "meetings.decision.corrected": "Corrected a meeting's decision",
    "meetings.decision.listed": "Saw a meeting's decisions",
    "meetings.dissent.viewed": "Read a dissent to answer",
    "meetings.dissent.answered": "Answered a dissent in writing",
    "portal.meeting.viewed": "Read their own meeting in the portal",
    # sign-in, families, the portal, copies of records
    "agencies.auth_token.revoked": "Revoked an API token",
    "agencies.credentials.revoked": "Had every session and API token ended (password changed or account deactivated)",
    "agencies.second_factor.enrolled": "Set up a second factor for signing in",
    "agencies.second_factor.recovery_codes_issued": "Was given new recovery codes",
    "agencies.second_factor.passkey_removed": "Removed a passkey",
    "agencies.second_factor.reset": "Reset a professional's second factors",
    "cases.case.plain_title_set": "Set the case's plain title for the person",
    "cases.household.created": "Recorded a household",
    "cases.household.listed": "Saw a household in a list",
    "cases.household.viewed": "Read a household",
    "cases.household.updated": "Changed a household",
    "cases.household.member_added": "Added someone to a household",
    "cases.household.member_removed": "Took someone out of a household",
    "cases.person.portal_link_issued": "Gave a person a link to set their portal password",
    "cases.person.portal_password_chosen": "Chose their portal password",
    "cases.proxy.ended": "Ended a parent's or carer's access",
    "cases.proxy.frozen": "Froze a parent's or carer's access",
    "cases.proxy.linked": "Gave a parent or carer access to a person's portal",
    "cases.proxy.listed": "Saw who has parent or carer access",
    "cases.relationship.added": "Recorded a family relationship",
    "cases.relationship.listed": "Saw a person's family relationships",
    "cases.relationship.viewed": "Read a family relationship",
    "cases.relationship.removed": "Removed a family relationship",
    "portal.access_log.viewed": "Read who has looked at their information",
    "portal.case_view.viewed": "Read their own case in the portal",
    "portal.feedback.given": "Said what they think of their plan",
    "portal.message.replied": "Replied to the person's message",
    "portal.message.sent": "Sent a message to their lead worker",
    "portal.messages.viewed": "Read their messages in the portal",
    "portal.notice.sent": "Told the lead worker of a change the person made",
    "sharing.sar.requested": "Asked for a copy of their records",
    "sharing.sar.sent": "Sent the person a copy of their records",
    "portal.plan.viewed": "Read their own plan in the portal",
    # audit
    "audit.trail.viewed": "Read the audit trail",
    "audit.trail.exported": "Downloaded the audit trail",
}

# Reads of a list write one event per row (record and person) read; the trail shows a run
# of them by the same person, on the same case, as one line with a count.
LIST_READS: frozenset[str] = frozenset({"cases.record.listed", "cases.person.listed", "cases.consent.listed"})
COLLAPSED_LABELS: dict[str, str] = {
    "cases.record.listed": "Saw records in a list",
    "cases.person.listed": "Saw people in a list",
    "cases.consent.listed": "Read consent decisions",
}


def action_label(code: str) -> str:
    """The action in words; an unknown code (an event older than its label) is shown as it is."""
    return ACTION_LABELS.get(code, code)


def action_choices() -> list[tuple[str, str]]:
    """(code, words) for the trail's action filter, in alphabetical order of the words."""
    return sorted(ACTION_LABELS.items(), key=lambda item: item[1])
