"""The written notices (告知文书) the statute requires, and the step that issues each one.

《信访工作条例》 (2022) asks for a written answer at each step that decides something for the
petitioner: whether the matter is accepted (第二十二条、第二十三条), why not and where to go instead
(不予受理, 第二十二条、第三十一条), where it was sent (转送、交办, 第二十二条), why its handling takes
longer (延期, 第三十四条), and the opinions themselves (处理意见书 第三十二条, 复查意见书 第三十五条,
复核意见书 第三十六条). The step that takes the decision issues its notice in the same transaction,
numbered with the office's 文号 for the year (``doc_no``), with no gaps.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NoticeKind:
    """One kind of written notice: its title, the article it rests on, and its template."""

    code: str
    title: str
    article: str
    template: str
    #: What the article says, in the words the notice quotes.
    basis: str


NOTICE_KINDS: dict[str, NoticeKind] = {
    k.code: k
    for k in (
        NoticeKind(
            "acceptance",
            "受理告知书",
            "《信访工作条例》第二十二条、第二十三条",
            "notices/acceptance.html",
            "信访部门收到信访事项，应当予以登记，并在15日内告知信访人是否受理",
        ),
        NoticeKind(
            "non_acceptance",
            "不予受理告知书",
            "《信访工作条例》第二十二条、第三十一条",
            "notices/non_acceptance.html",
            "依法应当通过诉讼、仲裁、行政复议等法定途径解决的，应当导入相应程序，并告知信访人",
        ),
        NoticeKind(
            "transfer",
            "转送告知书",
            "《信访工作条例》第二十二条",
            "notices/transfer.html",
            "对依照职责属于其他机关、单位处理的信访事项，转送有权处理的机关、单位，并告知信访人",
        ),
        NoticeKind(
            "assign",
            "交办告知书",
            "《信访工作条例》第二十二条",
            "notices/transfer.html",
            "对重要信访事项，交由有权处理的机关、单位办理，要求其在指定办理期限内反馈结果，并告知信访人",
        ),
        NoticeKind(
            "extension",
            "延期告知书",
            "《信访工作条例》第三十四条",
            "notices/extension.html",
            "信访事项应当自受理之日起60日内办结；情况复杂的，经批准可以适当延长办理期限，"
            "但延长期限不得超过30日，并告知信访人延期理由",
        ),
        NoticeKind(
            "reply",
            "处理意见书",
            "《信访工作条例》第三十二条",
            "notices/opinion.html",
            "对信访事项作出予以支持、解释说明或者不予支持的处理意见，并书面答复信访人",
        ),
        NoticeKind(
            "review",
            "复查意见书",
            "《信访工作条例》第三十五条",
            "notices/opinion.html",
            "收到复查请求之日起30日内提出复查意见，并予以书面答复",
        ),
        NoticeKind(
            "reexamination",
            "复核意见书",
            "《信访工作条例》第三十六条",
            "notices/opinion.html",
            "收到复核请求之日起30日内提出复核意见；信访人以同一事实和理由提出投诉请求的，不再受理",
        ),
    )
}

#: The step that issues each notice (an action not listed issues none).
NOTICE_FOR_ACTION: dict[str, str] = {
    "accept": "acceptance",
    "reject": "non_acceptance",
    "transfer": "transfer",
    "assign": "assign",
    "extend": "extension",
    "reply": "reply",
    "reply_review": "review",
    "reply_reexamination": "reexamination",
}

#: What the petitioner may do next after an opinion, and the article that gives them the right.
NEXT_STEP: dict[str, str] = {
    "reply": "信访人对处理意见不服的，可以自收到本意见书之日起30日内请求原办理机关、单位的上一级机关、单位复查"
    "（《信访工作条例》第三十五条）。",
    "review": "信访人对复查意见不服的，可以自收到本意见书之日起30日内向复查机关、单位的上一级机关、单位请求复核"
    "（《信访工作条例》第三十六条）。",
    "reexamination": "本复核意见为终结意见。信访人以同一事实和理由提出投诉请求的，各级机关、单位不再受理"
    "（《信访工作条例》第三十六条第三款）。",
}

DEFAULT_DOC_PREFIX = "信访告字"


def notice_for(action: str) -> NoticeKind | None:
    """The notice a step issues, if any."""
    code = NOTICE_FOR_ACTION.get(action)
    return NOTICE_KINDS[code] if code else None


def doc_number(prefix: str | None, year: int, seq: int) -> str:
    """The 文号 of the year's ``seq``-th notice: 「信访告字〔2026〕12号」."""
    return f"{prefix or DEFAULT_DOC_PREFIX}〔{year}〕{seq}号"
