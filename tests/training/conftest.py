"""The training office for a test: the `engine` fixture's database with the demo organisation."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from cases.demo import organisation
from cases.training import office
from tests.training.scripts import REAL_NOW
from tests.web import password_hash


@pytest.fixture
def training_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A training office: migrated, the demo's organisation and logins (cheap password hashes)."""
    monkeypatch.setattr(organisation, "hash_password", lambda _password: password_hash())
    office.prepare(engine, None, now=REAL_NOW)
    yield engine
