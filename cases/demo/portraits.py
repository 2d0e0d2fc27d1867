"""Placeholder portraits for the demo's party members (the 党员 board shows one per member)."""

PORTRAIT_TYPE = "image/svg+xml"
#: The discs' colours, taken in turn down the staff list.
COLOURS = ("#8c2f39", "#1d4e89", "#2d6a4f", "#6a4c93", "#b5651d")


def portrait(name: str, colour: str) -> bytes:
    """The member's surname on a coloured disc (SVG, no script)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="300" viewBox="0 0 240 300">'
        f'<rect width="240" height="300" fill="#f4f1ea"/><circle cx="120" cy="130" r="90" fill="{colour}"/>'
        '<text x="120" y="160" font-size="88" text-anchor="middle" fill="#fff" '
        f'font-family="Noto Sans CJK SC, sans-serif">{name[0]}</text>'
        '<rect y="250" width="240" height="50" fill="#c8102e"/></svg>'
    ).encode()
