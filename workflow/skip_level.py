"""What counts as a skip-level visit (越级访, 条例第五条、第二十条): a visit, and only a visit.

第二十条 asks a petitioner who comes in person (走访) to go to the organ with authority, at its own
level or the one directly above. A visit two or more levels above the level responsible, about a
matter not yet handled below, is 越级访. Letters, calls and online petitions reach whatever organ
they are addressed to lawfully: they may still be transferred to the organ with authority (第二十二条),
but they are never counted as skip-level visits, on any intake path, nor in 越级访率.
"""

#: The channels a skip-level petition can come by: only in person.
SKIP_LEVEL_CHANNELS = frozenset({"visit"})
#: Levels between the office and the level responsible from which a visit is skip-level.
SKIP_LEVEL_STEPS = 2


def is_skip_level(channel: str, *, steps: int, handled_below: bool) -> bool:
    """Whether a petition that came by ``channel``, ``steps`` levels above the level responsible,
    is a skip-level visit (``handled_below``: the petitioner holds a lower organ's opinion)."""
    return channel in SKIP_LEVEL_CHANNELS and steps >= SKIP_LEVEL_STEPS and not handled_below
