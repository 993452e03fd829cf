"""Text from scans and photos: Tesseract (through pytesseract) on pages rendered by PDFium.

Why OCR at ingest: intake packets arrive as scanner PDFs and phone photos with no text layer.
Their OCR'd text becomes sections like any text layer (one per page), so retrieval, extraction
and citations work on them unchanged; the loader marks such documents `ocr: true`.
Why PDFium (pypdfium2) renders the pages: it ships inside its wheel (no poppler to install) and
renders an A4 page at 300 dpi in ~20 ms; 300 dpi is the resolution Tesseract is trained for.
Why pages are flattened and deskewed first: a phone photo lit unevenly lost its heading and two
of its three MRZ lines to Tesseract's page layout analysis, and a scan tilted by 1-2 degrees
made Tesseract merge the filler runs of a machine-readable zone (`<<<<<<<<` read as `<<<cecc`).
Why Tesseract runs single-threaded: on 2 cores its OpenMP threads made a page take 1.2-58 s
(spinning threads fighting each other and everything else) instead of 0.35 s with
OMP_THREAD_LIMIT=1 (measured on an A4 identity page); a value the user sets is kept.
Why zones: some lines follow a standard with a restricted alphabet (a travel document's
machine-readable zone: A-Z, 0-9, `<`). Read as prose they come back with look-alikes (`c` for
`<`); read again with only their alphabet allowed, those are gone. What remains (a filler too
few, `1` for `I`) only the format can tell, so it is left to the caller that knows it. Which
lines form a zone is the caller's knowledge too, registered with `register_zone` (a domain at
import), so this layer names no domain.
Why limits: an image is decoded whole and OCR costs 1-2 s per page on 2 cores, so a
2,000-page scan or a 400-megapixel image would stall a batch for one file. Both are refused,
naming the limit, before any page is read.
"""
from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rightsized.pipelines.errors import IngestError

if TYPE_CHECKING:
    from PIL.Image import Image

OCR_DPI = 300
# A4 at 300 dpi is 8.7 million pixels and a 48-megapixel phone photo 48 million.
MAX_OCR_PIXELS = 60_000_000
MAX_OCR_PAGES = 50
# One Tesseract call on an A4 page takes 0.4-1.5 s on 2 cores; far beyond that the input is pathological.
OCR_TIMEOUT_S = 120
# Skews searched by deskewing, in degrees either way: hand-fed scans and photos sit within a few.
MAX_SKEW_DEGREES = 5.0
_SKEW_WIDTH = 800  # pixels: the skew is measured on a copy this wide (0.1 degree resolution)
INSTALL_HINT = ("install it with `apt-get install tesseract-ocr` (Debian/Ubuntu; `brew install tesseract` "
                "on macOS), or set ingest.ocr=false to refuse scans")


@dataclass(frozen=True)
class OcrZone:
    """Lines written in a restricted alphabet, re-read with only that alphabet allowed.

    `matches` decides from a line's first reading (whitespace included) whether it belongs to the
    zone; each run of consecutive matching lines is cropped as one band and read again as a block
    of text (`--psm 6`) with `tessedit_char_whitelist` set to `alphabet`. `widths`, when the
    standard fixes how many characters a line has, lets a second reading correct the count
    (`STRETCH`).
    """

    name: str
    alphabet: str
    matches: Callable[[str], bool]
    widths: tuple[int, ...] = ()


_ZONES: dict[str, OcrZone] = {}


def register_zone(zone: OcrZone) -> None:
    """Re-read `zone` on every OCR'd page from now on (registering a name again replaces it)."""
    _ZONES[zone.name] = zone


def tesseract_available() -> bool:
    """Whether the Tesseract binary pytesseract calls is on PATH."""
    import shutil

    import pytesseract

    return shutil.which(pytesseract.pytesseract.tesseract_cmd) is not None


def pdf_pages(path: Path) -> list[str]:
    """The OCR'd text of every page of a PDF (rendered at `OCR_DPI`), in page order."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise IngestError(path, f"cannot render PDF for OCR ({exc})") from exc
    try:
        if len(pdf) > MAX_OCR_PAGES:
            raise IngestError(path, f"scanned PDF has {len(pdf)} pages, over the limit of {MAX_OCR_PAGES} pages "
                              "per file for OCR (MAX_OCR_PAGES); split the file")
        scale = OCR_DPI / 72
        for number, page in enumerate(pdf, start=1):
            width, height = page.get_size()
            _check_pixels(path, round(width * scale) * round(height * scale), f"page {number} at {OCR_DPI} dpi")
            page.close()
        texts = []
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            try:
                image = page.render(scale=scale, grayscale=True).to_pil()
            except pdfium.PdfiumError as exc:
                raise IngestError(path, f"cannot render page {number} for OCR ({exc})") from exc
            finally:
                page.close()
            texts.append(read_page(image, path, number))
        return texts
    finally:
        pdf.close()


def image_pages(path: Path) -> list[str]:
    """The OCR'd text of an image file (its first frame), turned upright as its EXIF says."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # Pillow warns (a stray stderr line) before it refuses
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                _check_pixels(path, opened.width * opened.height, "image")
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise IngestError(path, f"image too large for OCR: {exc} (limit {MAX_OCR_PIXELS:,} pixels, "
                          "MAX_OCR_PIXELS)") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # Pillow raises these on truncated or hostile bytes: this file is unreadable, nothing more.
        raise IngestError(path, f"corrupt or unreadable image ({type(exc).__name__}: {exc})") from exc
    return [read_page(image, path, 1)]


