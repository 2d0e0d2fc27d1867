"""Uploaded pictures re-encoded with Pillow, wherever they come in (a case's materials, a staff
photo): the pixels kept and turned upright, every metadata block dropped (EXIF with a phone's GPS
position, comments, embedded profiles), and nothing of the uploaded bytes served as sent."""

import io
from typing import Any

#: A larger picture is refused before it is decoded (Pillow's own guard against decompression bombs).
MAX_PIXELS = 50_000_000


class Unreadable(ValueError):
    """The bytes are not a picture Pillow can read."""


def reencode(data: bytes) -> tuple[bytes, str, Any]:
    """The picture re-encoded (JPEG stays JPEG, anything else becomes PNG): its bytes, its media
    type and the upright image (for thumbnails)."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
            source_format = img.format
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise Unreadable(str(exc)) from exc
    # Pillow writes what ``info`` holds (a JPEG's comment, an ICC profile) back out on ``save``:
    # the copy keeps the pixels only, so no EXIF, no GPS, no comments reach the stored bytes.
    upright.info = {}
    out = io.BytesIO()
    if source_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, format="JPEG", quality=90)
        return out.getvalue(), "image/jpeg", upright
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")
    upright.save(out, format="PNG")
    return out.getvalue(), "image/png", upright
