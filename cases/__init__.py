"""Persistence and the unit of work: tables, statements, and one package per domain.

Rule for this layer: it imports ``workflow`` and never ``api``; each public function works inside
the caller's transaction, so an action's state change, audit event, clocks and notifications
commit together or not at all.
"""
