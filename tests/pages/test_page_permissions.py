"""Who gets what from each page: role × relationship × page -> status.

world: sam leads the case; nia contributes; sue is team lead on it (and leads
sam's team); hal leads nia's team (sees the case through her); ivy and oz are
not on it; maya is the person (portal only); admin is a superuser with no
professional record."""

import pytest
from django.urls import reverse

USERS = ["sam", "nia", "sue", "hal", "ivy", "oz", "admin", "maya", None]
LOGIN = "/accounts/login/"


def _urls(world):
    c = world.case.id
    return {
        "my_work": reverse("workspace:my_work"),
        "case_list": reverse("cases:case_list"),
        "case_open": reverse("cases:case_open"),
        "case": reverse("cases:case_detail", args=[c]),
        "case_sharing": reverse("sharing:case_sharing", args=[c]),
        "assignment_add": reverse("cases:assignment_add", args=[c]),
        "goal_add": reverse("plans:goal_add", args=[c]),
        "milestone_add": reverse("plans:milestone_add", args=[c]),
        "review_add": reverse("plans:review_add", args=[c]),
        "case_close": reverse("cases:case_close", args=[c]),
        "milestone_handover": reverse("plans:milestone_handover", args=[world.milestone.id]),
        "review_handover": reverse("plans:review_handover", args=[world.review.id]),
        "person_list": reverse("cases:person_list"),
        "person_register": reverse("cases:person_register"),
        "person": reverse("cases:person_detail", args=[world.maya.id]),
        "team": reverse("workspace:team"),
        "portal": reverse("portal:home"),
    }


# page -> status for each of: sam nia sue hal ivy oz admin maya. 302 is a redirect
# (to the portal for maya, to the admin site for admin; anonymous always goes to sign-in).
# Every other professional page answers maya 404: it does not exist for a portal account.
# Anything inside a case, or about a person, is 404 for whoever cannot see it,
# including admins and service users: its existence must not leak.
#                          sam  nia  sue  hal  ivy  oz  admin maya
MATRIX = """
my_work                    200  200  200  200  200  200  302  302
case_list                  200  200  200  200  200  200  403  404
case_open                  200  200  200  200  200  200  403  404
case                       200  200  200  200  404  404  404  404
case_sharing               200  200  200  200  404  404  404  404
assignment_add             200  403  200  200  404  404  404  404
goal_add                   200  403  200  200  404  404  404  404
milestone_add              200  403  200  200  404  404  404  404
review_add                 200  403  200  200  404  404  404  404
case_close                 200  403  200  200  404  404  404  404
milestone_handover         200  200  200  200  404  404  404  404
review_handover            200  403  200  200  404  404  404  404
person_list                200  200  200  200  200  200  403  404
person_register            200  200  200  200  200  200  403  404
person                     200  200  200  200  404  404  404  404
team                       403  403  200  200  403  403  403  404
portal                     403  403  403  403  403  403  403  200
"""
# (nia is accountable for the milestone, so she may hand it over; sue for the review.)
EXPECTED = {
    row.split()[0]: dict(zip(USERS[:-1], map(int, row.split()[1:]), strict=True)) for row in MATRIX.strip().splitlines()
}

CASES = [(page, user) for page in EXPECTED for user in USERS]


@pytest.mark.parametrize(("page", "user"), CASES, ids=[f"{p}-{u or 'anonymous'}" for p, u in CASES])
def test_page_answers_each_user_as_the_matrix_says(world, login, page, user):
    client = login(user)
    url = _urls(world)[page]
    response = client.get(url)
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        return
    assert response.status_code == EXPECTED[page][user], response.content[:300]
