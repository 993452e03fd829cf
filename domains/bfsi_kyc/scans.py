"""Scanned copies of sample packets: every page degraded like a desk scan or a phone photo.

Why: real packets arrive as scans and photos, and what OCR loses (a misread check digit, a name
with a look-alike letter) changes decisions. A scanned copy of a typed packet keeps its gold
answers (but a bad check digit is review there: `corpus.expected_decision`), so the same case
measured typed and scanned shows what scanning costs each tier.
Why these defects: a desk scanner blurs slightly, adds sensor noise, feeds the page 1-2 degrees
askew and stores JPEG inside the PDF; a phone photo adds uneven light and a lower resolution.
Each is seeded from the corpus seed and the file, so the same seed gives the same bytes (with
the same Pillow and PDFium builds).
"""
from __future__ import annotations

import io
import random
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

SCAN_DPI = 300
PHOTO_DPI = 200
# Identity documents of scanned packets, in turn: a scanner PDF, a JPEG photo, a PNG photo.
IDENTITY_STYLES = ("pdf", "jpg", "png")


def scan_packet(typed: Path, out: Path, *, seed: str, identity_style: str) -> None:
    """Write a scanned copy of every PDF in the packet folder `typed` into `out`.

    Identity documents (`passport*`, `id_card*`) take `identity_style` ("pdf": an image-only
    scanner PDF; "jpg" or "png": a phone photo); every other document becomes a scanner PDF.
    """
    import pypdfium2 as pdfium

    out.mkdir(parents=True, exist_ok=True)
    for source in sorted(typed.glob("*.pdf")):
        rng = random.Random(f"{seed}/{typed.name}/{source.name}")
        style = identity_style if source.stem.startswith(("passport", "id_card")) else "pdf"
        pdf = pdfium.PdfDocument(str(source))
        try:
            dpi = SCAN_DPI if style == "pdf" else PHOTO_DPI
            pages = [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in pdf]
        finally:
            pdf.close()
        if style == "pdf":
            _scanner_pdf([scanned(page, rng) for page in pages], out / source.name)
        else:
            photo(pages[0], rng).save(out / f"{source.stem}.{style}", **_save_options(style, rng))


def scanned(page: Image, rng: random.Random) -> bytes:
    """A desk scan of a rendered page as the JPEG a scanner stores: blur, a 1-2 degree skew,
    sensor noise, compression artefacts."""
    from PIL import Image as PILImage
    from PIL import ImageFilter

    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))
    page = page.rotate(_skew(rng), resample=PILImage.Resampling.BICUBIC, fillcolor=255)
    buffer = io.BytesIO()
    _noisy(page, rng, sigma=rng.uniform(5, 9)).save(buffer, "JPEG", quality=rng.randint(55, 75),
                                                    dpi=(SCAN_DPI, SCAN_DPI))
    return buffer.getvalue()


def photo(page: Image, rng: random.Random) -> Image:
    """A phone photo of a page: lit unevenly from one side, skewed, noisier, softer."""
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageFilter

    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))
    page = page.rotate(_skew(rng), resample=PILImage.Resampling.BICUBIC, fillcolor=255)
    pixels = np.asarray(page, dtype=np.float64)
    light = np.linspace(rng.uniform(0.78, 0.88), 1.0, pixels.shape[1])  # darker towards one edge
    if rng.random() < 0.5:
        light = light[::-1]
    page = PILImage.fromarray(np.clip(pixels * light, 0, 255).astype(np.uint8))
    return _noisy(page, rng, sigma=rng.uniform(6, 10))


def _skew(rng: random.Random) -> float:
    return rng.choice((-1, 1)) * rng.uniform(1.0, 2.0)


def _noisy(page: Image, rng: random.Random, *, sigma: float) -> Image:
    import numpy as np
    from PIL import Image as PILImage

    pixels = np.asarray(page, dtype=np.float64)
    noise = np.random.default_rng(rng.getrandbits(64)).normal(0.0, sigma, pixels.shape)
    return PILImage.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


def _save_options(style: str, rng: random.Random) -> dict[str, object]:
    if style == "jpg":
        return {"format": "JPEG", "quality": rng.randint(65, 80), "dpi": (PHOTO_DPI, PHOTO_DPI)}
    return {"format": "PNG", "dpi": (PHOTO_DPI, PHOTO_DPI)}


def _scanner_pdf(pages: list[bytes], path: Path) -> None:
    """An image-only A4 PDF: each page one JPEG, as a desk scanner writes it (no text layer)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))  # same seed, same bytes
    for page in pages:
        pdf.add_page()
        pdf.image(io.BytesIO(page), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
