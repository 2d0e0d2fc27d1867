"""Each person's notification channels: on or off, their e-mail address and mobile number.

The worker reads ``channels_by_recipient`` to fan a message out; the inbox page reads and saves
the rest. The mobile number is stored encrypted (``StaffContact``), shown masked.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from cases.notify.channels import CHANNEL_LABELS, CHANNELS, ChannelConfig
from cases.notify.tables import contact_t, pref_t
from cases.runtime import Runtime
from cases.store.tables import staff_t
from workflow.errors import InvalidInput, NotFound
from workflow.intake import mask_phone, validate_phone

#: A channel the user has not chosen about: on (it still needs an address and the office's setup).
DEFAULT_ENABLED: dict[str, bool] = {"email": True, "webhook": True, "sms": True}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def channels_by_recipient(
    conn: Connection, staff_nos: Iterable[str], configured: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Per 工号, the configured channels the person has an address for and has not turned off."""
    if not configured:
        return {}
    rows = conn.execute(
        select(
            staff_t.c.id,
            staff_t.c.staff_no,
            staff_t.c.email,
            contact_t.c.phone_enc,
        )
        .outerjoin(contact_t, contact_t.c.staff_id == staff_t.c.id)
        .where(staff_t.c.staff_no.in_(sorted(set(staff_nos))), staff_t.c.active.is_(True))
    ).all()
    prefs = preferences_of(conn, [r.id for r in rows])
    out: dict[str, tuple[str, ...]] = {}
    for r in rows:
        has_address = {"email": bool(r.email), "sms": bool(r.phone_enc), "webhook": True}
        out[r.staff_no] = tuple(
            c
            for c in configured
            if has_address[c] and prefs.get(r.id, {}).get(c, DEFAULT_ENABLED[c])
        )
    return out


def preferences_of(conn: Connection, staff_ids: Sequence[int]) -> dict[int, dict[str, bool]]:
    """Per staff id, the channels they chose about (on or off); unchosen channels are absent."""
    out: dict[int, dict[str, bool]] = {}
    if staff_ids:
        for row in conn.execute(select(pref_t).where(pref_t.c.staff_id.in_(list(staff_ids)))):
            out.setdefault(row.staff_id, {})[row.channel] = row.enabled
    return out


def _staff_id(conn: Connection, staff_no: str) -> Any:
    """The staff row's id and e-mail address (else not found)."""
    row = conn.execute(
        select(staff_t.c.id, staff_t.c.email).where(staff_t.c.staff_no == staff_no)
    ).first()
    if row is None:
        raise NotFound("staff.not_found", f"没有工号为 {staff_no} 的工作人员")
    return row


def preferences(
    conn: Connection, staff_no: str, config: ChannelConfig | None = None
) -> dict[str, Any]:
    """A person's channels: on or off, the address used, and whether the office set it up."""
    config = config or ChannelConfig.from_env()
    me = _staff_id(conn, staff_no)
    prefs = preferences_of(conn, [me.id]).get(me.id, {})
    phone = conn.execute(
        select(contact_t.c.phone_masked).where(contact_t.c.staff_id == me.id)
    ).scalar()
    configured = config.configured()
    address = {"email": me.email, "sms": phone, "webhook": None}
    return {
        "channels": [
            {
                "channel": c,
                "label": CHANNEL_LABELS[c],
                "enabled": prefs.get(c, DEFAULT_ENABLED[c]),
                "configured": c in configured,
                "address": address[c],
            }
            for c in CHANNELS
        ],
        "email": me.email or "",
        "phone_masked": phone or "",
    }


def set_preferences(
    conn: Connection,
    rt: Runtime,
    staff_no: str,
    *,
    enabled: Mapping[str, bool],
    now: datetime,
    email: str | None = None,
    phone: str | None = None,
) -> None:
    """Save a person's channel choices and, when given, their e-mail address and mobile number."""
    me = _staff_id(conn, staff_no)
    if email is not None:
        email = email.strip()
        if email and (len(email) > 200 or not _EMAIL.match(email)):
            raise InvalidInput("contact.bad_email", "电子邮件地址格式不正确", field="email")
        conn.execute(update(staff_t).where(staff_t.c.id == me.id).values(email=email or None))
    if phone is not None:
        phone = phone.strip()
        values: dict[str, Any] = {"phone_enc": None, "phone_masked": None, "updated_at": now}
        if phone:
            number = validate_phone(phone, field="phone")
            values.update(phone_enc=rt.cipher.encrypt(number), phone_masked=mask_phone(number))
        conn.execute(contact_t.delete().where(contact_t.c.staff_id == me.id))
        conn.execute(contact_t.insert().values(staff_id=me.id, **values))
    for channel, on in enabled.items():
        if channel not in CHANNELS:
            raise InvalidInput("preference.bad_channel", f"未知的通知方式：{channel}")
        conn.execute(pref_t.delete().where(pref_t.c.staff_id == me.id, pref_t.c.channel == channel))
        conn.execute(pref_t.insert().values(staff_id=me.id, channel=channel, enabled=bool(on)))
