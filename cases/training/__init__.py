"""The training office (模拟情境演练): its own database, its clock, the scenarios, the runs and their scores."""
