"""Repeat, skip-level and group petitions: the matter index, candidates, contacts, jurisdiction."""
