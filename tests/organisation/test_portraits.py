"""Generated portraits: the given name on the member's colour, 3:4, with or without a CJK font."""

import io

import pytest
from PIL import Image

from cases.organisation import portraits


def opened(data: bytes) -> Image.Image:
    """The PNG, opened."""
    return Image.open(io.BytesIO(data))


def test_a_portrait_is_a_3_by_4_png_of_the_given_name() -> None:
    assert portraits.initials("顾建华") == "建华" and portraits.initials("陆敏") == "陆敏"
    img = opened(portraits.portrait("JF01", "顾建华"))
    assert img.format == "PNG" and img.size == portraits.PHOTO_SIZE == (360, 480)
    # Drawn: white strokes of the name on the coloured ground, not a blank tile.
    assert (255, 255, 255) in {c for _, c in img.getcolors(1 << 16) or []}
    # The same member always gets the same picture; another member another colour or name.
    assert portraits.portrait("JF01", "顾建华") == portraits.portrait("JF01", "顾建华")
    assert portraits.portrait("JF02", "陆敏") != portraits.portrait("JF01", "顾建华")


def test_without_a_cjk_font_the_portrait_still_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portraits, "cjk_font_path", lambda: None)
    portraits.portrait.cache_clear()
    try:
        img = opened(portraits.portrait("JF09", "韩雪"))
    finally:
        portraits.portrait.cache_clear()
    assert img.size == (360, 480)
    assert (255, 255, 255) in {c for _, c in img.getcolors(1 << 16) or []}
