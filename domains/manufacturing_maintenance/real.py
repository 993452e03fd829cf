"""The `real` suite: AI4I 2020's held-out readings through `diagnose`, and held-out aviation
logbook complaints through `similar`.

Data: ai4i2020.csv (UCI id 601, Matzka 2020, CC BY 4.0), read from the configured folder
(`domains.manufacturing_maintenance.data_dir`, e.g. ../shared/data/external/manufacturing_maintenance)
and never copied into the repo. Split: stratified on `Machine failure`, 80/20, seed 0 (scikit-learn
`train_test_split(..., test_size=0.2, stratify=..., random_state=0)`), the split the issue's
reference figures use; the 2,000 test rows become one telemetry file each (one reading, the
product type as the variant: L -> VMC-400, M -> VMC-600, H -> VMC-800). The 8,000 training rows
are not used: the classifier is trained on the generator's physics (`classifier.training_set`),
so this suite measures how that transfers to the real dataset, and nothing is tuned on it.

Logbook: akgam_fully_annotated_logbook.csv (MaintNet / AKGAM, University of North Dakota fleet;
no licence file: read from the configured folder, written only into the run's own corpus folder,
never into the repo). Split: scikit-learn `train_test_split(test_size=0.2, random_state=0)` over
all 6,169 records; the 80% become the searchable history (complaint, action, problem type,
part), and the first `LOGBOOK_CASES` held-out records that carry both labels are the cases
(`real_limit` overrides). A case is right at 1 when the most similar past case has its label.
"""
from __future__ import annotations

import csv
from pathlib import Path

from rightsized.domains.base import Corpus, GoldCase, SuiteUnavailable, write_gold

AI4I = "ai4i2020.csv"
LOGBOOK = "aviation_maintenance_logs/akgam_fully_annotated_logbook.csv"
LOGBOOK_CASES = 300
MODE_COLUMNS = ("TWF", "HDF", "PWF", "OSF", "RNF")
TELEMETRY_HEADER = ("timestamp", "machine_id", "Type", "Air temperature [K]", "Process temperature [K]",
                    "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]")


def ai4i_split(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(train, test) rows of the stated split."""
    from sklearn.model_selection import train_test_split

    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    train, test = train_test_split(rows, test_size=0.2, stratify=[r["Machine failure"] for r in rows], random_state=0)
    return train, test


def build_real_corpus(out_dir: Path, config: object | None) -> Corpus:
    data_dir = getattr(config, "data_dir", None)
    if data_dir is None:
        raise SuiteUnavailable("set domains.manufacturing_maintenance.data_dir to the folder holding ai4i2020.csv "
                               "(../shared/data/external/manufacturing_maintenance)")
    source = Path(data_dir).expanduser() / AI4I
    if not source.is_file():
        raise SuiteUnavailable(f"{source}: not found (AI4I 2020, UCI id 601, CC BY 4.0)")
    limit = getattr(config, "real_limit", None)
    gold = ai4i_cases(source, out_dir / "documents", limit)
    logbook = Path(data_dir).expanduser() / LOGBOOK
    if logbook.is_file():
        gold += logbook_cases(logbook, out_dir / "documents", limit or LOGBOOK_CASES)
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(out_dir / "documents", gold)


def ai4i_cases(source: Path, documents: Path, limit: int | None) -> list[GoldCase]:
    _, test = ai4i_split(source)
    test = test[:limit] if limit else test
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
            input={"telemetry": f"ai4i/{name}"},
            expected={"primary_mode": modes[0] if modes else "none", "modes": modes,
                      "failure": row["Machine failure"] == "1"},
            tags=("real", "ai4i2020")))
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
