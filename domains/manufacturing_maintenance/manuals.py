"""Equipment manuals: their tables (limits, maintenance intervals, troubleshooting) as data, as PDFs,
and read back from retrieved chunks one row at a time.

Why every row carries its own id and labelled cells ("VMC400-TS-02 | Code: HDF | Symptom: ... |
Probable cause: ... | Remedy: ..."): a technician is told "do what row TS-02 says", so a row must
be cited whole and found again in whatever chunk holds it. A manual prints each table whole, as
manuals do (the troubleshooting table fills a page), its header repeated on a continuation page;
the domain's sectioner (`sections.py`) makes every row a section of its own at ingest, so the
200-word chunker never cuts a row or repeats it in two chunks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS, MachineModel

ROW_ID = re.compile(r"\b([A-Z0-9]{4,8}-(?:LIM|INT|TS)-\d{2})\b")


@dataclass(frozen=True)
class ManualRow:
    """One table row. `code` is the failure mode a troubleshooting row treats (empty for others)."""

    row_id: str
    section: str  # "limits" | "intervals" | "troubleshooting"
    cells: tuple[tuple[str, str], ...]
    code: str = ""

    @property
    def text(self) -> str:
        head = f"{self.row_id} | Code: {self.code} | " if self.code else f"{self.row_id} | "
        return head + " | ".join(f"{k}: {v}" for k, v in self.cells)

    def cell(self, name: str) -> str:
        return dict(self.cells).get(name, "")


def prefix(model: MachineModel) -> str:
    return model.name.replace("-", "")


def manual_rows(model: MachineModel) -> list[ManualRow]:
    """Every table row of one model's manual, with the model's own limits in them."""
    p = prefix(model)
    limit = f"{model.overstrain_limit:,.0f}"
    limits = [
        ("Process temperature", f"at most {model.process_temp_max:.0f} K", "Stop and let the machine cool; see troubleshooting HDF."),
        ("Process-air temperature difference", f"at least {model.min_temp_difference} K whenever the spindle runs below "
         f"{model.heat_speed_limit:.0f} rpm", "Below it heat is not carried away: heat dissipation failure (HDF)."),
        ("Spindle power", f"between {model.power_min:,.0f} W and {model.power_max:,.0f} W (torque x angular speed)",
         "Outside this band the drive faults: power failure (PWF)."),
        ("Tool wear x torque", f"at most {limit} min.Nm for this {model.variant} variant",
         "Above it the tool or spindle is overstrained (OSF)."),
        ("Tool wear", f"replace the tool at {model.tool_wear_replace:.0f} min; tools fail by {model.tool_wear_end:.0f} min",
         "Tool wear failure (TWF) risk rises after the replacement limit."),
        ("Spindle vibration", f"alert at {model.vibration_alert} mm/s RMS, trip at {model.vibration_trip} mm/s RMS",
         "Rising vibration indicates spindle bearing wear (BWF)."),
    ]
    intervals = [
        ("Spindle bearings", "lubricate every 500 operating hours with grease GR-EP2; replace both bearings every 20,000 h",
         "bearing set p/n BRG-6206-2RS"),
        ("Heat exchanger and cooling fan", "clean the fins every 250 h; check coolant flow is at least 12 l/min",
         "fan p/n FAN-120"),
        ("Spindle drive belt", "check tension every 1,000 h; replace every 8,000 h", "belt p/n BLT-XPZ-1180"),
        ("Cutting tool", f"replace at {model.tool_wear_replace:.0f} min of tool wear and reset the wear counter",
         "insert p/n INS-CNMG-120408"),
        ("Coolant", "check concentration (6-8 %) weekly; change every 1,000 h", "coolant p/n CL-EMU-20"),
    ]
    troubleshooting = [
        ("TWF", "Poor surface finish, chatter, spindle load creeping up; tool wear counter at or above "
         f"{model.tool_wear_replace:.0f} min.", "Cutting tool at end of life.",
         "Replace the cutting insert (p/n INS-CNMG-120408), reset the tool wear counter, inspect the insert seat."),
        ("HDF", f"Machine trips on overtemperature; process-air temperature difference below {model.min_temp_difference} K "
         f"while the spindle runs below {model.heat_speed_limit:.0f} rpm.",
         "Heat not carried away: clogged heat exchanger fins, failed cooling fan or low coolant flow.",
         f"Clean the heat exchanger fins, check coolant level and flow (at least 12 l/min), replace the cooling fan "
         f"(p/n FAN-120) if it does not run; avoid loads below {model.heat_speed_limit:.0f} rpm until fixed."),
        ("PWF", f"Drive overload alarm; spindle power above {model.power_max:,.0f} W.",
         "Cutting load too high: excessive feed or depth of cut, blunt tool.",
         "Reduce feed and depth of cut, check the tool, check the spindle drive parameters."),
        ("PWF", f"Spindle stalls or drive undervoltage alarm; spindle power below {model.power_min:,.0f} W.",
         "Supply voltage drop, spindle drive fault or slipping drive belt.",
         "Check supply voltage and drive fault log, tension or replace the drive belt (p/n BLT-XPZ-1180)."),
        ("OSF", f"Tool breaks or overstrain alarm under heavy torque late in tool life; tool wear x torque above {limit} min.Nm.",
         "Worn tool under heavy cutting torque.",
         "Replace the tool before heavy cuts, reduce depth of cut to lower torque, check the workpiece clamping."),
        ("BWF", f"Spindle vibration rising above {model.vibration_alert} mm/s RMS, whine or rumble from the spindle nose.",
         "Spindle bearing wear, usually the drive end (DE) bearing; misalignment or poor lubrication.",
         "Replace the spindle bearings DE side (p/n BRG-6206-2RS), check shaft alignment, relubricate with GR-EP2."),
        ("BWF", f"Vibration above {model.vibration_trip} mm/s RMS: the machine trips on vibration.",
         "Advanced bearing damage.",
         "Do not restart. Replace both spindle bearings (p/n BRG-6206-2RS), check alignment and balance."),
        ("", "Coolant leaking under the machine base.", "Cracked coolant hose or loose clamp.",
         "Replace the hose (p/n HOSE-19), tighten clamps."),
        ("", "Axis servo alarm on rapid moves.", "Way lubrication low or axis encoder cable damaged.",
         "Refill way lube, inspect the encoder cable."),
        ("", "Chip conveyor stops or jams.", "Chips wrapped around the conveyor hinge belt; overload relay tripped.",
         "Clear the chips, reset the conveyor overload relay, check the conveyor motor current."),
        ("", "Automatic tool changer stops mid-cycle with an ATC alarm.",
         "Magazine pocket out of position or pocket sensor dirty.",
         "Run the magazine reference routine, clean the pocket sensor, check the changer air supply."),
        ("", "Door interlock alarm: the cycle will not start.", "Door switch actuator misaligned or switch cable damaged.",
         "Align the door switch actuator, inspect the switch cable; never bridge the interlock."),
        ("", "Low air pressure alarm.", "Shop air supply below 5.5 bar or a leaking push-in fitting.",
         "Check the shop air supply and the regulator, replace leaking push-in fittings (p/n PF-08)."),
        ("", "Way lube pump alarm at power-on.", "Lube reservoir empty or pump suction filter clogged.",
         "Refill the lube reservoir with slideway lubricant SL-68, clean the suction filter."),
        ("", "Spindle orientation alarm after a tool change.", "Orientation sensor gap wrong or encoder signal noise.",
         "Set the orientation sensor gap to 0.5 mm, check the encoder cable shield is grounded."),
        ("", "Part dimensions drift during the first hour.", "Warm-up growth of the spindle and ball screws.",
         "Run the warm-up program for 15 minutes before precision work, re-check the work offset."),
        ("", "Coolant foams or smells.", "Concentration out of range or bacterial growth in the sump.",
         "Check the concentration (6-8 %), skim the sump surface, change the coolant (p/n CL-EMU-20) if it smells."),
        ("", "Control screen blank at power-on.", "Control power supply fuse blown or 24 V supply fault.",
         "Check the 24 V supply and fuse F3, replace the fuse with the same rating."),
        ("", "Emergency stop will not reset.", "Emergency stop button latched or safety relay fault.",
         "Release every emergency stop button, check the safety relay indicator lamps, call service if it stays red."),
    ]
    rows = [ManualRow(f"{p}-LIM-{i:02d}", "limits", (("Parameter", a), ("Limit", b), ("Note", c)))
            for i, (a, b, c) in enumerate(limits, start=1)]
    rows += [ManualRow(f"{p}-INT-{i:02d}", "intervals", (("Item", a), ("Interval", b), ("Parts", c)))
             for i, (a, b, c) in enumerate(intervals, start=1)]
    rows += [ManualRow(f"{p}-TS-{i:02d}", "troubleshooting",
                       (("Symptom", s), ("Probable cause", c), ("Remedy", r)), code)
             for i, (code, s, c, r) in enumerate(troubleshooting, start=1)]
    return rows


SECTION_TITLES = {"limits": "1 Operating limits", "intervals": "2 Maintenance intervals",
                  "troubleshooting": "3 Troubleshooting (symptom - probable cause - remedy)"}
HEADERS = {"limits": "Row | Parameter | Limit | Note", "intervals": "Row | Item | Interval | Parts",
           "troubleshooting": "Row | Code | Symptom | Probable cause | Remedy"}
NEW_PAGE = {"limits": True, "intervals": False, "troubleshooting": True}  # intervals follow the limits


def write_manual(model: MachineModel, path: Path) -> Path:
    """The model's manual as a real PDF: each table printed whole under its column header, one
    bordered block per row (wrapped over lines), a row never split across pages: a row that
    does not fit starts a continuation page that repeats the heading and the header."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    pdf.set_auto_page_break(auto=True, margin=12)
    rows = manual_rows(model)

    def heading(section: str, continued: bool) -> None:
        pdf.set_font("Helvetica", "B", 11)
        title = f"{model.title} - {SECTION_TITLES[section]}" if NEW_PAGE[section] or continued else SECTION_TITLES[section]
        pdf.multi_cell(0, 6, title + (" (continued)" if continued else ""), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 8)
        pdf.multi_cell(0, 5, HEADERS[section], border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=8)

    for section in SECTION_TITLES:
        if NEW_PAGE[section]:
            pdf.add_page()
        else:
            pdf.ln(4)
        heading(section, continued=False)
        for row in (r for r in rows if r.section == section):
            lines = len(pdf.multi_cell(0, 4, row.text, dry_run=True, output="LINES"))
            if pdf.will_page_break(lines * 4 + 1):
                pdf.add_page()
                heading(section, continued=True)
            pdf.multi_cell(0, 4, row.text, border=1, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def manual_file_name(model: MachineModel) -> str:
    return f"manual_{model.name}.pdf"


def model_of_manual(path: Path) -> str | None:
    """The machine model a manual file is for, from its name (manual_VMC-400.pdf), the name read
    whole: manual_VMC-4000.pdf is no VMC-400 manual."""
    for name in MACHINE_MODELS:
        if re.search(rf"(?<![a-z0-9]){re.escape(name.lower())}(?!\d)", path.name.lower()):
            return name
    return None


def rows_in(text: str) -> list[ManualRow]:
    """The whole table rows found in a chunk's text (whitespace as the PDF extraction left it).

    A row is its id up to the next row id; a row cut off by the chunk (no Remedy / Note /
    Parts cell) is not returned, so only whole rows can be cited.
    """
    flat = " ".join(text.split())
    found: list[ManualRow] = []
    matches = list(ROW_ID.finditer(flat))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(flat)
        body = flat[match.end():end].strip(" |")
        cells = [c.strip() for c in body.split(" | ") if c.strip()]
        pairs = [tuple(c.split(": ", 1)) for c in cells if ": " in c]
        code = ""
        if pairs and pairs[0][0] == "Code":
            code = pairs.pop(0)[1]
        section = {"LIM": "limits", "INT": "intervals", "TS": "troubleshooting"}[match.group(1).split("-")[1]]
        last = {"limits": "Note", "intervals": "Parts", "troubleshooting": "Remedy"}[section]
        if not pairs or pairs[-1][0] != last:
            continue
        found.append(ManualRow(match.group(1), section, tuple((k, v) for k, v in pairs), code))
    return found
