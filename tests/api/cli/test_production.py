"""Production refuses what is unsafe (cases/production.py): ``shoujie serve`` and the app's
start-up exit with code 2 and say why in Chinese, before serving anything."""

import base64
import secrets
from typing import Any

import pytest
from sqlalchemy import update

from api.app import create_app
from cases import db as cases_db
from cases.production import UnsafeProduction, decode_key, key_problem
from cases.runtime import Runtime
from cases.security import hash_password
from cases.settings import Clock, load_settings, settings
from cases.store import tables

GOOD_SECRET = secrets.token_urlsafe(32)
GOOD_DATA = secrets.token_bytes(32).hex()


@pytest.fixture
def prod(shoujie: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CLI's database, now run as production with good keys; uvicorn is never started."""
    monkeypatch.setenv("SHOUJIE_ENV", "prod")
    monkeypatch.delenv("SHOUJIE_NOW")
    monkeypatch.setenv("SHOUJIE_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("SHOUJIE_DATA_KEY", GOOD_DATA)
    settings.cache_clear()
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: served.append(k))
    shoujie.served = served
    return shoujie


def serve(prod: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    settings.cache_clear()
    code = prod("serve")
    return code, capsys.readouterr().err


def test_a_safe_production_serves(prod: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve(prod, capsys) == (0, "")
    assert len(prod.served) == 1


def test_fixed_now_is_refused(
    prod: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOUJIE_NOW", "2026-11-26T09:30:00+08:00")
    code, err = serve(prod, capsys)
    assert code == 2 and "SHOUJIE_NOW" in err and not prod.served


@pytest.mark.parametrize(
    "value, says",
    [
        ("x", "应为十六进制或 base64"),
        # A fixed 16-byte key (test ids must be the same in every pytest-xdist worker).
        ("3f1c9a7e52d04b8a6e0c2f9d81b7a4c5", "解码后只有16字节"),
        ("ab" * 32, "不像随机生成"),
        ("my secret key with spaces in it, long enough to pass?", "应为十六进制或 base64"),
    ],
)
def test_weak_keys_are_refused(
    prod: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv("SHOUJIE_DATA_KEY", value)
    code, err = serve(prod, capsys)
    assert code == 2 and "SHOUJIE_DATA_KEY" in err and says in err, err
    assert "生产环境拒绝启动" in err and not prod.served


def test_demo_data_is_refused(prod: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # One of the demo office's people (office.toml) is enough to tell demo data is there.
    settings.cache_clear()
    assert prod("user", "add", "--staff-no", "JF01", "--name", "顾建华", "--role", "leader") == 0
    code, err = serve(prod, capsys)
    assert code == 2 and "演示数据" in err and not prod.served


def test_an_account_on_the_demo_password_is_refused(
    prod: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = cases_db.engine_for(prod.url)
    with engine.begin() as conn:
        conn.execute(
            update(tables.staff_t)
            .where(tables.staff_t.c.staff_no == "A018")
            .values(password_hash=hash_password("shoujie-demo"))
        )
    code, err = serve(prod, capsys)
    assert code == 2 and "演示或默认密码" in err and "A018" in err and "A017" not in err


def test_the_app_itself_refuses_at_start_up(prod: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOUJIE_SECRET_KEY", "short")
    s = load_settings()
    with pytest.raises(UnsafeProduction) as refused:
        create_app(cases_db.engine_for(prod.url), Runtime.from_settings(s), Clock())
    assert refused.value.exit_code == 2 and "SHOUJIE_SECRET_KEY" in refused.value.message


def test_key_encodings() -> None:
    raw = secrets.token_bytes(32)
    assert decode_key(raw.hex()) == raw
    assert decode_key(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
    assert decode_key(base64.b64encode(raw).decode()) == raw
    assert key_problem("K", base64.b64encode(raw)) is None
    assert "31字节" in (key_problem("K", raw[:31].hex().encode()) or "")
