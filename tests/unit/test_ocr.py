"""OCR at ingest (real Tesseract and PDFium on generated scans) and the OCR-tolerant MRZ reading."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from rightsized.domains.bfsi_kyc.extract import find_mrz_in
from rightsized.domains.bfsi_kyc.mrz import MRZ_ZONE, compose_td3, corrupt_check_digit, parse_mrz, read_ocr_mrz
from rightsized.ingest import ocr
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.errors import IngestError
from rightsized.pipelines.stores.base import SearchHit

if TYPE_CHECKING:
    from PIL.Image import Image

pytestmark = pytest.mark.skipif(not ocr.tesseract_available(), reason="Tesseract is not installed (scripts/_setup.sh installs it)")

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
LABELS = ["UTOPIA - PASSPORT", "Surname: ERIKSSON", "Given names: ANNA MARIA", "Date of birth: 12 AUG 1974"]
VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "external" / "bfsi_kyc" / "mrz_test_vectors" / "mrz_test_vectors.json"


@pytest.fixture(autouse=True)
def _mrz_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the MRZ zone is registered, whatever other tests registered."""
    monkeypatch.setattr(ocr, "_ZONES", {MRZ_ZONE.name: MRZ_ZONE})


def scan(labels: list[str], mrz: list[str], *, angle: float = 1.5, seed: int = 1) -> Image:
    """A half-A4 page (Helvetica labels, Courier MRZ) rendered at 300 dpi, skewed, blurred, noisy."""
    import numpy as np
    import pypdfium2 as pdfium
    from fpdf import FPDF
    from PIL import Image as PILImage
    from PIL import ImageFilter

    pdf = FPDF(format=(210, 120))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in labels:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Courier", size=11)
    for line in mrz:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    page = pdfium.PdfDocument(bytes(pdf.output()))[0].render(scale=300 / 72, grayscale=True).to_pil()
    page = page.filter(ImageFilter.GaussianBlur(0.7)).rotate(angle, resample=PILImage.Resampling.BICUBIC, fillcolor=255)
    pixels = np.asarray(page, dtype=np.float64) + np.random.default_rng(seed).normal(0, 7, (page.height, page.width))
    return PILImage.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def image_pdf(path: Path, pages: list[Image]) -> Path:
    """An image-only PDF: each page one JPEG, no text layer."""
    from fpdf import FPDF

    pdf = FPDF(format=(210, 120))
    for page in pages:
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=70)
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def passport() -> Image:
    return scan(LABELS, TD3)


def test_a_skewed_noisy_scan_gives_its_labels_and_its_mrz_lines_exactly(tmp_path: Path, passport: Image) -> None:
    passport.save(tmp_path / "passport.png")
    lines = load_document(tmp_path / "passport.png", tmp_path).text.splitlines()
    assert all(label in lines for label in LABELS), lines
    start = lines.index(TD3[0])
    assert lines[start:start + 2] == TD3


