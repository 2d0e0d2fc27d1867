"""Each action's fields, declared once: what it asks for, in Chinese, and how it is checked.

``validate_payload`` reads these declarations to check a payload, and the case page builds each
action's form from the same ones (labels, kinds, required marks, choices, number bounds), so a
limit such as the extension's 30 days (条例第三十四条) is written in one place. The rules that
join a field to the case (a report-back date after today, a partner's acceptance not before the
transfer) follow the declared checks.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from workflow.errors import InvalidInput
from workflow.glossary import REQUEST_WAYS
from workflow.input_rules import check_day
from workflow.lifecycle import OUTCOMES, RATINGS, REASSIGN_REASONS, REJECT_REASONS, CaseFacts
from workflow.periods import MAX_EXTENSION_DAYS
from workflow.waiver import WAIVER_WAYS, check_waiver


@dataclass(frozen=True)
class Field:
    """One field of an action: its name, Chinese label, kind and limits."""

    name: str
    label: str
    #: text · textarea · date · number · select · staff (a colleague's 工号) · group (``fields``)
    kind: str
    required: bool = True
    #: Required on the staff's form though the API may leave it out (the contract's payload).
    window_required: bool = False
    max_len: int = 5000
    choices: Mapping[str, str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    #: What the form adds after the label, e.g. the allowed range.
    hint: str = ""
    #: What a refusal calls the value and the article that sets its limit, when they differ.
    refusal: str = ""
    #: A group's own fields: the payload carries them as one object under the group's name, the
    #: form as ``group.field`` inputs.
    fields: tuple["Field", ...] = ()

    @property
    def form_label(self) -> str:
        """The label as the form shows it, with its hint."""
        return f"{self.label}（{self.hint}）" if self.hint else self.label

    @property
    def options(self) -> list[tuple[str, str]]:
        """The choices as (value, Chinese) pairs, in order."""
        return list((self.choices or {}).items())

    def within(self, group: str) -> "Field":
        """This field as a member of ``group``: named ``group.name`` in forms and refusals."""
        return replace(self, name=f"{group}.{self.name}")


REJECT_CHOICES = {code: label for code, (label, _) in REJECT_REASONS.items()}

#: Each action's fields (an action not listed takes none).
FIELDS: dict[str, tuple[Field, ...]] = {
    "reject": (
        Field("reason_code", "不予受理理由", "select", choices=REJECT_CHOICES),
        Field("guidance", "告知信访人", "textarea", required=False, hint="可不填，用默认告知语"),
    ),
    "transfer": (Field("organ", "转送机关", "text", max_len=200),),
    "assign": (
        Field("organ", "交办机关", "text", max_len=200),
        Field("report_by", "报结日期", "date"),
    ),
    "record_partner_acceptance": (Field("accepted_on", "转送机关受理日期", "date"),),
    "report_back": (Field("summary", "办结报告", "textarea"),),
    "extend": (
        Field(
            "days",
            "延长天数",
            "number",
            minimum=1,
            maximum=MAX_EXTENSION_DAYS,
            hint=f"1至{MAX_EXTENSION_DAYS}日",
            refusal=f"延长期限应为1至{MAX_EXTENSION_DAYS}日（《信访工作条例》第三十四条）",
        ),
        Field("reason", "延期理由", "textarea", max_len=1000),
    ),
    "reply": (
        Field("outcome", "处理意见", "select", choices=OUTCOMES),
        Field("opinion", "处理意见书内容", "textarea", max_len=20000),
    ),
    "reply_review": (Field("opinion", "复查意见书内容", "textarea", max_len=20000),),
    "reply_reexamination": (Field("opinion", "复核意见书内容", "textarea", max_len=20000),),
    "reassign": (
        Field("to_staff_no", "新的首接责任人", "staff", max_len=32),
        Field("reason_code", "变更原因", "select", required=False, choices=REASSIGN_REASONS),
        Field("reason", "变更说明", "textarea", max_len=1000),
    ),
    "note": (Field("text", "跟踪记录", "textarea"),),
    # 撤回 only on the petitioner's own request, written or recorded: when, how and what they said.
    "withdraw": (
        Field(
            "request",
            "信访人的撤回请求",
            "group",
            # The contract's API takes {reason} alone; the window's form insists.
            required=False,
            window_required=True,
            hint="信访人书面申请、当面提出或电话记录的日期与方式",
            fields=(
                Field("date", "请求日期", "date"),
                Field("how", "请求方式", "select", choices=REQUEST_WAYS),
            ),
        ),
        Field("reason", "撤回理由（信访人请求的内容）", "textarea", max_len=2000),
    ),
    # 条例第三十五条、第三十六条: required while the petitioner's window is still open.
    "close": (
        Field(
            "waiver",
            "信访人不申请复查（复核）的表示",
            "group",
            required=False,
            hint="请求期限届满前办结须填写",
            fields=(
                Field("date", "表示日期", "date"),
                Field("how", "表示方式", "select", choices=WAIVER_WAYS),
            ),
        ),
    ),
    "record_evaluation": (
        Field("rating", "信访人评价", "select", choices=RATINGS),
        Field("comment", "评价意见", "textarea", required=False, max_len=1000, hint="可不填"),
    ),
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked(field: Field, value: Any) -> Any:
    """One present value checked against its declaration and normalised."""
    if field.kind == "group":
        if not isinstance(value, Mapping):
            raise InvalidInput(
                f"payload.{field.name}_invalid",
                f"{field.label}应包括" + "、".join(f.label for f in field.fields),
                field=field.name,
            )
        return _group(field, value)
    if field.kind == "select":
        if value not in (field.choices or {}):
            names = "、".join(
                k if k == v else f"{k}（{v}）" for k, v in (field.choices or {}).items()
            )
            raise InvalidInput(
                f"payload.{field.name}_invalid",
                f"{field.label}应为以下之一：{names}",
                field=field.name,
            )
        return str(value)
    if field.kind == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return check_day(value, field.name, field.label)
        try:
            day = date.fromisoformat(str(value))
        except (TypeError, ValueError):
            raise InvalidInput(
                f"payload.{field.name}_invalid",
                f"{field.label}应为日期，格式如2026-12-31",
                field=field.name,
            ) from None
        return check_day(day, field.name, field.label)
    if field.kind == "number":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        low, high = field.minimum, field.maximum
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            raise InvalidInput(
                f"payload.{field.name}_invalid",
                field.refusal or f"{field.label}应为{field.hint or '整数'}",
                field=field.name,
            )
        return value
    if not isinstance(value, str):
        raise InvalidInput(
            f"payload.{field.name}_required", f"请填写{field.label}", field=field.name
        )
    value = value.strip()
    if len(value) > field.max_len:
        raise InvalidInput(
            f"payload.{field.name}_too_long",
            f"{field.label}不能超过{field.max_len}个字",
            field=field.name,
        )
    return value


def _group(group: Field, value: Mapping[str, Any]) -> dict[str, Any]:
    """A group's fields, each checked under its qualified name (``waiver.date``)."""
    members = [(field, field.within(group.name)) for field in group.fields]
    checked = _fields(tuple(m for _, m in members), {m.name: value.get(f.name) for f, m in members})
    return {f.name: checked[m.name] for f, m in members if m.name in checked}


