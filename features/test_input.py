"""Runs input.feature on each database of the `engine` fixture (shared steps in features/conftest.py,
this feature's own in features/steps_input.py)."""

import pytest
from pytest_bdd import scenarios

from features.steps_input import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("engine")

scenarios("input.feature")
