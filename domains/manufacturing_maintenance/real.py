"""The `real` suite: AI4I 2020's held-out readings through `diagnose`, and held-out aviation
logbook complaints through `similar`.

Data: ai4i2020.csv (UCI id 601, Matzka 2020, CC BY 4.0), read from the configured folder
(`domains.manufacturing_maintenance.data_dir`, e.g. ../shared/data/external/manufacturing_maintenance)
and never copied into the repo. Split: stratified on `Machine failure`, 80/20, seed 0 (scikit-learn
`train_test_split(..., test_size=0.2, stratify=..., random_state=0)`), the split the issue's
reference figures use; the 2,000 test rows become one telemetry file each (one reading, the
product type as the variant: L -> VMC-400, M -> VMC-600, H -> VMC-800). The classifier is
trained on the generator's physics (`classifier.training_set`), not on AI4I; the 8,000 training
rows serve one purpose: choosing the failure threshold by 5-fold cross-validation
(`thresholds.choose_failure_threshold`), which every test case then passes to `diagnose` and
which is written with its fold scores to `ai4i_threshold.json` beside the gold file. The test
rows are read only to write the cases.

Logbook: akgam_fully_annotated_logbook.csv (MaintNet / AKGAM, University of North Dakota fleet;
no licence file: read from the configured folder, written only into the run's own corpus folder,
never into the repo). Split: scikit-learn `train_test_split(test_size=0.2, random_state=0)` over
all 6,169 records; the 80% become the searchable history (complaint, action, problem type,
part), and the first `LOGBOOK_CASES` held-out records that carry both labels are the cases
(`real_limit` overrides). A case is right at 1 when the most similar past case has its label.

C-MAPSS FD001 (NASA Ames PCoE, Saxena et al. 2008; US Government work, public domain): the
official split. train_FD001 (100 engines run to failure) is the fleet every case learns from;
each of the 100 test engines (test_FD001, truncated before failure) is one `remaining_life`
case, its true RUL the matching line of RUL_FD001. The files are copied into the run's corpus
folder (public domain), test engines one file each, lines verbatim.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from rightsized.domains.base import Corpus, GoldCase, SuiteUnavailable, write_gold
from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS, VARIANT_MODEL, limit_rules
from rightsized.domains.manufacturing_maintenance.thresholds import ThresholdChoice, choose_failure_threshold
from rightsized.pipelines.errors import IngestError

AI4I = "ai4i2020.csv"
LOGBOOK = "aviation_maintenance_logs/akgam_fully_annotated_logbook.csv"
LOGBOOK_CASES = 300
CMAPSS = "cmapss_fd001"
CMAPSS_FILES = ("train_FD001.txt", "test_FD001.txt", "RUL_FD001.txt")
MODE_COLUMNS = ("TWF", "HDF", "PWF", "OSF", "RNF")
TELEMETRY_HEADER = ("timestamp", "machine_id", "Type", "Air temperature [K]", "Process temperature [K]",
                    "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]")
READING = {"air_temp_K": "Air temperature [K]", "process_temp_K": "Process temperature [K]",
           "rotational_speed_rpm": "Rotational speed [rpm]", "torque_Nm": "Torque [Nm]",
           "tool_wear_min": "Tool wear [min]"}


def ai4i_split(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(train, test) rows of the stated split."""
    from sklearn.model_selection import train_test_split

    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    train, test = train_test_split(rows, test_size=0.2, stratify=[r["Machine failure"] for r in rows], random_state=0)
    return train, test


def build_real_corpus(out_dir: Path, config: object | None) -> Corpus:
    """Every dataset found under the configured folder; unavailable only when none is."""
    data_dir = getattr(config, "data_dir", None)
    if data_dir is None:
        raise SuiteUnavailable("set domains.manufacturing_maintenance.data_dir to the folder holding ai4i2020.csv, "
                               "cmapss_fd001/ and aviation_maintenance_logs/ "
                               "(../shared/data/external/manufacturing_maintenance)")
    root = Path(data_dir).expanduser()
    limit = getattr(config, "real_limit", None)
    documents = out_dir / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    gold: list[GoldCase] = []
    missing: list[str] = []
    if (root / AI4I).is_file():
        train, test = ai4i_split(root / AI4I)
        choice = ai4i_failure_threshold(train)
        (out_dir / "ai4i_threshold.json").write_text(json.dumps(choice.to_dict(), indent=2) + "\n")
        gold += ai4i_cases(test[:limit] if limit else test, documents, choice.threshold)
    else:
        missing.append(f"{root / AI4I}: not found (AI4I 2020, UCI id 601, CC BY 4.0)")
    if (root / LOGBOOK).is_file():
        gold += logbook_cases(root / LOGBOOK, documents, limit or LOGBOOK_CASES)
    else:
        missing.append(f"{root / LOGBOOK}: not found (MaintNet / AKGAM logbook)")
    if all((root / CMAPSS / name).is_file() for name in CMAPSS_FILES):
        gold += cmapss_cases(root / CMAPSS, documents, limit)
    else:
        missing.append(f"{root / CMAPSS}: {', '.join(CMAPSS_FILES)} not all found (NASA C-MAPSS FD001)")
    if not gold:
        raise SuiteUnavailable("; ".join(missing))
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(documents, gold)


