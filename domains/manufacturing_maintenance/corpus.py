"""The deterministic sample corpus: a fleet's telemetry, its maintenance log and its manuals.

Layout under `out_dir`:
    documents/library/manuals/manual_<MODEL>.pdf    one per machine model (real PDFs)
    documents/library/logs/maintenance_log.csv       technicians' notes, one work order per row
    documents/telemetry/<machine>.csv                one machine's last 8 hours, every 10 min
    gold.jsonl                                       diagnose and ask cases with their answers
    log_truth.jsonl                                  each work order's true problem, part, action

Each machine is given one scenario: healthy (some near a limit but inside it) or one failure
mode developing over the last third of the window (AI4I 2020's TWF, HDF, PWF, OSF, plus bearing
wear in vibration). Random failures (RNF) are not planted: they have no precursor in telemetry,
so no diagnosis could be scored on them (the real suite counts them). One machine's file also
has a sensor dropout and a gap, handled with warnings.
"""
from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from rightsized.domains.base import Corpus, GoldCase, write_gold
from rightsized.domains.manufacturing_maintenance.manuals import manual_file_name, manual_rows, write_manual
from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS, NONE

DOMAIN = "manufacturing_maintenance"
READINGS = 48
STEP = timedelta(minutes=10)
START = datetime(2026, 11, 30, 6, 0)
# The first 16 machines' scenarios, chosen so that n=16 covers every mode at least twice.
SCENARIOS = ("BWF", "HDF", "TWF", "OSF", "PWF_high", "none", "BWF_alert", "HDF", "PWF_low", "OSF",
             "TWF", "none_near", "BWF", "none", "PWF_high", "HDF")
RISK = {"none": "low", "TWF": "medium", "HDF": "high", "PWF": "high", "OSF": "high", "BWF": "high"}


@dataclass(frozen=True)
class Machine:
    machine_id: str
    model: str
    scenario: str

    @property
    def mode(self) -> str:
        return self.scenario.split("_")[0]


def fleet(n: int) -> list[Machine]:
    models = list(MACHINE_MODELS)
    machines = []
    for i in range(n):
        scenario = SCENARIOS[i % len(SCENARIOS)]
        # Overstrain is planted on the L and M variants, where the limits are lower.
        model = models[i % 2] if scenario == "OSF" else models[i % len(models)]
        machines.append(Machine(f"M{i + 1:02d}", model, scenario))
    return machines


def _ramp(start: float, end: float, i: int, onset: int) -> float:
    """start until `onset`, then linearly to `end` at the last reading."""
    if i < onset:
        return start
    return start + (end - start) * (i - onset + 1) / (READINGS - onset)


def telemetry(machine: Machine, rng: random.Random) -> list[dict[str, str]]:
    """48 readings of one machine: normal operation, the planted mode developing from 2/3 on."""
    model = MACHINE_MODELS[machine.model]
    onset = READINGS * 2 // 3
    air0 = rng.uniform(297.5, 301.5)
    dt0 = rng.uniform(9.8, 11.0)
    rpm0, torque0 = rng.uniform(1480, 1620), rng.uniform(34, 44)
    wear0 = rng.uniform(20, 120)
    vib0 = rng.uniform(1.6, 2.4)
    s = machine.scenario
    dt_end, rpm_end, torque_end, wear_end, vib_end = dt0, rpm0, torque0, wear0 + READINGS * 0.5, vib0
    if s == "HDF":
        dt_end, rpm_end, torque_end = rng.uniform(7.4, 8.2), rng.uniform(1290, 1360), rng.uniform(42, 50)
    elif s == "PWF_high":
        rpm_end, torque_end = rng.uniform(1450, 1520), rng.uniform(63, 68)
    elif s == "PWF_low":
        rpm_end, torque_end = rng.uniform(1650, 1750), rng.uniform(12, 16)
    elif s == "OSF":
        wear0 = rng.uniform(170, 178)
        rpm_end = rng.uniform(1220, 1260)
        wear_end = wear0 + READINGS * 0.4
        torque_end = (model.overstrain_limit / wear_end) * rng.uniform(1.05, 1.09)
    elif s == "TWF":
        wear0 = rng.uniform(185, 195)
        wear_end = wear0 + rng.uniform(32, 42)
        torque0 = torque_end = rng.uniform(28, 36)
    elif s in ("BWF", "BWF_alert"):
        vib_end = rng.uniform(7.4, 8.6) if s == "BWF" else rng.uniform(5.2, 6.4)
    elif s == "none_near":
        wear0 = rng.uniform(168, 172)
        wear_end = wear0 + 20
        dt_end, rpm_end = 9.2, 1420.0
        vib_end = 3.4
    rows = []
    for i in range(READINGS):
        air = air0 + 0.4 * (i / READINGS) + rng.gauss(0, 0.08)
        dt = _ramp(dt0, dt_end, i, onset) + rng.gauss(0, 0.06)
        rpm = _ramp(rpm0, rpm_end, i, onset) + rng.gauss(0, 6)
        torque = _ramp(torque0, torque_end, i, onset) + rng.gauss(0, 0.4)
        wear = wear0 + (wear_end - wear0) * i / (READINGS - 1)
        vib_onset = READINGS // 3 if s.startswith("BWF") else onset  # bearings degrade slowly
        vib = _ramp(vib0, vib_end, i, vib_onset) + rng.gauss(0, 0.08)
        rows.append({
            "timestamp": (START + i * STEP).isoformat(), "machine_id": machine.machine_id,
            "machine_model": machine.model, "air_temp_K": f"{air:.1f}", "process_temp_K": f"{air + dt:.1f}",
            "rotational_speed_rpm": f"{rpm:.0f}", "torque_Nm": f"{torque:.1f}", "tool_wear_min": f"{wear:.0f}",
            "vibration_mm_s": f"{max(vib, 0.3):.2f}",
        })
    return rows


