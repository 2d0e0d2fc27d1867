"""workflow.escalation: every alert goes to the next post up held by someone who can act on it."""

import pytest

from workflow.escalation import Chain, level_reached, next_post_up, recipients

#: A plain member's ladder: group leader G, branch secretary B, office leader L.
MEMBER = Chain(owner="A", group_leader="G", branch_secretary="B", office_leader="L")
#: The owner is the group leader (a receptionist who leads her group).
LEADER = Chain(owner="G", group_leader="G", branch_secretary="B", office_leader="L")
#: The owner is the branch secretary: the group leader of her group is below her.
SECRETARY = Chain(owner="B", group_leader="G", branch_secretary="B", office_leader="L")
#: The owner is the office leader: nobody above.
TOP = Chain(owner="L", group_leader="G", branch_secretary="B", office_leader="L")


@pytest.mark.parametrize(
    ("chain", "overdue", "supervision", "flagged"),
    [
        (MEMBER, ["A", "G"], ["B"], ["L"]),
        (LEADER, ["G", "B"], ["B"], ["L"]),
        (SECRETARY, ["B", "L"], ["L"], ["L"]),
    ],
)
def test_each_level_tells_the_next_post_up_never_the_owner_alone(
    chain: Chain, overdue: list[str], supervision: list[str], flagged: list[str]
) -> None:
    assert recipients("warning", chain) == [chain.owner]  # 预警 is the owner's own
    told = {level: recipients(level, chain) for level in ("overdue", "supervision", "flagged")}
    assert told == {"overdue": overdue, "supervision": supervision, "flagged": flagged}
    for level, people in told.items():
        assert set(people) - {chain.owner}, f"{level} told only the owner"


def test_a_vacant_post_falls_to_the_next_one_up() -> None:
    no_leader = Chain(owner="A", branch_secretary="B", office_leader="L")
    assert recipients("overdue", no_leader) == ["A", "B"]
    no_secretary = Chain(owner="G", group_leader="G", office_leader="L")
    assert recipients("overdue", no_secretary) == ["G", "L"]
    assert recipients("supervision", no_secretary) == ["L"]
    # With nobody above, the highest other post-holder; with nobody at all, the owner.
    assert recipients("flagged", Chain(owner="A", group_leader="G")) == ["G"]
    assert recipients("overdue", Chain(owner="A")) == ["A"]


def test_the_actor_is_skipped_too() -> None:
    """A group leader who records a colleague's group visit is not told of it: her secretary is."""
    assert next_post_up(MEMBER) == "G"
    assert next_post_up(MEMBER, skip=["G"]) == "B"
    assert next_post_up(LEADER) == "B"
    assert next_post_up(SECRETARY) == "L"
    assert next_post_up(SECRETARY, skip=["L"]) == "G"  # nobody above: the highest other
    assert recipients("supervision", MEMBER, skip=["B"]) == ["L"]


def test_the_office_leaders_own_case_still_reaches_someone_else() -> None:
    assert recipients("flagged", TOP) == ["B"]
    assert recipients("overdue", TOP) == ["L", "B"]


def test_the_level_an_alert_reaches_when_it_falls_up() -> None:
    assert level_reached("supervision", "B", MEMBER) == "supervision"
    assert level_reached("supervision", "L", MEMBER) == "flagged"
    assert level_reached("overdue", "B", MEMBER) == "supervision"
    assert level_reached("flagged", "G", MEMBER) == "flagged"
