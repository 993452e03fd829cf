"""Read one machine's telemetry CSV, refusing or flagging whatever would make a diagnosis wrong.

Why so strict: a diagnosis from a file with kelvin and Celsius mixed in one column, or rows
out of order, is a confident wrong answer. Those are refused with the file, line and column.
What can be diagnosed around is diagnosed with a warning that says what was done: a gap in
time, a sensor that dropped out (empty cells, or a 0 where the machine cannot read 0), a
sensor absent from the file. A sensor with no usable recent reading is "unavailable": the rules
that need it are listed as not evaluated, never read as "within limits".
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS, VARIANT_MODEL, MachineModel
from rightsized.pipelines.errors import IngestError

SENSORS = ("air_temp_K", "process_temp_K", "rotational_speed_rpm", "torque_Nm", "tool_wear_min", "vibration_mm_s")
REQUIRED = SENSORS[:5]
TEMPERATURES = ("air_temp_K", "process_temp_K")
# Header spellings we accept for each canonical column (normalised: lower case, alphanumerics).
ALIASES = {
    "timestamp": ("timestamp", "time", "datetime", "ts"),
    "machine_id": ("machineid", "machine", "udi"),
    "machine_model": ("machinemodel", "model"),
    "variant": ("type", "variant", "quality"),
    "air_temp_K": ("airtempk", "airtemperaturek", "airtemperature"),
    "air_temp_C": ("airtempc", "airtemperaturec"),
    "process_temp_K": ("processtempk", "processtemperaturek", "processtemperature"),
    "process_temp_C": ("processtempc", "processtemperaturec"),
    "rotational_speed_rpm": ("rotationalspeedrpm", "rotationalspeed", "rpm", "speedrpm"),
    "torque_Nm": ("torquenm", "torque"),
    "tool_wear_min": ("toolwearmin", "toolwear"),
    "vibration_mm_s": ("vibrationmms", "vibration", "vibrationrms"),
}
KELVIN_RANGE = (230.0, 400.0)  # a factory floor and a hot process, in K
CELSIUS_RANGE = (-40.0, 130.0)
PLAUSIBLE = {"rotational_speed_rpm": (0.0, 20000.0), "torque_Nm": (0.0, 500.0), "tool_wear_min": (0.0, 2000.0),
             "vibration_mm_s": (0.0, 100.0)}
ZERO_IS_DROPOUT = ("rotational_speed_rpm", "torque_Nm", "vibration_mm_s")  # a running machine never reads 0
RECENT = 3  # readings that make "the latest value" of a sensor
GAP_FACTOR = 3.0  # a step this many times the median interval is a gap
MAX_ROWS = 100_000
MAX_BYTES = 50_000_000  # far above MAX_ROWS readings; checked before the file is read into memory
# European Excel and many SCADA/historian exports separate with ';' (and write decimal commas) or tabs.
DELIMITERS = (",", ";", "\t")
_COMMA_NUMBER = re.compile(r"^[-+]?\d+,\d+$")
_COMMA_DECIMAL = re.compile(r"^[-+]?\d+,(?:\d{1,2}|\d{4,})$")  # a thousands group always has three digits


class TelemetryError(IngestError):
    """The telemetry file cannot be diagnosed; the message names the line and column."""


@dataclass
class Window:
    """One machine's validated readings, oldest first; sensors in canonical units (K, rpm, Nm, min, mm/s)."""

    path: Path
    model: MachineModel
    machine_id: str
    timestamps: list[datetime]
    series: dict[str, np.ndarray]  # NaN where a reading is missing or a dropout
    lines: list[int]  # the file line of each reading
    warnings: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # sensors with no usable recent reading

    def latest(self) -> dict[str, float | None]:
        """Each sensor's latest usable value within the last `RECENT` readings (None: unavailable)."""
        values: dict[str, float | None] = {}
        for name in SENSORS:
            column = self.series.get(name)
            recent = column[-RECENT:] if column is not None else np.array([])
            valid = recent[~np.isnan(recent)]
            values[name] = float(valid[-1]) if valid.size else None
        return values

    def vibration_level(self) -> float | None:
        """Mean of the recent valid vibration readings (RMS, mm/s)."""
        column = self.series.get("vibration_mm_s")
        if column is None:
            return None
        recent = column[-RECENT:]
        valid = recent[~np.isnan(recent)]
        return float(valid.mean()) if valid.size else None

    def vibration_trend(self) -> tuple[float | None, float | None]:
        """(baseline: median of the first half, slope in mm/s per hour) of valid vibration readings."""
        column = self.series.get("vibration_mm_s")
        if column is None or len(column) < 4:
            return None, None
        hours = np.array([(t - self.timestamps[0]).total_seconds() / 3600 for t in self.timestamps])
        valid = ~np.isnan(column)
        if valid.sum() < 4:
            return None, None
        first = column[: len(column) // 2]
        first = first[~np.isnan(first)]
        baseline = float(np.median(first)) if first.size else None
        slope = float(np.polyfit(hours[valid], column[valid], 1)[0]) if np.ptp(hours[valid]) > 0 else None
        return baseline, slope


def _key(header: str) -> str:
    """The header in lower-case alphanumerics, with a percent sign spelled out first: a unit written
    only as a symbol must not vanish, or 'Tool wear (%)' (tool life used) would be read as minutes
    and 'Torque (%)' (spindle load) as N·m. Spelled out, it matches no alias and the column is missing."""
    spelled = header.lower().replace("%", "pct").replace("\u2030", "permille")
    return re.sub(r"[^a-z0-9]", "", spelled)


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    lookup = {alias: canonical for canonical, aliases in ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = lookup.get(_key(name))
        if canonical is None:
            continue
        if canonical in found:
            raise TelemetryError(path, f"line 1: columns {header[found[canonical]]!r} and {name!r} both give {canonical}")
        found[canonical] = index
    for unit in TEMPERATURES:
        celsius = unit[:-1] + "C"
        if unit in found and celsius in found:
            raise TelemetryError(path, f"line 1: {unit} and {celsius} are both present; keep one")
    missing = [c for c in ("timestamp", *REQUIRED)
               if c not in found and not (c in TEMPERATURES and c[:-1] + "C" in found)]
    if missing:
        raise TelemetryError(path, "line 1: missing column(s) " + ", ".join(missing)
                             + "; found: " + ", ".join(header))
    return found


def _model(path: Path, rows: list[list[str]], columns: dict[str, int], default: str | None) -> MachineModel:
    names: set[str] = set()
    if "machine_model" in columns:
        names |= {r[columns["machine_model"]].strip() for r in rows if r[columns["machine_model"]].strip()}
    elif "variant" in columns:
        variants = {r[columns["variant"]].strip().upper() for r in rows}
        unknown = variants - set(VARIANT_MODEL)
        if unknown:
            raise TelemetryError(path, f"column {_label(columns, 'variant')}: unknown variant(s) {sorted(unknown)}; "
                                 f"known: {sorted(VARIANT_MODEL)}")
        names |= {VARIANT_MODEL[v] for v in variants}
    elif default:
        names.add(default)
    if not names:
        raise TelemetryError(path, "no machine_model column and no machine_model parameter: "
                             "the limits depend on the model (" + ", ".join(MACHINE_MODELS) + ")")
    if len(names) > 1:
        raise TelemetryError(path, f"several machine models in one file ({', '.join(sorted(names))}): "
                             "diagnose one machine per file")
    name = names.pop()
    if default and default != name:  # each model has its own limits: which apply must not be a silent choice
        column = _label(columns, "machine_model" if "machine_model" in columns else "variant")
        raise TelemetryError(path, f"the machine_model parameter says {default} but the file's {column} gives {name}; "
                             "drop the parameter or correct the file")
    if name not in MACHINE_MODELS:
        raise TelemetryError(path, f"unknown machine model {name!r}; known: {', '.join(MACHINE_MODELS)}")
    return MACHINE_MODELS[name]


def _source(name: str, columns: dict[str, int]) -> str | None:
    """The column a sensor is read from: its own, or a temperature's Celsius column; None: absent."""
    if name in columns:
        return name
    celsius = name[:-1] + "C"
    return celsius if name in TEMPERATURES and celsius in columns else None


def _label(columns: dict[str, int], canonical: str) -> str:
    return f"{canonical} (column {columns[canonical] + 1})"


def _timestamp(path: Path, value: str, line: int) -> datetime:
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise TelemetryError(path, f"line {line}, column timestamp: {value!r} is not an ISO 8601 time") from exc
    return stamp


def _one_kind_of_time(path: Path, stamps: list[datetime], cells: list[str], lines: list[int]) -> None:
    """Every timestamp with a time zone offset or none: a logger switched to UTC ('Z') mid-file
    cannot be put in order against the local times before it without guessing their zone."""
    zoned = [stamp.tzinfo is not None for stamp in stamps]
    if any(zoned) and not all(zoned):
        i = zoned.index(not zoned[0])
        has, other = ("has a", "does not") if zoned[i] else ("has no", "does")
        raise TelemetryError(path, f"line {lines[i]}, column timestamp: {cells[i].strip()!r} {has} time zone offset "
                             f"but line {lines[0]}'s {other}; write every timestamp with its offset, or none")


def _delimiter(text: str) -> str:
    """The separator the header uses most (',' when it uses none)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=header.count)


def _decimal_comma(path: Path, rows: list[list[str]], lines: list[int], numeric: dict[str, int]) -> str | None:
    """The first value showing that a ';'- or tab-separated file writes decimals with a comma
    ('298,4'), or None; what could be misread is refused. Only a comma followed by other than
    three digits proves it ('1,500' alone could be 1.5 or 1500, so a file with only such values is
    refused); in a file that does write decimal commas a '.' can only group thousands ('1.571'
    rpm), so it is refused, not read as 1.571."""
    cells = [(line, name, row[index].strip()) for row, line in zip(rows, lines) for name, index in numeric.items()]
    commas = [cell for cell in cells if _COMMA_NUMBER.match(cell[2])]
    proof = next((value for _, _, value in commas if _COMMA_DECIMAL.match(value)), None)
    if commas and proof is None:
        line, name, value = commas[0]
        raise TelemetryError(path, f"line {line}, column {name}: {value!r} could be {value.replace(',', '.')} or "
                             f"{value.replace(',', '')} and no other value says whether ',' is a decimal comma; "
                             "export numbers without digit grouping")
    dotted = next((cell for cell in cells if "." in cell[2]), None)
    if proof is not None and dotted is not None:
        line, name, value = dotted
        raise TelemetryError(path, f"line {line}, column {name}: {value!r} has a '.' in a file that writes decimals "
                             "with ',': a thousands separator? export numbers without digit grouping")
    return proof


def _number(path: Path, value: str, line: int, column: str, decimal_comma: bool) -> float:
    text = value.strip()
    if text.lower() in ("", "nan", "na", "null", "none", "-"):
        return float("nan")
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError as exc:
        raise TelemetryError(path, f"line {line}, column {column}: {value!r} is not a number") from exc
    if not np.isfinite(number):
        raise TelemetryError(path, f"line {line}, column {column}: {value!r} is not a finite number")
    return number


def read_telemetry(path: Path, *, machine_model: str | None = None) -> Window:
    """Validate and read one machine's telemetry (one reading per line, oldest first)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TelemetryError(path, f"{size / 1e6:,.0f} MB, over the limit of {MAX_BYTES / 1e6:,.0f} MB for one "
                                 f"diagnosis window (at most {MAX_ROWS:,} readings): export the recent readings only")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TelemetryError(path, f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8") from exc
    except OSError as exc:
        raise TelemetryError(path, f"cannot be read: {exc.strerror}") from exc
    delimiter = _delimiter(text)
    table, starts = _table(path, text, delimiter)
    if not table:
        raise TelemetryError(path, "empty file: no header and no readings")
    header, rows, lines = table[0], table[1:], starts[1:]
    if not rows:
        raise TelemetryError(path, "a header but no readings")
    columns = _columns(path, header)
    for number, row in zip(lines, rows):
        if len(row) != len(header):
            raise TelemetryError(path, f"line {number}: {len(row)} fields, the header has {len(header)}")
    model = _model(path, rows, columns, machine_model)
    cells = [r[columns["machine_id"]].strip() for r in rows] if "machine_id" in columns else []
    ids = set(cells) - {""} or {path.stem}
    if len(ids) > 1:
        raise TelemetryError(path, f"several machines in one file ({', '.join(sorted(ids)[:5])}): one machine per file")
    stamps = [_timestamp(path, r[columns["timestamp"]], line) for r, line in zip(rows, lines)]
    _one_kind_of_time(path, stamps, [r[columns["timestamp"]] for r in rows], lines)
    for i in range(1, len(stamps)):
        if stamps[i] <= stamps[i - 1]:
            what = "repeats" if stamps[i] == stamps[i - 1] else "is earlier than"
            raise TelemetryError(path, f"line {lines[i]}, column timestamp: {stamps[i].isoformat()} {what} line "
                                 f"{lines[i - 1]}'s {stamps[i - 1].isoformat()}: readings out of order; sort the file "
                                 "by time (or fix the logger clock) and resubmit")
    window = Window(path, model, ids.pop(), stamps, {}, lines)
    blank = np.array([cell == "" for cell in cells])
    if blank.any():  # a logger gap, like an empty sensor cell, not a second machine
        named = "the file's name" if blank.all() else "the file's only machine"
        window.warnings.append(f"{path.name}: machine_id empty on {_spans(lines, blank)}: "
                               f"read as {window.machine_id}, {named}")
    sources = {name: _source(name, columns) for name in SENSORS}
    numeric = {source: columns[source] for source in sources.values() if source is not None}
    proof = _decimal_comma(path, rows, lines, numeric) if delimiter != "," else None
    decimal_comma = proof is not None
    if proof is not None:
        separator = "tab" if delimiter == "\t" else f"{delimiter!r}"
        window.warnings.append(f"{path.name}: {separator}-separated with decimal commas: {proof!r} read as "
                               f"{proof.replace(',', '.')}")
    for name, source in sources.items():
        if source is None:
            window.unavailable.append(name)
            window.warnings.append(f"{path.name}: no {name} column; rules that need it are not evaluated")
            continue
        values = np.array([_number(path, r[columns[source]], line, source, decimal_comma) for r, line in zip(rows, lines)])
        window.series[name] = _checked(path, name, source, values, lines, window.warnings)
    _gaps(window)
    for name, values in window.series.items():
        recent = values[-RECENT:]
        if np.isnan(recent).all():
            window.unavailable.append(name)
            window.warnings.append(f"{path.name}: {name} has no reading in the last {RECENT} lines "
                                   f"(from line {lines[-len(recent)]}): sensor unavailable, its rules are not evaluated")
    return window


def _table(path: Path, text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The non-blank records and the file line each starts on: blank lines and quoted line breaks
    are counted, so an error names the line an editor shows. Reading stops at the first record
    over `MAX_ROWS` readings, before the rest is parsed into memory."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    table: list[list[str]] = []
    starts: list[int] = []
    previous = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(table) > MAX_ROWS:  # the header and MAX_ROWS readings are in
                    raise TelemetryError(path, f"line {previous + 1}: more than {MAX_ROWS:,} readings, the limit "
                                         "for one diagnosis window: export the recent readings only")
                table.append(row)
                starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        raise TelemetryError(path, f"line {reader.line_num}: malformed CSV: {exc}") from exc
    return table, starts


def _checked(path: Path, name: str, source: str, values: np.ndarray, lines: list[int], warnings: list[str]) -> np.ndarray:
    """Unit checks and conversion to canonical units; dropouts become NaN with a warning."""
    if name in TEMPERATURES:
        expected = KELVIN_RANGE if source.endswith("K") else CELSIUS_RANGE
        other, unit = ("°C", "K") if source.endswith("K") else ("K", "°C")
        for value, line in zip(values, lines):
            if np.isnan(value) or expected[0] <= value <= expected[1]:
                continue
            looks = (CELSIUS_RANGE if unit == "K" else KELVIN_RANGE)
            reason = (f"looks like {other} in a {unit} column (unit mix-up)" if looks[0] <= value <= looks[1]
                      else f"outside the plausible range {expected[0]:g}-{expected[1]:g} {unit}")
            raise TelemetryError(path, f"line {line}, column {source}: {value:g} {reason}; "
                                 f"convert the column to one unit and resubmit")
        if source.endswith("C"):
            values = values + 273.15
    else:
        low, high = PLAUSIBLE[name]
        for value, line in zip(values, lines):
            if not np.isnan(value) and not low <= value <= high:
                raise TelemetryError(path, f"line {line}, column {source}: {value:g} outside the plausible range "
                                     f"{low:g}-{high:g}")
        if name in ZERO_IS_DROPOUT:
            zeros = values == 0
            if zeros.any():
                values = np.where(zeros, np.nan, values)
                warnings.append(f"{path.name}: {source} reads 0 on {_spans(lines, zeros)}: "
                                "treated as a sensor dropout, not a reading")
    missing = np.isnan(values)
    if missing.any() and not missing.all():
        warnings.append(f"{path.name}: {source} has no reading on {_spans(lines, missing)} (sensor dropout)")
    return values


def _spans(lines: list[int], mask: np.ndarray) -> str:
    """'lines 5-7, 12' for the lines where mask is set."""
    spans: list[tuple[int, int]] = []
    for line, on in zip(lines, mask):
        if not on:
            continue
        if spans and spans[-1][1] == line - 1:
            spans[-1] = (spans[-1][0], line)
        else:
            spans.append((line, line))
    text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans[:6])
    return ("lines " if len(spans) > 1 or spans[0][0] != spans[0][1] else "line ") + text + (" ..." if len(spans) > 6 else "")


def _gaps(window: Window) -> None:
    if len(window.timestamps) < 3:
        return
    steps = np.diff([t.timestamp() for t in window.timestamps])
    median = float(np.median(steps))
    for i, step in enumerate(steps):
        if step > GAP_FACTOR * median:
            window.warnings.append(
                f"{window.path.name}: gap of {step / 60:.0f} min between line {window.lines[i]} and line "
                f"{window.lines[i + 1]} (readings every {median / 60:.0f} min otherwise); trends span the gap")
