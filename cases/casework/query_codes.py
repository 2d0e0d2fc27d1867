"""Reissuing a lost 查询码: the owner or a supervisor checks the petitioner's identity, issues a new
code (the old one stops working at once), records the reissue on the case's audit chain, and can
send the new code to the petitioner's phone through the outbox.

The code itself is never stored in the clear: the case keeps its hash, the event says only how the
identity was checked, and a text message carries the code encrypted until the worker sends it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from cases.casework.reading import not_found
from cases.crypto import generate_query_code, hash_query_code
from cases.runtime import Runtime
from cases.store import chain, records
from cases.store.outbox import PETITIONER_RECIPIENT, notify
from cases.store.staff import get_actor
from cases.store.tables import case_t, petitioner_t
from workflow.errors import InvalidInput, PermissionDenied
from workflow.intake import validate_id_number, validate_phone

#: Who may reissue besides the case's owner.
REISSUE_ROLES = frozenset({"supervisor", "leader"})
#: How the petitioner's identity was checked, as the event and the page say it.
CHECKS = {"id_number": "核对身份证号码", "phone": "核对联系电话"}


def reissue(
    conn: Connection,
    rt: Runtime,
    *,
    case_no: str,
    actor_staff_no: str,
    id_number: str = "",
    phone: str = "",
    send_sms: bool = False,
    now: datetime,
) -> dict[str, Any]:
    """Issue a new 查询码 after the petitioner's ID number (or, without one on record, phone) is
    matched by blind index; returns ``{"case_no", "query_code", "checked", "sms"}``."""
    actor, _ = get_actor(conn, actor_staff_no)
    record = records.load_case(conn, case_no, for_update=True)
    if record is None:
        raise not_found(case_no)
    if actor.staff_no != record.owner_staff_no and actor.role not in REISSUE_ROLES:
        raise PermissionDenied(
            "permission.denied",
            "只有首接责任人或督办、领导可以重新发放查询码",
            action="reissue_query_code",
        )
    person = conn.execute(
        select(
            petitioner_t.c.id_number_index,
            petitioner_t.c.phone_index,
            petitioner_t.c.phone_enc,
        ).where(
            petitioner_t.c.id
            == select(case_t.c.petitioner_id).where(case_t.c.id == record.id).scalar_subquery()
        )
    ).one()
    checked = _check_identity(rt, person, id_number.strip(), phone.strip())
    if send_sms and not person.phone_enc:
        raise InvalidInput(
            "query_code.no_phone", "信访人未登记联系电话，不能短信发送", field="send_sms"
        )
    code = generate_query_code()
    conn.execute(
        update(case_t).where(case_t.c.id == record.id).values(query_code_hash=hash_query_code(code))
    )
    chain.system_event(
        conn,
        rt,
        case_no=case_no,
        action="query_code_reissued",
        payload={"checked": CHECKS[checked], "sms": "已发送短信" if send_sms else "当面告知"},
        now=now,
        actor_staff_no=actor.staff_no,
    )
    if send_sms:
        text = (
            f"您的信访事项 {case_no} 的查询码已重新发放：{code}，原查询码已作废。"
            "请凭案件编号和查询码查询办理进度。"
        )
        notify(
            conn,
            dedup_key=f"{case_no}:query_code:{now.isoformat()}:{code[:2]}",
            topic="petitioner_sms",
            recipient=PETITIONER_RECIPIENT,
            case_no=case_no,
            # Encrypted: the outbox is read by admins; only the worker decrypts, to send.
            payload={"to_enc": person.phone_enc, "text_enc": rt.cipher.encrypt(text)},
            now=now,
        )
    return {"case_no": case_no, "query_code": code, "checked": checked, "sms": send_sms}


def _check_identity(rt: Runtime, person: Any, id_number: str, phone: str) -> str:
    """Which check matched; the ID number when one is on record, else the phone."""
    if person.id_number_index:
        if not id_number:
            raise InvalidInput(
                "query_code.identity_required",
                "请输入信访人的身份证号码核对身份",
                field="id_number",
            )
        number = validate_id_number(id_number)
        if rt.cipher.blind_index(number) != person.id_number_index:
            raise InvalidInput(
                "query_code.identity_mismatch",
                "身份证号码与登记的信访人不符，不能重新发放查询码",
                field="id_number",
            )
        return "id_number"
    if person.phone_index and phone:
        if rt.cipher.blind_index(validate_phone(phone)) != person.phone_index:
            raise InvalidInput(
                "query_code.identity_mismatch",
                "联系电话与登记的信访人不符，不能重新发放查询码",
                field="phone",
            )
        return "phone"
    raise InvalidInput(
        "query_code.identity_required",
        "请输入信访人的身份证号码（未登记身份证号码的，输入登记的联系电话）核对身份",
        field="id_number",
    )
