"""/openapi.json tells the truth: schemathesis sends schema-valid requests to every JSON route of
the demo office, in-process and signed in as a supervisor, and every answer has a documented status,
a documented content type and a body that matches its schema.

The run is bounded and seeded (derandomized), so it sends the same requests every time. A 422 with
a rule's own code (``intake.id_number_invalid``, ``payload.report_by_past`` …) is a refusal JSON
Schema cannot express (check digits, dates relative to today, the case's state) and counts as an
answer; a 422 from the framework itself (``request.invalid``) means the document promised more than
the code accepts, and fails the run.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, update

from cases.db import make_engine, upgrade
from cases.demo.loader import load_demo
from cases.runtime import Runtime
from cases.settings import Settings
from cases.store import tables
from conftest import TZ
from tests.web import NOW, bearer, make_app, password_hash

#: Requests per operation (routes without parameters need one).
MAX_EXAMPLES = 15
#: The statuses a schema-valid request may get: schemathesis's defaults, a stale If-Match (412)
#: and a rule's refusal (422, told apart from the framework's own by framework_accepts_it).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]


def framework_accepts_it(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request is never refused by the framework's own validation."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code in (400, 422):
        code = response.json().get("code", "")
        assert code not in ("request.invalid", "request.bad"), (
            f"schema-valid request refused by the framework: {response.text[:500]}"
        )


CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    framework_accepts_it,
]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    """The demo office on its own SQLite file, and a supervisor's bearer token."""
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    rt = Runtime.from_settings(Settings("unused", b"k" * 40, b"d" * 40, TZ, "test", None))
    load_demo(engine, rt, now=NOW)
    with engine.begin() as conn:
        conn.execute(update(tables.staff_t).values(password_hash=password_hash()))
        supervisor = conn.execute(
            select(tables.staff_t.c.staff_no)
            .where(tables.staff_t.c.role == "supervisor")
            .order_by(tables.staff_t.c.staff_no)
        ).scalar()
    app = make_app(engine, rt)
    yield app, bearer(app, supervisor)
    engine.dispose()


def send_examples(
    operation: Any, auth: dict[str, str], ran: Counter[str], failures: list[str]
) -> None:
    """Send one operation's seeded examples; count them and keep what each check found."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    def send(case: Any) -> None:
        ran[operation.label] += 1
        response = case.call(headers=dict(auth))  # call() adds to the dict it is given
        try:
            case.validate_response(response, checks=CHECKS, headers=dict(auth))
        except FailureGroup as group:
            failures.extend(
                f"{operation.label} {case.path_parameters} {case.query} {case.body!r}"
                f" → {response.status_code}: {f}"
                for f in group.exceptions
            )

    send()


# About a minute signed in, 20 s without a token, on a shared 2-core machine: slow, but in CI.
@pytest.mark.slow
@pytest.mark.parametrize("signed_in", [True, False], ids=["supervisor", "anonymous"])
def test_every_answer_is_documented(demo_app: tuple[Any, dict[str, str]], signed_in: bool) -> None:
    """Signed in as a supervisor, and with no token at all (the public routes, and every other
    one's 401): no server error, no undocumented answer."""
    app, token = demo_app
    auth = token if signed_in else {}
    crashes: Counter[str] = Counter()

    async def answering(scope: Any, receive: Any, send: Any) -> None:
        # The 500 answer is already sent when Starlette re-raises for the server's log.
        try:
            await app(scope, receive, send)
        except Exception as exc:  # noqa: BLE001
            crashes[f"{scope['method']} {scope['path']}: {exc!r}"] += 1

    config = schemathesis.Config.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", answering, config=config)
    ran: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        send_examples(operation, auth, ran, failures)
    print(f"schemathesis: {sum(ran.values())} requests, {len(operations)} operations")
    assert set(ran) == {op.label for op in operations}
    assert (
        len(operations) == 52
    )  # /readyz, the 查询码 reissue, the search by POST and the six of 联合会办 among them
    assert failures == [], "\n\n".join(failures)
    assert not crashes, crashes