def ai4i_failure_threshold(train: list[dict[str, str]]) -> ThresholdChoice:
    """The failure threshold chosen by cross-validation on AI4I's training rows, each scored as
    `diagnose` scores a one-reading file (rules + classifier, vibration unavailable)."""
    from rightsized.domains.manufacturing_maintenance.classifier import default_classifier, feature_row
    from rightsized.domains.manufacturing_maintenance.scoring import score_batch

    models = [MACHINE_MODELS[VARIANT_MODEL[row["Type"]]] for row in train]
    readings = [{name: float(row[column]) for name, column in READING.items()} for row in train]
    features = np.array([feature_row(m, r, None, None, None) for m, r in zip(models, readings)])
    hits = [limit_rules(m, r, None) for m, r in zip(models, readings)]
    verdicts = score_batch(default_classifier(), features, hits, [["vibration_mm_s"]] * len(train))
    return choose_failure_threshold(np.array([v.hard_limit for v in verdicts]), np.array([v.alarm for v in verdicts]),
                                    np.array([row["Machine failure"] == "1" for row in train]))


def ai4i_cases(test: list[dict[str, str]], documents: Path, failure_threshold: float) -> list[GoldCase]:
    folder = documents / "ai4i"
    folder.mkdir(parents=True, exist_ok=True)
    gold = []
    for row in test:
        name = f"ai4i_{int(row['UDI']):05d}.csv"
        with (folder / name).open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(TELEMETRY_HEADER)
            writer.writerow(["2020-01-01T00:00:00", row["Product ID"], row["Type"], *(row[c] for c in TELEMETRY_HEADER[3:])])
        modes = [m for m in MODE_COLUMNS if row[m] == "1"]
        gold.append(GoldCase(
            case_id=f"ai4i-{row['UDI']}", domain="manufacturing_maintenance", task="diagnose",
            input={"telemetry": f"ai4i/{name}", "failure_threshold": failure_threshold},
            expected={"primary_mode": modes[0] if modes else "none", "modes": modes,
                      "failure": row["Machine failure"] == "1"},
            tags=("real", "ai4i2020")))
    return gold


def cmapss_cases(folder: Path, documents: Path, limit: int | None) -> list[GoldCase]:
    """One `remaining_life` case per official test engine (the first `limit` when set)."""
    out = documents / "cmapss"
    out.mkdir(parents=True, exist_ok=True)
    (out / "train_FD001.txt").write_bytes((folder / "train_FD001.txt").read_bytes())
    engines: dict[str, list[str]] = {}
    for line in (folder / "test_FD001.txt").read_text().splitlines():
        if line.split():
            engines.setdefault(line.split()[0], []).append(line)
    truth = [line.strip() for line in (folder / "RUL_FD001.txt").read_text().splitlines() if line.strip()]
    if len(truth) != len(engines):
        raise IngestError(folder / "RUL_FD001.txt", f"{len(truth)} true RUL values for {len(engines)} test engines")
    gold = []
    for (unit, lines), rul in list(zip(engines.items(), truth))[:limit]:
        name = f"test_FD001_unit_{int(unit):03d}.txt"
        (out / name).write_text("\n".join(lines) + "\n")
        gold.append(GoldCase(
            case_id=f"cmapss-fd001-{int(unit):03d}", domain="manufacturing_maintenance", task="remaining_life",
            input={"history": f"cmapss/{name}", "fleet": "cmapss/train_FD001.txt"},
            expected={"rul": float(rul)}, tags=("real", "cmapss_fd001")))
    return gold


def logbook_cases(source: Path, documents: Path, limit: int) -> list[GoldCase]:
    """The history file under documents/logbook/ and the held-out complaints as `similar` cases."""
    from sklearn.model_selection import train_test_split

    with source.open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = list(csv.reader(handle))[1:]  # the header repeats TYPE: read by position
    records = [{"work_order": r[0], "note": r[1], "part": r[4], "problem": r[5], "action": r[6]} for r in rows if len(r) >= 7]
    history, held_out = train_test_split(records, test_size=0.2, random_state=0)
    folder = documents / "logbook"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "logbook_history.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["work_order", "note", "action", "problem", "part"])
        writer.writeheader()
        writer.writerows(history)
    cases = [r for r in held_out if r["part"].strip() and r["problem"].strip()][:limit]
    return [GoldCase(case_id=f"logbook-{r['work_order']}", domain="manufacturing_maintenance", task="similar",
                     input={"library": "logbook", "complaint": r["note"]},
                     expected={"problem": r["problem"].strip(), "part": r["part"].strip()},
                     tags=("real", "logbook")) for r in cases]