def _fields(fields: tuple[Field, ...], payload: Mapping[str, Any]) -> dict[str, Any]:
    """Every field checked; an optional one left blank (a group: all of it) is left out."""
    out: dict[str, Any] = {}
    for field in fields:
        value = payload.get(field.name)
        if _blank(value) or (
            field.kind == "group"
            and isinstance(value, Mapping)
            and all(_blank(value.get(f.name)) for f in field.fields)
        ):
            if field.required:
                if field.kind in ("select", "date", "number"):
                    _checked(field, value)  # says what it should be
                raise InvalidInput(
                    f"payload.{field.name}_required", f"请填写{field.label}", field=field.name
                )
            continue
        out[field.name] = _checked(field, value)
    return out


def check_window_fields(action: str, payload: Mapping[str, Any]) -> None:
    """Refuse a staff form that leaves out a field the window must ask (``window_required``)."""
    for field in FIELDS.get(action, ()):
        value = payload.get(field.name)
        if field.window_required and (
            _blank(value) or (isinstance(value, Mapping) and all(map(_blank, value.values())))
        ):
            raise InvalidInput(
                f"payload.{field.name}_required", f"请填写{field.label}", field=field.name
            )


def payload_from_form(action: str, get: Any) -> dict[str, Any]:
    """An action's payload from its form (``get(name)`` reads one input): groups as objects."""
    out: dict[str, Any] = {}
    for f in FIELDS.get(action, ()):
        if f.kind == "group":
            out[f.name] = {sub.name: get(sub.within(f.name).name) for sub in f.fields}
        else:
            out[f.name] = get(f.name)
    return out


def validate_payload(
    action: str, payload: Mapping[str, Any], facts: CaseFacts, today: date
) -> dict[str, Any]:
    """Check an action's fields and return them normalised; raise ``InvalidInput`` when wrong."""
    out = _fields(FIELDS.get(action, ()), payload)
    if action == "reject":
        out.setdefault("guidance", REJECT_REASONS[out["reason_code"]][1])
    elif action == "assign":
        if out["report_by"] <= today:
            raise InvalidInput("payload.report_by_past", "报结日期应晚于今天", field="report_by")
        out["report_by"] = out["report_by"].isoformat()
    elif action == "record_partner_acceptance":
        accepted_on = out["accepted_on"]
        if accepted_on > today:
            raise InvalidInput(
                "payload.accepted_on_future", "受理日期不能晚于今天", field="accepted_on"
            )
        if facts.transferred_on and accepted_on < facts.transferred_on:
            raise InvalidInput(
                "payload.accepted_on_before_transfer",
                "受理日期不能早于转送日期",
                field="accepted_on",
            )
        out["accepted_on"] = accepted_on.isoformat()
    elif action == "withdraw" and "request" in out:
        said_on = out["request"]["date"]
        if said_on > today:
            raise InvalidInput(
                "withdraw.request_in_future", "撤回请求的日期不能晚于今天", field="request.date"
            )
        if facts.received_on and said_on < facts.received_on:
            raise InvalidInput(
                "withdraw.request_before_receipt",
                f"撤回请求的日期不能早于接收日期（{facts.received_on.isoformat()}）",
                field="request.date",
            )
        out["request"] = {**out["request"], "date": said_on.isoformat()}
    elif action == "close":
        waiver = check_waiver(out.pop("waiver", None), facts, today)
        if waiver is not None:
            out["waiver"] = waiver
    return out
