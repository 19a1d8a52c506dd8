"""Cover images: checked (type, size, pixels) and resized with Pillow before storage."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile

from individuate.core.errors import ActionError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
COVER_WIDTH = 1600


def process_cover(upload: Any) -> tuple[str, ContentFile]:
    from PIL import Image, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ActionError(f"The image is {size / 1_048_576:.1f} MB; the limit is 5 MB.")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ActionError("The image is larger than 5 MB.")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in {"JPEG", "PNG", "WEBP"}:
            raise ActionError("The cover must be a JPEG, PNG or WebP image.")
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            rgb = img.convert("RGB")
            if rgb.width > COVER_WIDTH:
                rgb = rgb.resize((COVER_WIDTH, round(rgb.height * COVER_WIDTH / rgb.width)))
            out = io.BytesIO()
            rgb.save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ActionError("That file is not an image we can read (JPEG, PNG or WebP).") from exc
    return "cover.jpg", ContentFile(out.getvalue())
