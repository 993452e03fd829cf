"""Fleet benchmark: diagnose 1,000 machines' telemetry windows and say where the time goes.

Why these parts: scoring a fleet is a batch job; its cost is reading and validating the files,
the rules plus classifier (one batched call for the fleet), anomaly detection per machine,
retrieval of manual rows and past cases for the machines at risk, and on LLM tiers the
explanation. Each is timed on the same 1,000 windows in the same run and reported as a share of
the whole, with the rules+classifier path's own rate (machines/s and per minute) beside the raw
classifier call it wraps. No absolute figure is asserted anywhere.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from rightsized.domains.bench import Benchmark
from rightsized.pipelines.runtime import Workspace

MACHINES = 1000
RETRIEVED = 50  # machines at risk whose citations and explanation are measured (then scaled)


def _fleet_benchmark(workspace: Workspace, tier: str) -> dict[str, Any]:
    import numpy as np

    from rightsized.domains.context import TaskContext
    from rightsized.domains.inputs import build_input
    from rightsized.domains.manufacturing_maintenance import domain
    from rightsized.domains.manufacturing_maintenance.anomaly import detect
    from rightsized.domains.manufacturing_maintenance.classifier import default_classifier, features
    from rightsized.domains.manufacturing_maintenance.diagnose import DiagnoseTask
    from rightsized.domains.manufacturing_maintenance.physics import limit_rules
    from rightsized.domains.manufacturing_maintenance.scoring import score_batch
    from rightsized.domains.manufacturing_maintenance.telemetry import read_telemetry
    from rightsized.domains.runner import DocumentIngester

    with tempfile.TemporaryDirectory() as tmp:
        corpus = domain.build_corpus(Path(tmp), n=MACHINES, seed=7)
        files = sorted((corpus.root / "telemetry").glob("*.csv"))
        classifier = default_classifier()  # trained before timing starts
        started = time.perf_counter()
        windows = [read_telemetry(f) for f in files]
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        rows = np.vstack([features(w) for w in windows])
        hits = [limit_rules(w.model, w.latest(), w.vibration_level()) for w in windows]
        scored = score_batch(classifier, rows, hits, [w.unavailable for w in windows])
        rules_classifier_s = time.perf_counter() - started
        started = time.perf_counter()
        classifier.predict(rows)
        raw_classifier_s = time.perf_counter() - started
        started = time.perf_counter()
        for w in windows:
            detect(w)
        anomaly_s = time.perf_counter() - started
        at_risk = [i for i, s in enumerate(scored) if s.risk != "low"]
        sample = at_risk[:RETRIEVED]
        ingester = DocumentIngester(workspace, domain, namespace="bench-mm")
        ingester.ingest(tier, [corpus.root / "library"])
        task = DiagnoseTask()
        retrieval_s = generation_s = 0.0
        for i in sample:
            inputs = build_input(task.input_model, request={"telemetry": str(files[i]), "library": "library"},
                                 base=corpus.root)
            ctx = TaskContext(workspace.tier(tier))
            ctx.documents["library"] = ingester.scope(tier, inputs.library)
            result = task.run(ctx, inputs)
            usage = ctx.usage()
            generation_s += usage.llm_latency_s or 0.0
            retrieval_s += (usage.latency_s or 0.0) - (usage.llm_latency_s or 0.0)
            assert result.machine_id
        scale = len(at_risk) / len(sample) if sample else 0.0
        # Retrieval/generation totals are per sampled at-risk machine, scaled to the fleet's at-risk count;
        # the sampled runs also re-do rules+classifier+anomaly, a small over-count of retrieval.
        parts = {"read_validate": read_s, "rules_classifier": rules_classifier_s, "anomaly": anomaly_s,
                 "retrieval": retrieval_s * scale, "generation": generation_s * scale}
        total = sum(parts.values())
        return {
            "machines": len(windows), "at_risk": len(at_risk), "tier": tier, "sampled_for_citations": len(sample),
            "machines_per_s_end_to_end": round(len(windows) / total, 1),
            "rules_classifier_machines_per_s": round(len(windows) / rules_classifier_s, 1),
            "rules_classifier_machines_per_minute": round(60 * len(windows) / rules_classifier_s),
            "rules_classifier_over_raw_classifier": round(rules_classifier_s / raw_classifier_s, 2),
            "share": {name: round(seconds / total, 3) for name, seconds in parts.items()},
            "seconds": {name: round(seconds, 3) for name, seconds in parts.items()},
        }


def fleet_benchmark() -> Benchmark:
    return Benchmark("fleet", f"diagnose {MACHINES} machines' telemetry windows: machines/s and where the time goes",
                     _fleet_benchmark)
