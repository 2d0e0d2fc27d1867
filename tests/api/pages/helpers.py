"""Helpers for the page tests: a page's visible text, and a filled-in intake form."""

import html
import re


def text_of(page: str) -> str:
    """The page's text without tags, entities decoded (what a reader sees)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def intake_form(**overrides: str) -> dict[str, str]:
    """The intake form as the office fills it in (王建国's appeal), with ``overrides``."""
    form = {
        "channel": "visit",
        "category": "appeal",
        "region_code": "320102",
        "group_size": "1",
        "petitioner.name": "王建国",
        "petitioner.id_number": "11010519491231002X",
        "petitioner.phone": "13800138000",
        "petitioner.address": "南京市玄武区中山路1号",
        "subject": "拆迁补偿款未发放",
        "content": "补偿款至今未到位。",
        "requests": "尽快发放",
    }
    form.update(overrides)
    return form
