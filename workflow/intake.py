"""Intake validation: turn a submitted intake body into normalised, checked values (no DB, no clock)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, overload

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from workflow import regions as region_list
from workflow.errors import InvalidInput
from workflow.input_rules import day_in_range

__all__ = [
    "MAX_REPRESENTATIVES",
    "AccusedIn",
    "IntakeIn",
    "PetitionerIn",
    "ValidAccused",
    "ValidIntake",
    "ValidPerson",
    "mask_id_number",
    "mask_phone",
    "validate_id_number",
    "validate_intake",
    "validate_phone",
]

# 条例第二十条第三款: 多人采用走访形式提出同一信访事项的，应当推选代表，代表人数不超过5人。
MAX_REPRESENTATIVES = 5

# Raw input longer than this is not an identity or phone number; refuse before parsing it.
_MAX_RAW_NUMBER = 40

# First two digits of a GB 11643 number: provinces, plus 71/81/82/83 used by the residence
# permits of Taiwan, Hong Kong and Macao residents (港澳台居民居住证).
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82", "83"}
)

_ALLOWED_PHONE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


class _CheckError(Exception):
    """A refusal found by a shared check, before it knows which field it belongs to."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _nfkc(v: str) -> str:
    # Chinese input methods often produce full-width digits and letters (１３８…, Ｘ).
    return unicodedata.normalize("NFKC", v).strip()


def _check_id_number(v: str, today: date | None) -> str:
    # Deliberately not stdnum.cn.ric.validate(): its county table lags behind administrative
    # changes (e.g. 110119 before 2015), refuses the 港澳台居民居住证 codes 810000/820000/830000
    # and the 外国人永久居留身份证 (leading 9), and raises a bare KeyError for some codes
    # (e.g. 450306). A genuine card must never be refused at the counter; the GB 11643 check
    # digit already catches mistyped digits.
    if len(v) > _MAX_RAW_NUMBER:
        raise _CheckError("intake.id_number_invalid", "身份证号码应为18位")
    # People copy numbers in groups ("110105 19491231 002X"); stdnum's compact keeps spaces.
    number = ric.compact(re.sub(r"[\s-]", "", _nfkc(v)))
    if len(number) == 15 and number.isdigit():
        raise _CheckError(
            "intake.id_number_invalid", "身份证号码应为18位（15位旧号码请升位后填写）"
        )
    if len(number) != 18:
        raise _CheckError("intake.id_number_invalid", "身份证号码应为18位")
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or last not in "0123456789X":
        raise _CheckError("intake.id_number_invalid", "身份证号码前17位应为数字，末位应为数字或X")
    if number[-1] != ric.calc_check_digit(number):
        raise _CheckError("intake.id_number_invalid", "身份证号码校验位不正确，请核对")
    region = number[1:3] if number[0] == "9" else number[:2]
    if region not in _PROVINCES:
        raise _CheckError("intake.id_number_invalid", "身份证号码的地区码不正确")
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        raise _CheckError("intake.id_number_invalid", "身份证号码中的出生日期不正确") from None
    if today is not None and born > today:
        raise _CheckError("intake.id_number_invalid", "身份证号码中的出生日期晚于今天")
    return number


def _check_phone(v: str) -> str:
    if len(v) > _MAX_RAW_NUMBER:
        raise _CheckError("intake.phone_invalid", "联系电话格式不正确")
    try:
        parsed = phonenumbers.parse(_nfkc(v), "CN")
    except phonenumbers.NumberParseException:
        raise _CheckError("intake.phone_invalid", "联系电话格式不正确") from None
    if not phonenumbers.is_valid_number(parsed):
        raise _CheckError("intake.phone_invalid", "联系电话号码无效，固定电话请带区号")
    if phonenumbers.number_type(parsed) not in _ALLOWED_PHONE_TYPES:
        raise _CheckError("intake.phone_invalid", "联系电话应为手机或固定电话号码")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_id_number(
    v: str, *, field: str | None = "id_number", today: date | None = None
) -> str:
    """Check a GB 11643 identity number and return it in 18-character form with uppercase X."""
    try:
        return _check_id_number(v, today)
    except _CheckError as p:
        raise InvalidInput(p.code, p.message, field=field) from None


