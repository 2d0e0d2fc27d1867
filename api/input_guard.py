"""Every request's input checked once, before any route reads it (``workflow.input_rules``): path
parameters, the query, form fields and every string of a JSON body, on the pages and the API alike,
signed in or not.

A value with a control character (NUL among them; newline and tab only in long text), a bidi
override, or nothing but invisible characters is refused 422 with its field named; an id past the
database's integers names nothing (404), so it never reaches a statement that would overflow.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from workflow.actions import FIELDS
from workflow.errors import InvalidInput, NotFound
from workflow.input_rules import MAX_ID, text_problem

#: Fields whose text may run over several lines (textareas, and the API's bodies for them).
LONG_TEXT = frozenset(
    {"content", "requests", "contact_summary", "comment", "answer", "note", "summary"}
    | {
        f.name
        for fields in FIELDS.values()
        for group in fields
        for f in (group, *group.fields)
        if f.kind == "textarea"
    }
)
#: What the forms call their fields, so a refusal on a page reads 「信访人姓名」, not a code.
LABELS = {
    "staff_no": "工号",
    "username": "工号",
    "password": "密码",
    "case_no": "案件编号",
    "code": "查询码",
    "q": "查询内容",
    "petitioner.name": "信访人姓名",
    "petitioner.address": "信访人地址",
    "petitioner.id_number": "身份证号码",
    "petitioner.phone": "联系电话",
    "name": "姓名",
    "subject": "标题",
    "content": "信访内容",
    "requests": "诉求",
    "address": "地址",
    "pledge": "一句话承诺",
    "text": "内容",
    "reason": "理由",
    "answer": "答复",
    "comment": "评价意见",
    "organ": "机关",
}
#: Fields that name a row (or its version) by number.
ID_FIELD = re.compile(r"(^|_)(id|version)$")
DIGITS = re.compile(r"[+-]?[0-9]+")
#: How deep a JSON body is walked (no body the API takes nests further).
MAX_DEPTH = 32


def _refuse_id(name: str, value: str) -> None:
    # Past the database's integers: no row has it, and the statement would overflow (a 500).
    if ID_FIELD.search(name) and DIGITS.fullmatch(value.strip()) and abs(int(value)) > MAX_ID:
        raise NotFound("not_found", f"找不到编号为 {value[:30]} 的记录", field=name)


def check_value(name: str, value: str, where: str = "") -> None:
    """Refuse one named value (422, or 404 for an id past the database's integers)."""
    _refuse_id(name, value)
    leaf = name.rsplit(".", 1)[-1]
    found = text_problem(value, long_text=leaf in LONG_TEXT)
    if found is not None:
        code, reason = found
        # The field's own name (a code) only where the forms have no label for it.
        shown = LABELS.get(name) or LABELS.get(leaf) or name
        raise InvalidInput(code, f"{where}「{shown}」{reason}", field=name)


def _json_strings(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Each string in a JSON value (keys too), with the dotted path of the field it is in."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key)
            yield from _json_strings(item, inner, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}.{i}" if path else str(i), depth + 1)


def check_json(body: Any) -> None:
    """Refuse a JSON body holding text no field may hold (the command line's ``--json`` too)."""
    for name, value in _json_strings(body):
        check_value(name or "body", value, "请求内容")


async def guard_input(request: Request) -> None:
    """The app-wide dependency: refuse a request whose input no rule should ever see."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_value(name, value, "路径参数")
    for name, value in request.query_params.multi_items():
        check_value(name, value, "查询参数")
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Starlette keeps the parsed form on the request: the route reads this same one.
        form = await request.form()
        for name, value in form.multi_items():
            if not isinstance(value, UploadFile):
                check_value(name, value)
    elif kind.endswith("json"):
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            return  # not JSON (or nested past reason): the route's own reading refuses it
        check_json(body)
