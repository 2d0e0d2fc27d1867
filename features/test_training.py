"""Runs training.feature on each database of the `engine` fixture (steps in features/steps_training.py)."""

import pytest
from pytest_bdd import scenarios

from features.steps_training import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("engine")

scenarios("training.feature")