# Work orders as technicians write them: (mode, note, problem, part, action). {v} {w} {f} filled per entry.
LOG_TEMPLATES = (
    ("BWF", "spndl brg noisy DE side, vib {v} mm/s. repl brg DE side p/n BRG-6206-2RS, chk align ok",
     "bearing wear", "spindle bearing", "replaced"),
    ("BWF", "hi vib on spindle {v}mm/s, brgs rough. R&R spindle brgs BRG-6206-2RS + regreased",
     "bearing wear", "spindle bearing", "replaced"),
    ("BWF", "brng whine DE, vib trend up {v}. replcd DE brg, aligment chkd, lube GR-EP2",
     "bearing wear", "spindle bearing", "replaced"),
    ("HDF", "m/c tripped overtemp, dT low @ low rpm. clnd HX fins, coolant flo {f} l/min ok now",
     "overheating", "heat exchanger", "cleaned"),
    ("HDF", "overtemp alm at low speed. cooling fan dead, repl fan p/n FAN-120, clnd heat exch",
     "overheating", "cooling fan", "replaced"),
    ("HDF", "o/temp trip. clnt lvl low + fins clogged, topped up + clned fins",
     "overheating", "heat exchanger", "cleaned"),
    ("TWF", "poor finsh + chatter, tool @ {w} min. chgd insert INS-CNMG-120408, rst ctr",
     "tool worn", "cutting insert", "replaced"),
    ("TWF", "tl wear ctr over limit {w}min, surf finish bad. new insert fitted, ctr reset",
     "tool worn", "cutting insert", "replaced"),
    ("PWF", "drv o/load alarm, pwr hi. reduced feed + DOC, chk spndl drv params",
     "power out of range", "spindle drive", "adjusted"),
    ("PWF", "spdl stall / underV alm, belt slipping. tensnd belt p/n BLT-XPZ-1180, chkd supply V",
     "power out of range", "drive belt", "tensioned"),
    ("PWF", "pwr flt on spndl drv, pwr lo. repl belt BLT-XPZ-1180, drv ok",
     "power out of range", "drive belt", "replaced"),
    ("OSF", "tool snapped heavy cut, hi torq late tool life. repl tool + reduced DOC",
     "overstrain", "cutting tool", "replaced"),
    ("OSF", "ovrstrain alm, torq hi w/ worn tool {w}min. chgd tool, lowered depth of cut",
     "overstrain", "cutting tool", "replaced"),
    ("", "clnt leak under base, hose cracked. repl hose HOSE-19, tightnd clamps",
     "leak", "coolant hose", "replaced"),
    ("", "X axis servo alm on rapids. way lube empty, refilled, chk enc cable ok",
     "servo alarm", "way lubrication", "refilled"),
    ("", "door interlock flt, m/c wont start. adj switch, tested ok",
     "interlock fault", "door switch", "adjusted"),
)


