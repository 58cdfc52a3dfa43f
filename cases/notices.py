"""The kind of notice cases tells (decision 0086): registered in CasesConfig.ready(), so
accountability words it without knowing of cases. E-mails name the case by reference only."""

from __future__ import annotations

from datetime import date

from accountability.registry import NoticeKind

ADDED_TO_TEAM = "added_to_team"


def _added_to_team_email(reference: str, due_date: date, item: str) -> tuple[str, str]:
    return (
        f"JoinedUp: you have been added to the team of case {reference}",
        f"You have been added to the team of case {reference}.",
    )


NOTICE_KINDS = [
    NoticeKind(
        code=ADDED_TO_TEAM,
        label="Added to a case team",
        phrase="has you on its team now",
        email=_added_to_team_email,
        ends=True,  # about no due item: never cancelled by the claim-time "still due" check
        what=lambda reference: f"Case {reference}",
    ),
]
