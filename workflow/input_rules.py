"""What any input may hold, whoever sends it: no control characters, no bidi overrides, no text
made only of invisible characters, dates within 1900–2100, ids within the database's integers.

The web edge checks every request's text against ``text_problem`` once (``api.input_guard``); the
rules that parse dates call ``check_day``. Pure functions: no database, no HTTP.
"""

import re
from datetime import date, datetime

from workflow.errors import InvalidInput

#: The largest row id: the database's integers are 32-bit signed (a larger number names nothing).
MAX_ID = 2**31 - 1
#: Dates before or after these name no petition and overflow date arithmetic (year 1, 9999).
FIRST_YEAR, LAST_YEAR = 1900, 2100

#: C0 and C1 control characters (NUL among them): nothing a person types.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The same, less newline, carriage return and tab: what long text (a matter's content, an
#: opinion, a note) may not hold (a textarea sends CR LF).
CONTROL_IN_LONG_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what a
#: reader sees (a name that reads one way and sorts, searches and prints another).
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Characters that show nothing: a value made only of these (and spaces) is blank to the eye.
INVISIBLE_ONLY = re.compile(
    "[\\s\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u200e\u200f\u3164\u115f]+"
)


def text_problem(value: str, *, long_text: bool = False) -> tuple[str, str] | None:
    """Why ``value`` cannot be taken, as (machine code, Chinese reason), or None when it can."""
    found = (CONTROL_IN_LONG_TEXT if long_text else CONTROL).search(value)
    if found:
        ch = found.group()
        if ch in "\n\r\t":
            return "input.line_break", "不能包含换行符或制表符"
        return "input.control_char", f"含有不可见的控制字符（U+{ord(ch):04X}），请删除后重试"
    found = BIDI_CONTROL.search(value)
    if found:
        return (
            "input.bidi_control",
            f"含有改变文字方向的控制字符（U+{ord(found.group()):04X}），请删除后重试",
        )
    if value.strip() and INVISIBLE_ONLY.fullmatch(value):
        return "input.invisible_only", "只含不可见字符（如零宽空格），请填写实际内容"
    return None


def check_text(value: str, field: str, *, label: str = "", long_text: bool = False) -> str:
    """``value`` if it may be taken; else ``InvalidInput`` (422) naming ``field``."""
    found = text_problem(value, long_text=long_text)
    if found is not None:
        code, reason = found
        raise InvalidInput(code, f"「{label or field}」{reason}", field=field)
    return value


def day_in_range(d: date) -> bool:
    """Whether a date (or an instant's date) lies within 1900–2100."""
    return FIRST_YEAR <= d.year <= LAST_YEAR


def check_day(d: date, field: str, label: str = "") -> date:
    """``d`` if it lies within 1900–2100; else ``InvalidInput`` (422) naming ``field``."""
    if not day_in_range(d):
        shown = d.isoformat()[:10] if isinstance(d, date | datetime) else str(d)
        raise InvalidInput(
            "input.date_out_of_range",
            f"「{label or field}」{shown}超出可受理的日期范围（{FIRST_YEAR}年至{LAST_YEAR}年）",
            field=field,
        )
    return d
