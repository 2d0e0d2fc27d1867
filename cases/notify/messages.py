"""What a notification says, in Chinese, per topic: the one line and the e-mail's body.

The channels (``channels``) send this text; they never compose it.
"""

from collections.abc import Mapping
from typing import Any

from workflow.lifecycle import RATINGS
from workflow.periods import LEVEL_LABELS, PERIODS


def message_text(topic: str, payload: Mapping[str, Any], case_no: str | None) -> str:
    """One line in Chinese: the inbox entry, the text message, the e-mail's first line."""
    p = payload
    no = case_no or ""
    if topic == "escalation":
        period = PERIODS.get(str(p.get("clock")))
        label = p.get("clock_label") or (period.label if period else "期限")
        level = p.get("level_label") or LEVEL_LABELS.get(str(p.get("level")), "")
        return f"【{level}】信访事项 {no} 的{label}届满日为 {p.get('due_date', '')}"
    if topic == "reassigned":
        if p.get("role") == "new_owner":
            return f"您已被指定为信访事项 {no} 的首接责任人。原因：{p.get('reason', '')}"
        return f"信访事项 {no} 已改由他人首接。原因：{p.get('reason', '')}"
    if topic == "dissatisfied":
        return f"【不满意】信访人对信访事项 {no} 的评价为「{RATINGS.get('dissatisfied')}」，请跟进"
    if topic == "supervision_notice":
        return (
            f"【督办单】请于 {p.get('reply_by', '')} 前答复信访事项 {no} 的办理情况。"
            f"{p.get('text', '')}"
        )
    if topic == "notice_answered":
        late = "（逾期）" if p.get("late") else ""
        return f"信访事项 {no} 的督办单已答复{late}：{p.get('answer', '')}"
    if topic == "notice_overdue":
        return (
            f"【督办单逾期】信访事项 {no} 的督办单应于 {p.get('reply_by', '')} 前答复，"
            f"首接责任人 {p.get('owner_name', '')}（{p.get('owner', '')}）至今未答复"
        )
    if topic == "extension_requested":
        return f"【延期申请】信访事项 {no} 申请延长办理期限 {p.get('days', '')} 日：{p.get('reason', '')}"
    if topic == "extension_decided":
        if p.get("approved"):
            return f"信访事项 {no} 的延期申请已批准，办理期限延长 {p.get('days', '')} 日"
        return f"信访事项 {no} 的延期申请未获批准：{p.get('note', '')}"
    if topic == "group_visit":
        size = f"（{p['group_size']}人）" if p.get("group_size") else ""
        place = f"，下移接待地点：{p['place']}" if p.get("place") else ""
        return f"【集体访】信访事项 {no} 为集体访{size}{place}，请关注"
    if topic == "repeat_contact":
        return f"【重复访】信访人就信访事项 {no} 再次反映，请首接责任人跟进"
    if topic == "briefing" and p.get("deliveries_only"):
        return (
            f"【每日例会 {p.get('day', '')}】投递失败的通知 {p.get('failed_deliveries', 0)} 条，"
            "收件人未收到，请在失败投递清单中处理"
        )
    if topic == "petitioner_sms":
        # Composed (and encrypted) where it was written: it carries a 查询码.
        return str(p.get("text") or f"信访事项 {no} 的短信")
    if topic == "petitioner_notice":
        return (
            f"您的信访事项 {no} 已出具{p.get('title', '告知文书')}（{p.get('doc_no', '')}），"
            "可凭案件编号和查询码在查询页面下载。"
        )
    if topic == "briefing":
        n = p.get("counts", {})
        who = p.get("title", "")
        return (
            f"【每日例会 {p.get('day', '')}】{who}今日到期 {n.get('due_today', 0)} 件，"
            f"已超期 {n.get('overdue', 0)} 件，新登记 {n.get('new', 0)} 件，"
            f"收到评价 {n.get('ratings', 0)} 件"
            + (f"，投递失败通知 {p['failed_deliveries']} 条" if p.get("failed_deliveries") else "")
        )
    if topic == "delivery_dead":
        about = f"（信访事项 {no}）" if no else ""
        return (
            f"【投递失败】发给 {p.get('recipient', '')} 的{p.get('channel_label', '')}通知{about}"
            f"多次重试后仍失败，已列入失败投递清单：{p.get('error', '')}"
        )
    return f"{topic}：{no}".rstrip("：")


def message_body(topic: str, payload: Mapping[str, Any], case_no: str | None, base_url: str) -> str:
    """The e-mail body: the line, the briefing's lists, and where to act."""
    lines = [message_text(topic, payload, case_no), ""]
    if topic == "briefing" and payload.get("deliveries_only"):
        lines.append(f"详见 {base_url}/admin/deliveries")
    elif topic == "briefing":
        for key, title in (
            ("due_today", "今日到期"),
            ("overdue", "已超期"),
            ("new", "新登记"),
            ("ratings", "收到评价"),
        ):
            items = payload.get(key) or []
            if items:
                lines.append(f"{title}：")
                lines += [f"  {item}" for item in items]
        lines.append(f"详见 {base_url}/briefing")
    elif case_no:
        lines.append(f"请登录查看：{base_url}/cases/{case_no}")
    lines += ["", "—— 首接 信访接待（本邮件由系统发送，请勿直接回复）"]
    return "\n".join(lines)
