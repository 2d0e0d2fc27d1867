"""The rules, pure Python: the statute's lifecycle, periods, calendar, clocks and ladder.

Rule for this layer: no database, no HTTP, no clock of its own; it imports neither ``cases`` nor
``api``. A rule (a period, a guard, a threshold) lives here once and is read by everything else.
"""
