"""The party organisation's natural order, and the wall's rule for showing a 满意率."""

from workflow.measures import public_satisfaction, public_satisfaction_text
from workflow.party_order import chinese_number, sort_groups, sort_members


def test_groups_go_by_their_numerals_not_by_code_points() -> None:
    names = ["第三党小组", "第十党小组", "第一党小组", "第二党小组", "第十二党小组"]
    assert sorted(names) != sort_groups(names)  # code points put 第三 before 第二
    assert sort_groups(names) == [
        "第一党小组",
        "第二党小组",
        "第三党小组",
        "第十党小组",
        "第十二党小组",
    ]
    assert [chinese_number(t) for t in ("一", "十", "十二", "二十三", "一百零五", "12")] == [
        1,
        10,
        12,
        23,
        105,
        12,
    ]


def test_post_holders_come_first_then_by_job_number() -> None:
    rows = [
        {"staff_no": "JF10", "post": None, "group_name": "第二党小组"},
        {"staff_no": "JF9", "post": None, "group_name": "第二党小组"},
        {"staff_no": "JF11", "post": "group_leader", "group_name": "第二党小组"},
        {"staff_no": "JF05", "post": None, "group_name": None},
        {"staff_no": "JF03", "post": None, "group_name": "第一党小组"},
        {"staff_no": "JF04", "post": "branch_secretary", "group_name": "第一党小组"},
        {"staff_no": "JF07", "post": "office_leader", "group_name": "第一党小组"},
    ]
    assert [r["staff_no"] for r in sort_members(rows)] == [
        "JF07",
        "JF04",
        "JF03",
        "JF11",
        "JF9",
        "JF10",
        "JF05",
    ]


def test_a_rate_is_shown_only_over_the_minimum_number_of_ratings() -> None:
    assert public_satisfaction(0.75, 4, 5) is None
    assert public_satisfaction_text(0.75, 4, 5) == "评价不足5件"
    assert public_satisfaction(0.8, 5, 5) == 0.8
    assert public_satisfaction_text(0.8, 5, 5) == "满意率 80%（5件评价）"
    assert public_satisfaction(None, 0, 5) is None
    # A minimum of 0 still needs one rating: no rate of nothing.
    assert public_satisfaction(None, 0, 0) is None
    assert public_satisfaction_text(None, 0, 0) == "评价不足1件"
    assert public_satisfaction(1.0, 1, 0) == 1.0
