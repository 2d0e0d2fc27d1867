"""Runs joint_handling.feature on each database of the `engine` fixture (shared steps in
features/conftest.py, this feature's own in features/steps_joint.py)."""

import pytest
from pytest_bdd import scenarios

# pytest-bdd registers each step as a fixture of the module that defines it: bring them all here.
from features.steps_joint import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("engine")

scenarios("joint_handling.feature")
