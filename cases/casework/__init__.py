"""Casework: registering petitions, the actions on a case, and the case as each viewer may see it.

Each public function is one unit of work inside the caller's transaction (``with engine.begin()``):
the state change, its audit event, its clocks and its notifications commit together or not at all.
"""