def validate_phone(v: str, *, field: str | None = "phone") -> str:
    """Check a mobile or fixed-line number (default region CN) and return it in E.164 form."""
    try:
        return _check_phone(v)
    except _CheckError as p:
        raise InvalidInput(p.code, p.message, field=field) from None


@overload
def mask_id_number(v: str) -> str: ...
@overload
def mask_id_number(v: None) -> None: ...
def mask_id_number(v: str | None) -> str | None:
    """Show only the first 4 and last 4 characters of an identity number."""
    if v is None:
        return None
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


@overload
def mask_phone(v: str) -> str: ...
@overload
def mask_phone(v: None) -> None: ...
def mask_phone(v: str | None) -> str | None:
    """Mask a stored E.164 number: 138****8000 for mobiles, 010-****6666 for fixed lines."""
    if v is None:
        return None
    try:
        parsed = phonenumbers.parse(v, "CN")
    except phonenumbers.NumberParseException:
        return "****" + v[-4:] if len(v) > 4 else "****"
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code != 86:
        return f"+{parsed.country_code}****{national[-4:]}"
    if len(national) == 11 and national.startswith("1"):
        return national[:3] + "****" + national[-4:]
    area = phonenumbers.length_of_geographical_area_code(parsed)
    if area:
        # Written the way Chinese fixed lines are: trunk prefix 0 + area code, then the number.
        return f"0{national[:area]}-****{national[-4:]}"
    return "****" + national[-4:]


def _blank_to_none(v: Any) -> Any:
    # Forms submit empty inputs as "": an empty optional field means "not given".
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _today(info: ValidationInfo) -> date | None:
    now = (info.context or {}).get("now")
    return now.date() if isinstance(now, datetime) else None


def _custom(p: _CheckError) -> PydanticCustomError:
    return PydanticCustomError(p.code, p.message)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class PetitionerIn(BaseModel):
    """A petitioner or a group's representative as submitted at intake."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    id_number: str | None = None
    phone: str | None = None
    address: Address | None = None

    @field_validator("id_number", "phone", "address", mode="before")
    @classmethod
    def _blanks(cls, v: Any) -> Any:
        return _blank_to_none(v)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return None
        try:
            return _check_id_number(v, _today(info))
        except _CheckError as p:
            raise _custom(p) from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is None:
            return None
        try:
            return _check_phone(v)
        except _CheckError as p:
            raise _custom(p) from None

    @model_validator(mode="after")
    def _reachable(self) -> PetitionerIn:
        # A letter may carry only a name and a postal address, but the office must be able to
        # reply somehow (条例第三十二条 written reply), so one way of reaching them is required.
        if self.id_number is None and self.phone is None and self.address is None:
            raise PydanticCustomError(
                "intake.no_contact", "应至少填写身份证号码、联系电话或地址中的一项"
            )
        return self


class AccusedIn(BaseModel):
    """The person or unit an accusation (检举控告) is about."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None

    @field_validator("name", "unit", mode="before")
    @classmethod
    def _blanks(cls, v: Any) -> Any:
        return _blank_to_none(v)


