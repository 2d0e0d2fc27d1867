"""Fixtures of the repeat tests: the web office's app with the intake-extra routes."""

from typing import Any

import pytest
from sqlalchemy import Engine

from cases.runtime import Runtime
from tests.repeat.helpers import EARLIER, NOW, app_with_repeat
from tests.web import make_web_office


@pytest.fixture
def app(engine: Engine, rt: Runtime) -> Any:
    """The app on a fixed clock (``NOW``), its office and staff made ``EARLIER``."""
    make_web_office(engine, EARLIER)
    return app_with_repeat(engine, rt, NOW)
