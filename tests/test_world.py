"""The shared world is built through services and holds the visibility rules it promises."""

from cases.selectors import case_list_visible_to


def test_case_is_visible_to_team_members_and_their_team_leads_only(world):
    visible = {
        p.user.username
        for p in (world.sam, world.nia, world.sue, world.hal, world.ivy, world.oz)
        if case_list_visible_to(user=p.user).filter(pk=world.case.pk).exists()
    }
    assert visible == {"sam", "nia", "sue", "hal"}


def test_case_reference_has_year_and_five_digits(world):
    assert world.case.reference.startswith("C-") and len(world.case.reference) == len("C-2026-00001")
