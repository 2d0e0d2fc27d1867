"""The password policy: at least 12 characters, not one of the 10 000 most common passwords (the
list bundled beside this module, its source in its header), not the 工号 or the name, and never
a demo or default password."""

from functools import cache
from pathlib import Path

from workflow.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")

#: Passwords published with Shoujie (the demo office's, the documentation's): refused for any
#: account, and ``shoujie serve`` refuses production while an account still has one.
DEFAULT_PASSWORDS = ("shoujie-demo", "changeme")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lower case."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def check_password(password: str, *, staff_no: str = "", name: str = "") -> str:
    """The password if the policy accepts it; otherwise a refusal saying why, in Chinese."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password.too_short", f"密码至少{MIN_LENGTH}个字符", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput("password.too_long", f"密码不能超过{MAX_LENGTH}个字符", field="password")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise InvalidInput("password.control", "密码不能包含控制字符", field="password")
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) < 4:
        raise InvalidInput(
            "password.common", "这个密码太常见，容易被猜中，请换一个", field="password"
        )
    if folded in DEFAULT_PASSWORDS:
        raise InvalidInput("password.default", "不能使用演示或默认密码，请换一个", field="password")
    for own in (staff_no.strip().lower(), name.strip().lower()):
        if own and own in folded:
            raise InvalidInput(
                "password.personal", "密码不能包含本人的工号或姓名", field="password"
            )
    return password
