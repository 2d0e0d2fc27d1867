"""A staff photo as the wall keeps it: read by its bytes (JPEG or PNG, never by its name), turned
upright, cropped to the wall's 3:4 portrait around the upper middle (where a face is), scaled down
to at most 360 × 480 and re-encoded as JPEG, which drops every metadata block (EXIF, GPS)."""

import io
from typing import Any

from cases.organisation.portraits import PHOTO_SIZE
from workflow.errors import InvalidInput

#: Photo types the staff wall accepts, by their first bytes (never by the name or declared type).
PHOTO_MAGIC: dict[str, bytes] = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
MAX_PHOTO_BYTES = 2 * 1024 * 1024
#: The smallest photo that still fills the wall's box (96 × 120 CSS pixels).
MIN_SIZE = (96, 120)
#: Larger pictures are refused before they are decoded (a small file may hold a huge image).
MAX_PIXELS = 40_000_000
#: Where the crop is centred, as fractions of the width and the height: a little above the
#: middle, so a head-and-shoulders picture keeps the head.
CENTRE = (0.5, 0.4)
STORED_TYPE = "image/jpeg"


def photo_type(data: bytes) -> str | None:
    """The image type read from the first bytes: JPEG or PNG, else None."""
    for kind, magic in PHOTO_MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def prepare_photo(data: bytes) -> bytes:
    """The photo as stored: checked, upright, 3:4, at most PHOTO_SIZE, JPEG without metadata."""
    from PIL import Image, ImageOps

    if not data:
        raise InvalidInput("photo.empty", "请选择要上传的照片", field="photo")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput("photo.too_large", "照片不能超过2MB", field="photo")
    if photo_type(data) is None:
        raise InvalidInput("photo.bad_type", "照片只能是 JPEG 或 PNG 格式", field="photo")
    try:
        with Image.open(io.BytesIO(data)) as img:
            too_many = img.width * img.height > MAX_PIXELS
            if not too_many:
                img.load()
                upright = ImageOps.exif_transpose(img)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise InvalidInput("photo.unreadable", "照片无法读取，请换一张", field="photo") from exc
    if too_many:
        raise InvalidInput(
            "photo.too_many_pixels", "照片像素过多（不超过4000万像素）", field="photo"
        )
    if upright.width < MIN_SIZE[0] or upright.height < MIN_SIZE[1]:
        raise InvalidInput(
            "photo.too_small",
            f"照片太小（至少{MIN_SIZE[0]}×{MIN_SIZE[1]}像素）",
            field="photo",
        )
    try:
        return _portrait_jpeg(upright)
    except (OSError, ValueError) as exc:
        raise InvalidInput("photo.unreadable", "照片无法读取，请换一张", field="photo") from exc


def _portrait_jpeg(upright: Any) -> bytes:
    """``upright`` on white, cropped to 3:4 around CENTRE, at most PHOTO_SIZE, as JPEG."""
    from PIL import Image, ImageOps

    if upright.mode in ("RGBA", "LA", "P", "PA"):
        # A transparent PNG on white, as the page shows it; JPEG has no transparency.
        rgba = upright.convert("RGBA")
        ground = Image.new("RGB", rgba.size, "#ffffff")
        ground.paste(rgba, mask=rgba.getchannel("A"))
        upright = ground
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    # Never scaled up: a small photo keeps its pixels, cropped to 3:4.
    scale = min(1.0, upright.width / PHOTO_SIZE[0], upright.height / PHOTO_SIZE[1])
    size = (max(1, round(PHOTO_SIZE[0] * scale)), max(1, round(PHOTO_SIZE[1] * scale)))
    fitted = ImageOps.fit(upright, size, method=Image.Resampling.LANCZOS, centering=CENTRE)
    out = io.BytesIO()
    # Pillow writes back what ``info`` carries (a JPEG's comment, its ICC profile), and crops and
    # resizes copy it: emptied, so no EXIF, no GPS and no comment reach the stored bytes.
    fitted.info = {}
    fitted.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
