"""Training runs (模拟情境演练): kept only in the training office's own database."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class TrainingRun(SQLModel, table=True):
    """One trainee's run of one scenario: where the script stands, and its score once finished."""

    __tablename__ = "training_run"

    id: int | None = Field(default=None, primary_key=True)
    scenario: str = Field(max_length=40)
    trainee: str = Field(max_length=32, index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    #: The training office's time when the run last moved (its opening, or a turn's time jump).
    sim_now: datetime = Field(sa_type=UTCDateTime)
    #: How many turns of the script have been played after the opening.
    turn: int = 0
    status: str = Field(max_length=16, default="running")
    #: The cases the scenario seeded before the run (e.g. the earlier visit).
    seeded: list[str] = Field(default_factory=list, sa_type=JSON)
    score: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
