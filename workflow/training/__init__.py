"""模拟情境演练: what a training scenario says, and how a run is scored against the statute (pure)."""