class IntakeIn(BaseModel):
    """The intake body of contract.md; pass `context={"now": ..., "regions": ...}` to check dates
    against now and the region code against the office's list."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["visit", "letter", "call", "online"]
    category: Literal["suggestion", "accusation", "appeal"]
    petitioner: PetitionerIn
    region_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    content: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)
    ]
    requests: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    group_size: int = 1
    # validate_default: the group rule must also fire when the list is simply left out.
    representatives: list[PetitionerIn] = Field(default_factory=list, validate_default=True)
    received_at: datetime | None = None
    accused: AccusedIn | None = None

    @field_validator("region_code", mode="before")
    @classmethod
    def _region_digits(cls, v: Any) -> Any:
        return _nfkc(v) if isinstance(v, str) else v

    @field_validator("region_code")
    @classmethod
    def _region_listed(cls, v: str, info: ValidationInfo) -> str:
        # The office's list (GB/T 2260 with its amendments) rides in the context; the bundled
        # list where none is given. An unknown code would be offered as a transfer target.
        listed = (info.context or {}).get("regions") or region_list.bundled()
        if listed.accepts(v):
            return v
        region = listed.region(v)
        if region is not None:
            raise PydanticCustomError(
                "intake.region_unknown",
                "行政区划{label}已撤销，请选择现行的行政区划",
                {"label": listed.label(v)},
            )
        raise PydanticCustomError(
            "intake.region_unknown",
            "行政区划代码{code}不在行政区划表（GB/T 2260）中，请核对，或按省、市、县逐级选择",
            {"code": v},
        )

    @field_validator("group_size", mode="before")
    @classmethod
    def _group_size_not_bool(cls, v: Any) -> Any:
        # pydantic's lax mode reads true as 1; a checkbox value is not a head count.
        if isinstance(v, bool):
            raise PydanticCustomError("intake.group_size_invalid", "来访人数应为1至10000的整数")
        return v

    @field_validator("group_size")
    @classmethod
    def _group_size(cls, v: int) -> int:
        if not 1 <= v <= 10000:
            raise PydanticCustomError("intake.group_size_invalid", "来访人数应为1至10000的整数")
        return v

    @field_validator("representatives")
    @classmethod
    def _representatives(cls, v: list[PetitionerIn], info: ValidationInfo) -> list[PetitionerIn]:
        group_size = info.data.get("group_size")
        if group_size is None:  # group_size itself was refused; that error is enough
            return v
        if group_size > 1 and not v:
            raise PydanticCustomError(
                "intake.representatives_required",
                "多人来访应推选代表（1至5人），请填写代表信息（《信访工作条例》第二十条）",
            )
        if len(v) > MAX_REPRESENTATIVES:
            raise PydanticCustomError(
                "intake.too_many_representatives",
                "代表人数不得超过5人（《信访工作条例》第二十条），当前为{count}人",
                {"count": len(v)},
            )
        if v and group_size == 1:
            raise PydanticCustomError(
                "intake.representatives_without_group",
                "只有多人来访才需填写代表，请先填写来访人数",
            )
        if len(v) > group_size:
            raise PydanticCustomError(
                "intake.too_many_representatives",
                "代表人数（{count}人）不能多于来访人数（{group_size}人）",
                {"count": len(v), "group_size": group_size},
            )
        return v

    @field_validator("received_at")
    @classmethod
    def _received_at(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        if v is None:
            return None
        if v.tzinfo is None or v.utcoffset() is None:
            # A naive time is ambiguous (server vs office vs UTC) and would shift deadlines.
            raise PydanticCustomError(
                "intake.received_at_naive",
                "接收时间须带时区，如 2026-11-26T09:30:00+08:00",
            )
        if not day_in_range(v):
            raise PydanticCustomError(
                "input.date_out_of_range",
                "接收时间超出可受理的日期范围（1900年至2100年）",
            )
        now = (info.context or {}).get("now")
        if isinstance(now, datetime) and v > now:
            raise PydanticCustomError("intake.received_in_future", "接收时间不能晚于当前时间")
        return v


# --- normalised result -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidPerson:
    """A checked petitioner or representative; id_number is 18 chars, phone is E.164."""

    name: str
    id_number: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class ValidAccused:
    """The accused person or unit, stripped."""

    name: str | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class ValidIntake:
    """A checked, normalised intake ready to be stored."""

    channel: str
    category: str
    petitioner: ValidPerson
    region_code: str
    subject: str
    content: str
    requests: str
    group_size: int
    representatives: tuple[ValidPerson, ...]
    received_at: datetime
    accused: ValidAccused | None
    confidential: bool


def _person(p: PetitionerIn) -> ValidPerson:
    return ValidPerson(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address)


def validate_intake(
    body: Mapping[str, Any], *, now: datetime, regions: region_list.Regions | None = None
) -> ValidIntake:
    """Check an intake body against `now` and the office's list of ``regions`` (the bundled
    GB/T 2260 list when None); raise InvalidInput listing every bad field."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    try:
        model = IntakeIn.model_validate(body, context={"now": now, "regions": regions})
    except ValidationError as exc:
        raise _invalid_input(exc) from exc
    accused = model.accused
    return ValidIntake(
        channel=model.channel,
        category=model.category,
        petitioner=_person(model.petitioner),
        region_code=model.region_code,
        subject=model.subject,
        content=model.content,
        requests=model.requests,
        group_size=model.group_size,
        representatives=tuple(_person(r) for r in model.representatives),
        received_at=model.received_at or now,
        accused=ValidAccused(name=accused.name, unit=accused.unit)
        if accused is not None and (accused.name or accused.unit)
        else None,
        # 条例第三十条第三款: the accuser's identity and materials must never reach the accused.
        confidential=model.category == "accusation",
    )


