"""Generated portraits for the staff wall: the member's given name (or 工号) in white on a colour
of their own, drawn with Pillow at the wall's portrait ratio. No face is ever made up: the demo
office ships these, and a member without an uploaded photo is shown one, never a broken image.

The name is drawn with a CJK font found on the machine (WenQuanYi Micro Hei from Debian's
``fonts-wqy-microhei``, or another that ``fc-list :lang=zh`` names); without one the 工号 is drawn
with Pillow's own font, which has no Chinese glyphs but still renders."""

import hashlib
import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Every photo on the wall is this size (3:4, portrait); uploads are cropped and scaled to it.
PHOTO_SIZE = (360, 480)
PORTRAIT_TYPE = "image/png"
#: Grounds for the portraits, picked by the 工号 so a member keeps theirs.
COLOURS = ("#8c2f39", "#1d4e89", "#2d6a4f", "#6a4c93", "#b5651d", "#3d5a80", "#7f5539")
#: Where Debian's and other common CJK fonts live, tried before asking fontconfig.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font file with Chinese glyphs, or None when the machine has none."""
    for path in KNOWN_FONTS:
        if Path(path).is_file():
            return path
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in found.splitlines() if line.strip())
    return files[0] if files else None


def _font(size: int, cjk: bool) -> Any:
    from PIL import ImageFont

    path = cjk_font_path() if cjk else None
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def initials(name: str) -> str:
    """What a portrait shows of a Chinese name: the given name (建华 of 顾建华; 陆敏 whole)."""
    name = name.strip()
    return name if len(name) <= 2 else name[-2:]


@lru_cache(maxsize=256)
def portrait(staff_no: str, name: str) -> bytes:
    """A PNG portrait (PHOTO_SIZE) of the member: given name large, 工号 below, on their colour."""
    from PIL import Image, ImageDraw

    width, height = PHOTO_SIZE
    pick = int(hashlib.sha256(staff_no.encode()).hexdigest(), 16) % len(COLOURS)
    ground = COLOURS[pick]
    img = Image.new("RGB", PHOTO_SIZE, ground)
    draw = ImageDraw.Draw(img)
    # A pale disc behind the name, so it reads as a portrait rather than a tile.
    r = width * 0.36
    cx, cy = width / 2, height * 0.42
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_mix(ground, 0.18))
    cjk = cjk_font_path() is not None
    big = initials(name) if cjk else staff_no
    size = int(width * (0.3 if len(big) > 1 else 0.4)) if cjk else int(width * 0.2)
    draw.text((cx, cy), big, font=_font(size, cjk), fill="#ffffff", anchor="mm")
    draw.text(
        (cx, height * 0.86),
        staff_no,
        font=_font(int(width * 0.09), False),
        fill=_mix(ground, 0.7),
        anchor="mm",
    )
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _mix(colour: str, white: float) -> tuple[int, int, int]:
    """``colour`` mixed with ``white`` parts of white."""
    rgb = bytes.fromhex(colour.lstrip("#"))
    r, g, b = (round(c + (255 - c) * white) for c in rgb)
    return r, g, b
