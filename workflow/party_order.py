"""The party organisation's natural order: 第一、第二、第三党小组 by their numerals (not by the
characters' code points, which put 第三 before 第二), and within a group the post-holders first
(处领导, 支部书记, 党小组长), then the members by 工号. Every list of groups or members uses it: the
staff wall, the queue's filter, the admin pages, the statistics."""

import re
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")

#: The posts in the order the wall and the organisation pages show them (the ladder, top first).
POST_ORDER: dict[str | None, int] = {"office_leader": 0, "branch_secretary": 1, "group_leader": 2}

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}
_NUMERAL = re.compile(r"[0-9]+|[〇零一二两三四五六七八九十百]+")


def chinese_number(text: str) -> int | None:
    """The value of a numeral written in Chinese (一, 十二, 二十三, 一百零五) or in digits, else None."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch] if digit is None else digit * 10 + _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def natural_key(name: str | None) -> tuple[Any, ...]:
    """A sort key reading each numeral in ``name`` by its value: 第二 before 第十, JF9 before JF10;
    no name (not in a group) sorts last."""
    if name is None or name == "":
        return (1,)
    parts: list[Any] = []
    at = 0
    for m in _NUMERAL.finditer(name):
        value = chinese_number(m.group())
        parts.extend([(0, name[at : m.start()]), (1, value if value is not None else 0)])
        at = m.end()
    parts.append((0, name[at:]))
    return (0, tuple(parts), name)


def sort_groups(names: Iterable[str]) -> list[str]:
    """Group names in their natural order (第一、第二、第三党小组 …)."""
    return sorted(names, key=natural_key)


def post_rank(post: str | None) -> int:
    """Where a post comes in a list of members: 处领导, 支部书记, 党小组长, then everyone else."""
    return POST_ORDER.get(post, len(POST_ORDER))


def member_key(post: str | None, staff_no: str) -> tuple[Any, ...]:
    """A member's place within a group: post-holders first, then by 工号 in natural order."""
    return (post_rank(post), natural_key(staff_no))


def sort_members(rows: Iterable[T], group: str = "group_name") -> list[T]:
    """Rows with ``post``, ``staff_no`` and a group (key or attribute ``group``) in the
    organisation's order: by group, naturally, then post-holders first, then by 工号."""

    def get(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return sorted(
        rows,
        key=lambda r: (natural_key(get(r, group)), member_key(get(r, "post"), get(r, "staff_no"))),
    )