# --- pydantic errors → Chinese messages -------------------------------------------------------

_TOP_LABELS = {
    "channel": "信访形式",
    "category": "信访事项类别",
    "petitioner": "信访人",
    "region_code": "行政区划代码",
    "subject": "信访事项标题",
    "content": "信访内容",
    "requests": "诉求",
    "group_size": "来访人数",
    "representatives": "代表名单",
    "received_at": "接收时间",
    "accused": "被反映人",
}
_PERSON_LABELS = {"name": "姓名", "id_number": "身份证号码", "phone": "联系电话", "address": "地址"}
_ACCUSED_LABELS = {"name": "姓名", "unit": "单位"}

_LITERAL_MESSAGES = {
    "channel": "信访形式应为 visit（来访）、letter（来信）、call（来电）或 online（网上）",
    "category": "信访事项类别应为 suggestion（建议意见类）、accusation（检举控告类）"
    "或 appeal（申诉求决类）",
}


def _owner_label(loc: tuple[int | str, ...]) -> tuple[str, dict[str, str], tuple[int | str, ...]]:
    """Split a location into who it is about (信访人, 第2位代表…), their labels, and the rest."""
    if loc and loc[0] == "petitioner":
        return "信访人", _PERSON_LABELS, loc[1:]
    if len(loc) >= 2 and loc[0] == "representatives" and isinstance(loc[1], int):
        return f"第{loc[1] + 1}位代表", _PERSON_LABELS, loc[2:]
    if loc and loc[0] == "accused":
        return "被反映人", _ACCUSED_LABELS, loc[1:]
    return "", _TOP_LABELS, loc


def _describe(err: Mapping[str, Any]) -> dict[str, str | None]:
    loc: tuple[int | str, ...] = tuple(err["loc"])
    path = ".".join(str(part) for part in loc) or None
    kind: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    owner, labels, rest = _owner_label(loc)
    leaf = str(rest[0]) if rest else (str(loc[0]) if loc else "body")
    label = owner + labels.get(leaf, leaf) if rest else (owner or _TOP_LABELS.get(leaf, leaf))

    if kind.startswith(("intake.", "input.")):
        # Our own checks: the message is already Chinese and says what is wrong with the field.
        return {"field": path, "code": kind, "message": owner + err["msg"]}
    if not loc:
        return {"field": None, "code": "intake.body_invalid", "message": "登记内容应为 JSON 对象"}
    if kind == "extra_forbidden":
        return {"field": path, "code": "intake.unknown_field", "message": f"不认识的字段：{path}"}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return {"field": path, "code": f"intake.{leaf}_required", "message": f"{label}不能为空"}
    if kind == "string_too_long":
        return {
            "field": path,
            "code": f"intake.{leaf}_too_long",
            "message": f"{label}不能超过{ctx.get('max_length')}个字",
        }
    if kind == "literal_error" and leaf in _LITERAL_MESSAGES:
        message = _LITERAL_MESSAGES[leaf]
    elif leaf == "region_code" and err.get("input") == "":
        return {
            "field": path,
            "code": "intake.region_code_required",
            "message": "行政区划不能为空：请逐级选择，或填写6位行政区划代码",
        }
    elif leaf == "region_code":
        message = "行政区划代码应为6位数字"
    elif leaf == "group_size":
        message = "来访人数应为1至10000的整数"
    elif leaf == "received_at":
        message = "接收时间格式不正确，应为带时区的时间，如 2026-11-26T09:30:00+08:00"
    elif kind == "string_type":
        message = f"{label}应为文字"
    elif kind == "list_type":
        message = f"{label}应为列表"
    elif kind in {"model_type", "model_attributes_type", "dict_type"}:
        message = f"{label}应为对象"
    else:
        message = f"{label}格式不正确"
    return {"field": path, "code": f"intake.{leaf}_invalid", "message": message}


def _invalid_input(exc: ValidationError) -> InvalidInput:
    errors = [_describe(e) for e in exc.errors(include_url=False)]
    first = errors[0]
    message = first["message"] or ""
    if len(errors) > 1:
        message += f"（另有{len(errors) - 1}处需要更正）"
    return InvalidInput(
        first["code"] or "intake.invalid", message, field=first["field"], errors=errors
    )
