"""Runs guards.feature on each database of the `engine` fixture (steps in features/conftest.py)."""

import pytest
from pytest_bdd import scenarios

# The steps ask for the database through `world`; naming `engine` here lets pytest parametrize it.
pytestmark = pytest.mark.usefixtures("engine")

scenarios("guards.feature")
