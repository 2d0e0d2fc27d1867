"""Official year schedules (放假安排) the office loaded."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from cases.models.types import UTCDateTime


class CalendarSchedule(SQLModel, table=True):
    """An official year schedule (放假安排) loaded by the office."""

    __tablename__ = "calendar_schedule"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    loaded_at: datetime = Field(sa_type=UTCDateTime)
