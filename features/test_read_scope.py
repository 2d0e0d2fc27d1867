"""Runs read_scope.feature on each database of the `engine` fixture (shared steps in
features/conftest.py, this feature's own in features/steps_read_scope.py)."""

import pytest
from pytest_bdd import scenarios

# pytest-bdd registers each step as a fixture of the module that defines it: bring them all here.
from features.steps_read_scope import *  # noqa: F403

# The steps ask for the database through `world`; naming `engine` here lets pytest parametrize it.
pytestmark = pytest.mark.usefixtures("engine")

scenarios("read_scope.feature")
