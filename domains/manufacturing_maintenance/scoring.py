"""Rules plus classifier: from one machine window to risk, flagged modes and their ranking.

Why this split of authority: heat dissipation, power and overstrain are exact physics limits in
the manual, so the rule decides them and the classifier only contributes a probability to show;
tool wear failure, bearing wear and random failures are not exact, so there the calibrated
classifier decides (a bearing past the trip limit is decided by the rule too). A mode is
flagged ("likely") at `FLAG_THRESHOLD`; a failure is predicted when a hard limit is broken or
a flagged non-exact mode reaches the failure threshold. `FLAG_THRESHOLD` and the default
`FAILURE_THRESHOLD` are fixed in `classifier.py` on the generator's physics; a site with labelled
history can pass its own failure threshold (`thresholds.py` chooses one by cross-validation, as
the real suite does on AI4I's training part), because how much a soft-mode probability is worth
as a failure call depends on how often that site's flagged machines actually fail.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rightsized.domains.manufacturing_maintenance.classifier import FAILURE_THRESHOLD, FLAG_THRESHOLD, ModeClassifier
from rightsized.domains.manufacturing_maintenance.physics import MODES, NONE, RuleHit

EXACT_RULE_MODES = frozenset({"HDF", "PWF", "OSF"})
# Which sensors each limit needs: a rule whose sensor is unavailable is reported as not evaluated.
RULE_SENSORS = {
    "HDF": ("air_temp_K", "process_temp_K", "rotational_speed_rpm"),
    "PWF": ("torque_Nm", "rotational_speed_rpm"),
    "OSF": ("torque_Nm", "tool_wear_min"),
    "TWF": ("tool_wear_min",),
    "BWF": ("vibration_mm_s",),
}


@dataclass(frozen=True)
class Scored:
    probabilities: dict[str, float]
    flagged: list[str]  # likely modes, most likely first
    ranked: list[str]  # every mode and "none", best first (top-k accuracy reads this)
    failure: bool
    risk: str  # low | medium | high
    not_evaluated: list[str]  # modes whose rules could not run (sensor unavailable)
    hard_limit: bool  # a hard limit is broken: a failure whatever the threshold
    alarm: float  # the highest probability among flagged non-exact modes (compared with the failure threshold)


def decide(probabilities: np.ndarray, hits: Sequence[RuleHit], unavailable: Sequence[str],
           failure_threshold: float = FAILURE_THRESHOLD) -> Scored:
    """One machine's verdict from its mode probabilities (in `MODES` order) and rule hits."""
    p = {m: round(float(v), 4) for m, v in zip(MODES, probabilities)}
    hard = {h.mode for h in hits if h.hard}
    soft = {h.mode for h in hits if not h.hard} - hard
    not_evaluated = sorted(m for m, sensors in RULE_SENSORS.items() if any(s in unavailable for s in sensors))
    flagged = {m for m in MODES if (m in hard) or (m not in EXACT_RULE_MODES and p[m] >= FLAG_THRESHOLD)}
    # An exact-rule mode the rules could not check (sensor missing) falls back to the classifier.
    flagged |= {m for m in EXACT_RULE_MODES if m in not_evaluated and p[m] >= FLAG_THRESHOLD}
    alarm = max((p[m] for m in flagged if m not in EXACT_RULE_MODES), default=0.0)
    failure = bool(hard) or alarm >= failure_threshold

    def key(mode: str) -> tuple[int, float]:
        tier = 0 if mode in hard else 1 if mode in flagged else 2 if mode in soft else 4
        return tier, -p[mode]

    ordered = sorted(MODES, key=key)
    watch = [m for m in ordered if key(m)[0] <= 2]
    ranked = watch + [NONE] + [m for m in ordered if m not in watch]
    risk = "high" if failure else "medium" if flagged or soft else "low"
    return Scored(p, [m for m in ordered if m in flagged], ranked, failure, risk, not_evaluated, bool(hard), alarm)


def score_batch(classifier: ModeClassifier, rows: np.ndarray, hits: Sequence[Sequence[RuleHit]],
                unavailable: Sequence[Sequence[str]], failure_threshold: float = FAILURE_THRESHOLD) -> list[Scored]:
    """A fleet at once: one classifier call for every machine (the fast path the benchmark times)."""
    probabilities = classifier.predict(rows)
    return [decide(probabilities[i], hits[i], unavailable[i], failure_threshold) for i in range(len(hits))]
