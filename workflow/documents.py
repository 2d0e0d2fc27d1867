"""Which print a case gets: the closure report (结案报告) once the matter has ended, the progress
print (进展情况) while it is open.

A closure report says how a matter ended, so it exists only for a matter that has: 办结 (closed,
by the owner with the petitioner's waiver or by the lapse of the window, 条例第三十五条、第三十六条),
终结 (concluded after 复核, 第三十六条第三款), and also 不予受理 (rejected: the office's written
decision with its statutory reason ends the matter in its hands, 第三十一条) and 撤回 (withdrawn
by the petitioner). In those four states no clock runs and nothing is left to do but rate the
outcome. Every other state is open: its print is the case so far, with what is still pending.
"""

from workflow.errors import ActionNotAllowed
from workflow.lifecycle import STATE_LABELS, TERMINAL_STATES

#: The states whose case gets a closure report: the matter has ended.
ENDED_STATES = TERMINAL_STATES

CLOSURE_REPORT = "结案报告"
PROGRESS_REPORT = "进展情况"


def closure_report_offered(state: str) -> bool:
    """Whether a case in ``state`` has a closure report (else its print is the progress report)."""
    return state in ENDED_STATES


def check_report(kind: str, case_no: str, state: str, *, allowed_actions: list[str]) -> None:
    """Refuse the print a case in ``state`` does not have (exit 3, HTTP 409), naming the other."""
    ended = closure_report_offered(state)
    if kind == "closure" and not ended:
        raise ActionNotAllowed(
            "report.case_open",
            f"信访事项 {case_no} 尚未结案（当前状态：{STATE_LABELS[state]}），不能出具{CLOSURE_REPORT}；"
            f"办理中的事项请打印「{PROGRESS_REPORT}」",
            allowed_actions=allowed_actions,
            state=state,
        )
    if kind == "progress" and ended:
        raise ActionNotAllowed(
            "report.case_ended",
            f"信访事项 {case_no} 已结案（{STATE_LABELS[state]}），请出具{CLOSURE_REPORT}",
            allowed_actions=allowed_actions,
            state=state,
        )