def maintenance_log(machines: list[Machine], rng: random.Random) -> list[dict[str, str]]:
    """Three years of work orders over the fleet: every template at least twice, dates ascending."""
    entries = []
    templates = [t for t in LOG_TEMPLATES for _ in range(2)] + [rng.choice(LOG_TEMPLATES) for _ in range(8)]
    rng.shuffle(templates)
    day = datetime(2024, 1, 8)
    for number, (mode, note, problem, part, action) in enumerate(templates, start=1):
        day += timedelta(days=rng.randint(10, 30))
        machine = rng.choice(machines)
        text = note.format(v=f"{rng.uniform(5.0, 8.5):.1f}", w=f"{rng.randint(201, 238)}", f=f"{rng.randint(12, 16)}")
        entries.append({"work_order": f"WO-{1000 + number}", "date": day.date().isoformat(),
                        "machine": machine.machine_id, "model": machine.model,
                        "technician": rng.choice(["JK", "DM", "RS", "AL"]), "note": text,
                        "_mode": mode, "_problem": problem, "_part": part, "_action": action})
    return entries


ASK_QUESTIONS = (  # the first n/4 are asked: a manual row, an unanswerable one, history, a limit, ...
    ("Machine VMC-400 trips on overtemperature - what do I check first?", ["VMC400-TS-02"]),
    ("What is the warranty period of the VMC-400?", []),
    ("What was done last time a machine tripped on overtemperature?", ["@HDF"]),
    ("What is the overstrain limit for the VMC-800?", ["VMC800-LIM-04"]),
    ("What is the tool wear replacement limit on the VMC-600?", ["VMC600-LIM-05", "VMC600-INT-04"]),
    ("What torque should the tool holder retention bolts be tightened to?", []),
    ("How often should the spindle bearings of the VMC-800 be lubricated?", ["VMC800-INT-01"]),
    ("Which hydraulic oil grade does the VMC-800 clamping unit use?", []),
)


def build_corpus(out_dir: Path, *, n: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    documents = out_dir / "documents"
    library, telemetry_dir = documents / "library", documents / "telemetry"
    for model in MACHINE_MODELS.values():
        write_manual(model, library / "manuals" / manual_file_name(model))
    machines = fleet(n)
    log = maintenance_log(machines, rng)
    (library / "logs").mkdir(parents=True, exist_ok=True)
    public = ["work_order", "date", "machine", "model", "technician", "note"]
    with (library / "logs" / "maintenance_log.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=public, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(log)
    (out_dir / "log_truth.jsonl").write_text("".join(
        json.dumps({"work_order": e["work_order"], "note": e["note"], "mode": e["_mode"], "problem": e["_problem"],
                    "part": e["_part"], "action": e["_action"]}) + "\n" for e in log))
    by_mode: dict[str, list[str]] = {}
    for entry in log:
        by_mode.setdefault(entry["_mode"], []).append(entry["work_order"])
    telemetry_dir.mkdir(parents=True, exist_ok=True)
    gold = []
    for index, machine in enumerate(machines):
        rows = telemetry(machine, random.Random(seed * 1000 + index))
        if index == 3:  # a vibration dropout and a 40-minute gap, both to be reported
            for row in rows[20:24]:
                row["vibration_mm_s"] = ""
            for row in rows[30:]:
                row["timestamp"] = (datetime.fromisoformat(row["timestamp"]) + timedelta(minutes=40)).isoformat()
        name = f"{machine.machine_id}.csv"
        with (telemetry_dir / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        mode = machine.mode
        model = MACHINE_MODELS[machine.model]
        modes = [] if mode == NONE else [mode]
        gold.append(GoldCase(
            case_id=f"diagnose-{machine.machine_id}", domain=DOMAIN, task="diagnose",
            input={"telemetry": f"telemetry/{name}", "library": "library"},
            expected={"primary_mode": mode, "modes": modes, "risk": RISK[mode], "failure": RISK[mode] == "high",
                      "relevant_rows": sorted(r.row_id for r in manual_rows(model) if r.code and r.code in modes),
                      "relevant_entries": sorted(by_mode.get(mode, [])) if modes else []},
            tags=("synthetic", machine.scenario)))
    for number, (question, answers) in enumerate(ASK_QUESTIONS[: max(2, n // 4)], start=1):
        expected = sorted({a for item in answers for a in (by_mode.get(item[1:], []) if item.startswith("@") else [item])})
        gold.append(GoldCase(
            case_id=f"ask-{number:02d}", domain=DOMAIN, task="ask",
            input={"library": "library", "question": question},
            expected={"answers": expected, "abstain": not expected}, tags=("synthetic", "ask")))
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(documents, gold)

