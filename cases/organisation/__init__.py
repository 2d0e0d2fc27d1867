"""The office's people and structure: staff, the party organisation (branch → group → member)."""