def _check_pixels(path: Path, pixels: int, what: str) -> None:
    if pixels > MAX_OCR_PIXELS:
        raise IngestError(path, f"{what} has {pixels:,} pixels, over the limit of {MAX_OCR_PIXELS:,} pixels "
                          "per page for OCR (MAX_OCR_PIXELS); scale it down")


def read_page(image: Image, path: Path, number: int) -> str:
    """One page's text: deskewed, read by Tesseract, registered zones re-read with their alphabet.

    Lines are joined with newlines and blocks with a blank line, so `Label: value` lines stay
    lines and a zone's lines stay consecutive.
    """
    page = deskew(flatten(image.convert("L")))
    lines = _lines(_tesseract("image_to_data", page, "", path, number))
    for zone in _ZONES.values():
        lines = _reread(page, lines, zone, path, number)
    blocks: dict[Any, list[str]] = {}
    for line in lines:
        blocks.setdefault(line.block, []).append(line.text)
    return "\n\n".join("\n".join(block) for block in blocks.values())


def flatten(image: Image) -> Image:
    """`image` (grayscale) divided by its background, so paper lit unevenly reads as evenly white.

    The background is the page with the text removed: the brightest pixel in each 40-pixel
    neighbourhood (on a copy an eighth the size), smoothed. Without this, a phone photo darker on
    one side lost its heading and two of its three MRZ lines to Tesseract's page layout analysis.
    """
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageFilter

    small = image.resize((max(1, image.width // 8), max(1, image.height // 8)), PILImage.Resampling.BILINEAR)
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(4))
    light = np.asarray(background.resize(image.size, PILImage.Resampling.BILINEAR), dtype=np.float32)
    pixels = np.asarray(image, dtype=np.float32)
    return PILImage.fromarray(np.clip(pixels / np.maximum(light, 1.0) * 255.0, 0, 255).astype(np.uint8))


def deskew(image: Image) -> Image:
    """`image` (grayscale) rotated upright, within `MAX_SKEW_DEGREES` (`skew_angle`)."""
    from PIL import Image as PILImage

    angle = skew_angle(image)
    if abs(angle) < 0.05:
        return image
    return image.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=255)


def skew_angle(image: Image) -> float:
    """The angle (degrees, PIL's `rotate` convention) that turns `image`'s text lines level.

    It is the angle at which the rows of a binarised, downscaled copy are sharpest (text lines and
    the gaps between them make the row sums jump): 0.5-degree steps, then 0.1 around the best.
    Why the ink is projected instead of the copy rotated: each candidate angle maps the dark
    pixels' coordinates straight to their rotated rows (split linearly between the two nearest
    rows, as a bilinear rotation would): 2.2 s of CPU instead of 35.9 s for 72 sample pages (rotating
    a page image 30 times had cost more than Tesseract itself), the same angle within 0.1 degree.
    Tested on noisy pages rotated by -4.4 to +3.3 degrees: found within 0.1 degree.
    """
    import numpy as np
    from PIL import Image as PILImage

    small = image.resize((_SKEW_WIDTH, max(1, round(image.height * _SKEW_WIDTH / image.width))),
                         PILImage.Resampling.BILINEAR)
    ys, xs = np.nonzero(np.asarray(small) < 128)
    dx, dy = xs - small.width / 2, ys - small.height / 2

    def sharpness(angle: float) -> float:
        theta = np.radians(angle)
        rows = dy * np.cos(theta) - dx * np.sin(theta) + small.height / 2
        columns = dx * np.cos(theta) + dy * np.sin(theta) + small.width / 2
        kept = rows[(rows >= 0) & (rows < small.height - 1) & (columns >= 0) & (columns < small.width)]
        low = np.floor(kept).astype(np.int64)
        upper = kept - low
        sums = (np.bincount(low, weights=1.0 - upper, minlength=small.height)
                + np.bincount(low + 1, weights=upper, minlength=small.height))
        return float(np.square(np.diff(sums)).sum())

    if not len(xs):
        return 0.0
    coarse = max((step / 2 for step in range(-int(2 * MAX_SKEW_DEGREES), int(2 * MAX_SKEW_DEGREES) + 1)),
                 key=sharpness)
    return max((coarse + step / 10 for step in range(-4, 5)), key=sharpness)


@dataclass(frozen=True)
class _Line:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom
    block: Any  # lines of one block are printed together


def _lines(data: dict[str, list[Any]]) -> list[_Line]:
    """Tesseract's words grouped into lines, in its reading order."""
    words: dict[tuple[int, int, int], list[int]] = {}
    for index, word in enumerate(data["text"]):
        if word.strip():
            words.setdefault((data["block_num"][index], data["par_num"][index], data["line_num"][index]), []).append(index)
    lines = []
    for (block, _, _), indexes in words.items():
        box = (min(data["left"][i] for i in indexes), min(data["top"][i] for i in indexes),
               max(data["left"][i] + data["width"][i] for i in indexes),
               max(data["top"][i] + data["height"][i] for i in indexes))
        lines.append(_Line(" ".join(data["text"][i] for i in indexes), box, block))
    return lines


def _reread(page: Image, lines: list[_Line], zone: OcrZone, path: Path, number: int) -> list[_Line]:
    """`lines` with each run of lines matching `zone` replaced by its band read with the zone's
    alphabet (kept as first read when the second reading finds nothing)."""
    from PIL import Image as PILImage

    out: list[_Line] = []
    for matched, group in groupby(lines, key=lambda line: zone.matches(line.text)):
        run = list(group)
        if not matched:
            out += run
            continue
        box = (min(line.box[0] for line in run), min(line.box[1] for line in run),
               max(line.box[2] for line in run), max(line.box[3] for line in run))
        pad = max(1, (box[3] - box[1]) // len(run))  # about one line height: the band's margins
        band = page.crop((max(0, box[0] - pad), max(0, box[1] - pad // 2),
                          min(page.width, box[2] + pad), min(page.height, box[3] + pad // 2)))
        reread = _read_band(band, zone, path, number)
        if any(_gap(line, zone.widths) > 0 for line in reread):
            stretched = band.resize((round(band.width * STRETCH), band.height), PILImage.Resampling.BICUBIC)
            reread = _refilled(reread, _read_band(stretched, zone, path, number), zone.widths)
        out += [_Line(line, box, (zone.name, box[1])) for line in reread] if reread else run
    return out


# Tesseract merges runs of one repeated character (`<<<<<<<<`) and reads a line too short: measured
# on sample passports, 6 to 16 of 24-33 fillers lost. Read 1.3 times wider, the same band kept its
# count where it had lost some; it also misread letters the first reading had right (`T` for `I`),
# so the wider reading replaces only lines the first one read short.
STRETCH = 1.3


def _read_band(band: Image, zone: OcrZone, path: Path, number: int) -> list[str]:
    text = _tesseract("image_to_string", band, f"--psm 6 -c tessedit_char_whitelist={zone.alphabet}", path, number)
    # Without a space in the alphabet, spaces are where Tesseract split a line, not text.
    return [line if " " in zone.alphabet else "".join(line.split()) for line in text.splitlines() if line.strip()]


def _gap(line: str, widths: tuple[int, ...]) -> int:
    """Characters `line` lacks to reach the valid width nearest it (negative: it has too many;
    0 when no width is fixed)."""
    return min((width - len(line) for width in widths), key=abs) if widths else 0


def _refilled(first: list[str], wider: list[str], widths: tuple[int, ...]) -> list[str]:
    """`first` with each line read short replaced by the wider reading's line when that one is
    nearer a valid width; readings that disagree on the number of lines are not paired."""
    if len(first) != len(wider):
        return first
    return [b if _gap(a, widths) > 0 and abs(_gap(b, widths)) < _gap(a, widths) else a for a, b in zip(first, wider)]


def _tesseract(function: str, image: Image, config: str, path: Path, number: int) -> Any:
    """Call a pytesseract function, single-threaded (module docstring); its failures become this
    file's `IngestError`."""
    import pytesseract

    # pytesseract starts Tesseract with its module's `environ`; the user's own value wins.
    pytesseract.pytesseract.environ = {"OMP_THREAD_LIMIT": "1", **os.environ}
    options: dict[str, Any] = {"output_type": pytesseract.Output.DICT} if function == "image_to_data" else {}
    try:
        with tempfile.TemporaryDirectory(prefix="rightsized-ocr-") as folder:
            # Handed over as an uncompressed PNG: pytesseract writes a compressed one, which took
            # more CPU than Tesseract's reading of it. Still a PNG, not a bitmap: a BMP carries a
            # resolution (96 dpi) that changes how Tesseract reads the page.
            page = Path(folder) / "page.png"
            image.save(page, format="PNG", compress_level=0)
            return getattr(pytesseract, function)(str(page), lang="eng", config=config, timeout=OCR_TIMEOUT_S,
                                                  **options)
    except pytesseract.TesseractNotFoundError as exc:
        raise IngestError(path, f"OCR needs Tesseract, which is not installed (no "
                          f"'{pytesseract.pytesseract.tesseract_cmd}' on PATH): {INSTALL_HINT}") from exc
    except pytesseract.TesseractError as exc:
        raise IngestError(path, f"OCR of page {number} failed: Tesseract says {exc.message.strip()!r}") from exc
    except RuntimeError as exc:  # pytesseract's timeout; it kills the process first
        raise IngestError(path, f"OCR of page {number} took over {OCR_TIMEOUT_S} s (OCR_TIMEOUT_S): {exc}") from exc
