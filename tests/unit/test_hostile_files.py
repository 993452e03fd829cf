"""Inputs a hostile-but-fair user builds on purpose: each must fail alone, with a reason, loudly.

An unreadable subfolder, PDFs nested past any parser's stack, one-record files of a million
fields, and file names that forge output lines. The pipeline tests use an empty store and a
constant embedder: what they check happens before anything is embedded or stored.
"""
from __future__ import annotations

import errno
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel
from rich.console import Console

from rightsized.ingest.loaders import MAX_LINE_BYTES, MAX_RECORD_FIELDS, iter_input_files, load_document
from rightsized.ingest.pipeline import IngestPipeline
from rightsized.pipelines.app.views import ingest_summary, printable, render_result
from rightsized.pipelines.errors import IngestError
from rightsized.pipelines.stores.base import Record


class _EmptyStore:
    """Just enough of a VectorStore for IngestPipeline.run: holds nothing, accepts everything."""

    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return {}

    def delete_document(self, doc_id: str) -> int:
        return 0

    def upsert(self, records: Sequence[Record]) -> int:
        return len(records)

    def flush(self) -> None:
        pass


class _ConstantEmbedder:
    embedder_id = "constant"
    dimension = 4

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), self.dimension), dtype=np.float32) / 2


def _pipeline() -> IngestPipeline:
    return IngestPipeline(_EmptyStore(), _ConstantEmbedder(), domain="test")  # type: ignore[arg-type]