def test_long_filler_runs_need_the_zone_reading_and_the_tolerant_mrz_reading(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A short name leaves 33 fillers: read as prose they come back as look-alikes (`<<<cece`); read
    with the MRZ alphabet (and 1.3x wider when a line is off its width) they come back as the
    printed MRZ once `read_ocr_mrz` has put back what Tesseract merged."""
    short = compose_td3(issuing_state="UTO", surname="HO", given_names="LI", document_number="L898902C3",
                        nationality="UTO", birth_date=date(1974, 8, 12), sex="F", expiry_date=date(2032, 4, 15))
    scan(LABELS, short, angle=-1.7).save(tmp_path / "passport.png")
    monkeypatch.setattr(ocr, "_ZONES", {})
    prose = load_document(tmp_path / "passport.png", tmp_path).text
    first = next(line for line in prose.splitlines() if line.startswith("P<UTOHO<<LI"))
    assert first != short[0] and set(first) - set(MRZ_ZONE.alphabet), first
    assert read_ocr_mrz(prose) is None
    monkeypatch.setattr(ocr, "_ZONES", {MRZ_ZONE.name: MRZ_ZONE})
    zoned = load_document(tmp_path / "passport.png", tmp_path).text
    found = read_ocr_mrz(zoned)
    assert found is not None and found[0] == short and parse_mrz(found[0]).valid


def test_png_and_jpeg_are_one_page_each_marked_ocr(tmp_path: Path, passport: Image) -> None:
    passport.save(tmp_path / "passport.png")
    passport.save(tmp_path / "passport.jpeg", quality=75)
    passport.save(tmp_path / "photo.JPG", quality=75)
    for name in ("passport.png", "passport.jpeg", "photo.JPG"):
        document = load_document(tmp_path / name, tmp_path)
        assert [s.page for s in document.sections] == [1] and document.metadata == {"ocr": True}, name
        assert "Surname: ERIKSSON" in document.text, name


def test_an_image_only_pdf_is_read_page_by_page(tmp_path: Path, passport: Image) -> None:
    second = scan(["Account holder: Anna Maria Eriksson", "Service address: 12 Baker Street, London"], [], angle=-1.2)
    document = load_document(image_pdf(tmp_path / "scan.pdf", [passport, second]), tmp_path)
    assert [s.page for s in document.sections] == [1, 2] and document.metadata == {"ocr": True}
    assert "Surname: ERIKSSON" in document.sections[0].text
    assert "Service address: 12 Baker Street, London" in document.sections[1].text


def test_missing_tesseract_names_the_file_and_how_to_install_it(tmp_path: Path, passport: Image,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    passport.save(tmp_path / "passport.png")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract-here"))
    assert not ocr.tesseract_available()
    with pytest.raises(IngestError) as info:
        load_document(tmp_path / "passport.png", tmp_path)
    assert info.value.path == tmp_path / "passport.png"
    assert "OCR needs Tesseract, which is not installed" in info.value.reason
    assert "apt-get install tesseract-ocr" in info.value.reason and "ingest.ocr=false" in info.value.reason


def test_page_and_pixel_limits_are_named_before_any_page_is_read(tmp_path: Path, passport: Image,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def no_ocr(*args: Any) -> str:
        raise AssertionError("a page was read")

    monkeypatch.setattr(ocr, "read_page", no_ocr)
    pdf = image_pdf(tmp_path / "scan.pdf", [passport, passport])
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 1)
    with pytest.raises(IngestError, match=r"2 pages, over the limit of 1 pages per file for OCR \(MAX_OCR_PAGES\)"):
        load_document(pdf, tmp_path)
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 50)
    monkeypatch.setattr(ocr, "MAX_OCR_PIXELS", 1_000_000)  # the 210x120 mm page is 2480x1417 at 300 dpi
    with pytest.raises(IngestError, match=r"page 1 at 300 dpi has 3,514,160 pixels, over the limit of 1,000,000 "
                                          r"pixels per page for OCR \(MAX_OCR_PIXELS\)"):
        load_document(pdf, tmp_path)
    passport.save(tmp_path / "passport.png")
    with pytest.raises(IngestError, match=r"image has [\d,]+ pixels, over the limit of 1,000,000 .*MAX_OCR_PIXELS"):
        load_document(tmp_path / "passport.png", tmp_path)


def test_blank_and_corrupt_images_fail_alone_with_the_reason(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    PILImage.new("L", (1200, 800), 255).save(tmp_path / "blank.png")
    with pytest.raises(IngestError, match=r"no text found by OCR \(1 page\(s\) of image\)"):
        load_document(tmp_path / "blank.png", tmp_path)
    (tmp_path / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(IngestError, match="corrupt or unreadable image"):
        load_document(tmp_path / "cut.jpg", tmp_path)


def test_a_tesseract_timeout_is_this_files_error(tmp_path: Path, passport: Image, monkeypatch: pytest.MonkeyPatch) -> None:
    passport.save(tmp_path / "passport.png")
    monkeypatch.setattr(ocr, "OCR_TIMEOUT_S", 0.001)
    with pytest.raises(IngestError, match=r"OCR of page 1 took over 0.001 s \(OCR_TIMEOUT_S\)"):
        load_document(tmp_path / "passport.png", tmp_path)


@pytest.mark.parametrize("angle", [-4.4, -1.7, 0.0, 0.8, 2.0, 3.3])
def test_the_skew_is_found_within_a_tenth_of_a_degree(angle: float) -> None:
    """`skew_angle` projects the ink instead of rotating the page 30 times; it must still find the
    angle that undoes a known rotation of a noisy, blurred page."""
    page = ocr.flatten(scan(LABELS, TD3, angle=angle, seed=3))
    assert ocr.skew_angle(page) == pytest.approx(-angle, abs=0.1)


def test_a_blank_page_has_no_skew() -> None:
    from PIL import Image as PILImage

    assert ocr.skew_angle(PILImage.new("L", (1240, 700), 255)) == 0.0


def test_tesseract_runs_single_threaded_unless_the_user_set_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    small = scan(["Surname: ERIKSSON"], [])
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    ocr.read_page(small, tmp_path / "x.png", 1)
    assert pytesseract.pytesseract.environ["OMP_THREAD_LIMIT"] == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")
    ocr.read_page(small, tmp_path / "x.png", 1)
    assert pytesseract.pytesseract.environ["OMP_THREAD_LIMIT"] == "2"


# -- reading an OCR'd MRZ ------------------------------------------------------------------------


def _autocorrect_pairs() -> list:
    """cheminfo/mrz's "Use autocorrection" vectors of ICAO formats: noisy lines -> their reference
    (one skipped case naming the path when ../shared is not beside the checkout)."""
    if not VECTORS.is_file():
        return [pytest.param([], [], marks=pytest.mark.skip(reason=f"MRZ vectors not found at {VECTORS}"))]
    vectors = json.loads(VECTORS.read_text())["vectors"]
    references = {(v["test_file"], v["test_name"]): v["mrz_lines"] for v in vectors if v["role"] == "input"}
    return [(v["mrz_lines"], references[v["test_file"], v["test_name"]]) for v in vectors
            if v["role"] == "ocr_noisy_input_expect_autocorrect_to_reference" and v["test_file"].endswith(("td1.test.ts", "td2.test.ts", "td3.test.ts"))]


@pytest.mark.parametrize(("noisy", "reference"), _autocorrect_pairs())
def test_cheminfo_ocr_noisy_vectors_read_as_their_reference_with_every_change_listed(noisy: list[str], reference: list[str]) -> None:
    lines, corrections = read_ocr_mrz("\n".join(noisy))
    assert lines == reference and parse_mrz(lines).valid
    changed = sum(a != b for got, want in zip(noisy, reference) for a, b in zip(got, want))
    assert len(corrections) == changed


# Tesseract's readings of two scanned sample passports (a scanner PDF, a 200-dpi phone photo).
OBSERVED = [
    (["P<IRLSCHMIDT<<CHLOE<<<<<<<<<<<<<<<<<<<<<<<<<", "X388163026I1RL5405024M2710109<<<<<<<<<<<<<<<8"],
     ["P<IRLSCHMIDT<<CHLOE<<<<<<<<<<<<<<<<<<<<<<<<<", "X388163026IRL5405024M2710109<<<<<<<<<<<<<<<8"],
     ("line 2 read as 45 characters, not 44: 'X388163026I1RL5405024M2710109<<<<<<<<<<<<<<<8' taken as "
      "'X388163026IRL5405024M2710109<<<<<<<<<<<<<<<8'",)),
    (["P<ITANAKAMURA<<PRIYA<<<<<<<<<<<<<<<<<<", "C8709784521TA9008283M3101078<<<<<<<<<<<<<<<4"],
     ["P<ITANAKAMURA<<PRIYA<<<<<<<<<<<<<<<<<<<<<<<<", "C870978452ITA9008283M3101078<<<<<<<<<<<<<<<4"],
     ("line 1 read as 38 characters, not 44: 'P<ITANAKAMURA<<PRIYA<<<<<<<<<<<<<<<<<<' taken as "
      "'P<ITANAKAMURA<<PRIYA<<<<<<<<<<<<<<<<<<<<<<<<'",
      "line 2 position 11: '1' read as 'I' (letters only there)")),
]


@pytest.mark.parametrize(("read", "printed", "corrections"), OBSERVED)
def test_tesseract_misreadings_are_repaired_and_listed(read: list[str], printed: list[str], corrections: tuple[str, ...]) -> None:
    lines, listed = read_ocr_mrz("Sex: M\n\n" + "\n".join(read))
    assert (lines, listed) == (printed, corrections)
    assert parse_mrz(lines).valid


def test_a_wrong_check_digit_stays_wrong_whatever_else_is_repaired() -> None:
    corrupt = corrupt_check_digit(TD3, "birth_date")
    noisy = [corrupt[0][:-5], corrupt[1].replace("UTO", "UT0")]
    lines, corrections = read_ocr_mrz("\n".join(noisy))
    assert lines == corrupt and corrections
    assert [c.name for c in parse_mrz(lines).checks if not c.ok] == ["birth_date"]


def test_blocks_that_are_no_icao_mrz_are_not_made_into_one() -> None:
    swiss_licence = ["AAA001D<<", "FACHE305142128097<<800126<<<<<", "MARCHAND<<FABIENNE<<<<<<<<<<<<"]
    assert read_ocr_mrz("\n".join(swiss_licence)) is None
    assert read_ocr_mrz("Amount due: 42.00\nP<UTOERIKSSON<<ANNA") is None


def test_only_text_read_by_ocr_is_repaired() -> None:
    noisy = "Surname: ERIKSSON\n" + TD3[0] + "\n" + TD3[1].replace("UTO", "UT0")
    typed = find_mrz_in([SearchHit("c1", 1.0, noisy, {"doc_id": "p/passport.pdf"})])
    assert typed.result is not None and not typed.result.valid and typed.result.corrections == ()
    assert "nationality 'UT0' has digit '0' in an alphabetic field (OCR confusion for 'O'?)" in typed.result.issues
    scanned = find_mrz_in([SearchHit("c1", 1.0, noisy, {"doc_id": "p/passport.png", "ocr": True})])
    assert scanned.result is not None and scanned.result.valid and scanned.chunk_ids == ("c1",)
    assert scanned.result.corrections == ("line 2 position 13: '0' read as 'O' (letters only there)",)