def _batch(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Account holder Anna Eriksson, Storgatan 1, Stockholm.")
    (folder / "sub" / "b.txt").write_text("Utility bill for Storgatan 1, Stockholm.")
    return folder


# --- 1. a folder that cannot be listed --------------------------------------------------------

def test_unlistable_subfolder_is_a_counted_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom chmod 000 still lists: make that one folder's listing fail the
    # way it does for an ordinary user instead (rglob called the same os.scandir and swallowed it).
    folder = _batch(tmp_path / "in")
    locked = folder / "sub"
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = _pipeline().run([folder], namespace="site")
    assert [(e.path, e.reason) for e in report.errors] == [(locked, "cannot list folder: Permission denied")]
    assert report.to_dict()["files_failed"] == 1 and not report.ok
    assert report.files_ingested == 1


def test_unlistable_top_folder_and_folder_given_as_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _batch(tmp_path / "in")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(iter_input_files([folder])) == [(folder, folder)]
    with pytest.raises(IngestError, match="^.*: cannot list folder: Permission denied$"):
        load_document(folder, folder)
    with pytest.raises(IngestError, match="is a folder, not a file"):
        load_document(folder / "sub", folder)


def test_walk_keeps_path_order_and_skips_hidden_folders(tmp_path: Path) -> None:
    for rel in ("b.txt", "a/z.txt", "a-c/x.txt", ".git/config.txt", "a/.cache/y.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [file.relative_to(tmp_path).as_posix() for file, _ in iter_input_files([tmp_path])]
    assert found == ["a/z.txt", "a-c/x.txt", "b.txt"]


_LIST_AS_CHILD = """
import json, sys
from pathlib import Path
from rightsized.ingest.loaders import iter_input_files, load_document
from rightsized.pipelines.errors import IngestError
out = []
for file, root in iter_input_files([Path(sys.argv[1])]):
    try:
        load_document(file, root)
        out.append([file.name, None])
    except IngestError as exc:
        out.append([exc.path.name, exc.reason])
print(json.dumps(out))
"""


def _as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """pytest's tmp_path sits in a 0700 folder of root's; `nobody` must reach this one."""
    folder = Path(tempfile.mkdtemp(prefix="rs-hostile-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_unreadable_subfolder_as_an_unprivileged_user(world_readable_dir: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop to `nobody`")
    folder = _batch(world_readable_dir / "in")
    folder.chmod(0o755)
    (folder / "sub").chmod(0o000)
    denied = _as_nobody(sys.executable, "-c", "import os, sys; os.listdir(sys.argv[1])", str(folder / "sub"))
    if denied.returncode == 0 or "PermissionError" not in denied.stderr:
        pytest.skip(f"`nobody` can list a chmod 000 folder here, or cannot run Python: {denied.stderr[-300:]}")
    child = _as_nobody(sys.executable, "-c", _LIST_AS_CHILD, str(folder))
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == [["a.txt", None], ["sub", "cannot list folder: Permission denied"]]


# --- 2. PDFs nested too deeply ----------------------------------------------------------------

def _pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand: objects 1..n, a correct xref table, object 1 the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_TEXT = b"BT /F1 12 Tf 72 712 Td (Account holder Anna Eriksson) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _one_page(page_extra: bytes = b"", content_prefix: bytes = b"") -> bytes:
    content = content_prefix + _TEXT
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page_extra
        + b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        _FONT,
    ])


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _deep_page_tree(depth: int) -> bytes:
    """Catalog -> `depth` /Pages nodes, each the only kid of the one before -> one text page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for number in range(2, depth + 2):
        parent = f"/Parent {number - 1} 0 R " if number > 2 else ""
        objects.append(f"<< /Type /Pages {parent}/Kids [{number + 1} 0 R] /Count 1 >>".encode())
    page = depth + 2
    objects.append(f"<< /Type /Page /Parent {page - 1} 0 R /MediaBox [0 0 612 792] /Contents {page + 1} 0 R "
                   f"/Resources << /Font << /F1 {page + 2} 0 R >> >> >>".encode())
    objects.append(f"<< /Length {len(_TEXT)} >>\nstream\n".encode() + _TEXT + b"\nendstream")
    objects.append(_FONT)
    return _pdf(objects)


def test_the_hand_written_pdf_reads_when_not_nested(tmp_path: Path) -> None:
    """The builders below differ from a readable PDF only in their nesting."""
    for name, data in {"plain.pdf": _one_page(b"/Extra " + _nested(10)),
                       "tree.pdf": _deep_page_tree(5)}.items():
        (tmp_path / name).write_bytes(data)
        assert "Anna Eriksson" in load_document(tmp_path / name, tmp_path).text


_REASON_AS_CHILD = """
import sys
from pathlib import Path
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.errors import IngestError
try:
    load_document(Path(sys.argv[1]), Path(sys.argv[1]).parent)
except IngestError as exc:
    print(exc.reason)
"""


def test_pdf_with_a_deeply_nested_page_dictionary_names_the_nesting_and_keeps_stderr_clean(tmp_path: Path) -> None:
    """pypdf swallows the RecursionError, logs a PdfReadError line and drops the page's content.

    Run in a child so stderr is the user's real one (pytest installs log handlers of its own).
    """
    path = tmp_path / "nested.pdf"
    path.write_bytes(_one_page(b"/Extra << /Deep " + _nested(5000) + b" >>"))
    child = subprocess.run([sys.executable, "-c", _REASON_AS_CHILD, str(path)],
                           capture_output=True, text=True, timeout=120)
    assert child.stderr == ""
    assert child.stdout.strip() == ("malformed PDF: objects nested too deeply to parse (RecursionError); "
                                    "no extractable text")


def test_pdf_with_a_deeply_nested_content_stream_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "content.pdf"
    path.write_bytes(_one_page(content_prefix=_nested(5000) + b"\n"))
    with pytest.raises(IngestError, match=r"malformed PDF: objects nested too deeply to parse \(RecursionError\)$"):
        load_document(path, tmp_path)


def test_pdf_with_a_deep_page_tree_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "tree.pdf"
    path.write_bytes(_deep_page_tree(2000))
    with pytest.raises(IngestError, match=r"corrupt or unreadable PDF \(LimitReachedError: Maximum page tree depth"):
        load_document(path, tmp_path)


def test_pypdf_log_is_routed_only_while_reading(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "nested.pdf"
    path.write_bytes(_one_page(b"/Extra << /Deep " + _nested(5000) + b" >>"))
    with caplog.at_level(logging.WARNING):
        with pytest.raises(IngestError, match="nested too deeply"):
            load_document(path, tmp_path)
        logging.getLogger("pypdf").warning("after the load")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pypdf")] == ["after the load"]


# --- 3. bounds on one record ------------------------------------------------------------------

def test_million_column_csv_is_refused_fast_naming_the_limit_and_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    columns = 1_000_000
    path.write_text(",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" * columns) + "\n")
    with pytest.raises(IngestError) as info:
        load_document(path, tmp_path)
    assert info.value.reason.startswith(f"line 1 is {len(path.read_text().splitlines()[0]):,} bytes, over the "
                                        f"limit of {MAX_LINE_BYTES:,} bytes per line (MAX_LINE_BYTES)")


def test_csv_wider_than_the_field_limit_is_refused_at_its_line(tmp_path: Path) -> None:
    header = tmp_path / "header.csv"
    header.write_text("," * MAX_RECORD_FIELDS + "\n1\n")  # short line, MAX + 1 (empty) column names
    with pytest.raises(IngestError, match=f"header line 1 has {MAX_RECORD_FIELDS + 1:,} fields, over the limit "
                                          rf"of {MAX_RECORD_FIELDS:,} fields per record \(MAX_RECORD_FIELDS\)"):
        load_document(header, tmp_path)
    row = tmp_path / "row.csv"
    row.write_text("a,b\n1,2\n" + "," * MAX_RECORD_FIELDS + "\n")
    with pytest.raises(IngestError, match=f"line 3 has {MAX_RECORD_FIELDS + 1:,} fields"):
        load_document(row, tmp_path)
    widest = tmp_path / "widest.csv"
    widest.write_text(",".join(f"c{i}" for i in range(MAX_RECORD_FIELDS)) + "\n" + "1," * (MAX_RECORD_FIELDS - 1) + "1\n")
    assert len(load_document(widest, tmp_path).sections) == 1


def test_jsonl_line_and_field_limits_name_the_line(tmp_path: Path) -> None:
    long_line = tmp_path / "long.jsonl"
    long_line.write_text('{"a": 1}\n' + json.dumps({"note": "x" * MAX_LINE_BYTES}) + "\n")
    with pytest.raises(IngestError, match="^.*: line 2 is .* bytes, over the limit of 1,048,576 bytes per line"):
        load_document(long_line, tmp_path)
    wide = tmp_path / "wide.jsonl"
    wide.write_text('{"a": 1}\n' + json.dumps({f"k{i}": i for i in range(MAX_RECORD_FIELDS + 1)}) + "\n")
    with pytest.raises(IngestError, match=f"line 2 has {MAX_RECORD_FIELDS + 1:,} fields"):
        load_document(wide, tmp_path)


def test_json_field_limit_counts_nested_values_and_minified_json_is_not_a_long_line(tmp_path: Path) -> None:
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps([{"id": 1}, {"id": 2, "tags": list(range(MAX_RECORD_FIELDS))}]))
    with pytest.raises(IngestError, match=f"item 2 has {MAX_RECORD_FIELDS + 2:,} fields"):
        load_document(nested, tmp_path)
    minified = tmp_path / "export.json"
    minified.write_text(json.dumps([{"id": i, "note": "n" * 100} for i in range(20_000)]))
    assert minified.stat().st_size > MAX_LINE_BYTES
    assert len(load_document(minified, tmp_path).sections) == 20_000


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_nested_past_the_parser_is_an_ingest_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    where = " at line 1" if suffix == ".jsonl" else ""
    with pytest.raises(IngestError, match=f"malformed JSON{where}: nested too deeply to parse \\(RecursionError\\)"):
        load_document(path, tmp_path)


# --- 4. names that forge output ---------------------------------------------------------------

FORGED = "x.pdf\nOK: all files ingested, 0 errors.pdf"
MARKUP = "[red]x[/red].pdf"  # a file "red].pdf" in a folder "[red]x[": "/" cannot be in a file name
TERMINAL = "bill\x1b[2J\u202efdp.exe\r\t.pdf"


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    assert printable(FORGED) == "x.pdf\\nOK: all files ingested, 0 errors.pdf"
    assert printable(TERMINAL) == "bill\\x1b[2J\\u202efdp.exe\\r\\t.pdf"
    assert printable("\x85\u2066\u200b\x00") == "\\x85\\u2066\\u200b\\x00"
    assert printable("Ärende 7/ansökan (kopia) [2024].pdf") == "Ärende 7/ansökan (kopia) [2024].pdf"


def test_file_names_cannot_forge_lines_or_styles_in_the_ingest_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "[red]x[").mkdir()
    for name in (FORGED, MARKUP, TERMINAL):
        (folder / name).write_bytes(b"")  # each fails: "empty file (0 bytes)"
    report = _pipeline().run([folder], namespace="site")
    assert len(report.errors) == 3
    ingest_summary(Console(stderr=True, width=300), report)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert not [line for line in lines if line.startswith("OK:")], err
    assert len(lines) == 4, err  # three errors and the summary, one line each
    assert f"{folder}/x.pdf\\nOK: all files ingested, 0 errors.pdf: empty file (0 bytes)" in err
    assert f"{folder}/[red]x[/red].pdf: empty file (0 bytes)" in err
    assert f"{folder}/bill\\x1b[2J\\u202efdp.exe\\r\\t.pdf: empty file" in err
    assert "\x1b" not in err and "\u202e" not in err


def test_markup_in_a_file_name_is_not_styled_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "[red]x[").mkdir()
    (tmp_path / MARKUP).write_bytes(b"")
    report = _pipeline().run([tmp_path], namespace="site")
    buffer = io.StringIO()
    ingest_summary(Console(file=buffer, force_terminal=True, color_system="standard", width=300), report)
    shown = buffer.getvalue()
    assert "[red]x[/red].pdf" in shown
    assert shown.count("\x1b[31m") == 1  # only the "error:" label is red


class _Case(BaseModel):
    case: str
    documents: list[str]


def test_case_and_document_names_in_a_result_cannot_forge_lines(capsys: pytest.CaptureFixture[str]) -> None:
    render_result(Console(stderr=True, width=300), _Case(case=FORGED, documents=[MARKUP, TERMINAL]))
    err = capsys.readouterr().err
    assert err.splitlines() == ["case: x.pdf\\nOK: all files ingested, 0 errors.pdf", "documents:",
                                "  - [red]x[/red].pdf", "  - bill\\x1b[2J\\u202efdp.exe\\r\\t.pdf"]
