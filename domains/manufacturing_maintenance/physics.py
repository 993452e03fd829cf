"""Machine models, their operating limits, and the limit rules that read telemetry against them.

Why the limits are AI4I 2020's: the sample fleet's manuals state the same physics the AI4I
dataset was generated from (Matzka 2020, documented on UCI): heat dissipation fails when the
process-air temperature difference is under 8.6 K at under 1380 rpm, power outside
3,500-9,000 W fails, overstrain when tool wear x torque exceeds 11,000 / 12,000 / 13,000 min.Nm
for the L / M / H variants, and tools reach end of life between 200 and 240 min of wear. So
the same rules are checkable on the real dataset, and a rule that fires is explainable by the
manual row that states the limit. Vibration limits follow ISO 10816-3 class II zones
(4.5 mm/s alert, 7.1 mm/s trip), which AI4I does not cover (bearing wear is ours).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MODES = ("TWF", "HDF", "PWF", "OSF", "RNF", "BWF")
MODE_NAMES = {
    "TWF": "tool wear failure",
    "HDF": "heat dissipation failure",
    "PWF": "power failure",
    "OSF": "overstrain failure",
    "RNF": "random failure",
    "BWF": "bearing wear",
}
NONE = "none"


@dataclass(frozen=True)
class MachineModel:
    """One machine model of the fleet and the limits its manual states."""

    name: str
    title: str
    variant: str  # AI4I product-quality variant: L / M / H
    overstrain_limit: float  # tool wear [min] x torque [Nm]
    tool_wear_replace: float = 200.0  # min: replace the tool at this wear
    tool_wear_end: float = 240.0  # min: a tool is not expected to last beyond this
    min_temp_difference: float = 8.6  # K, process minus air, below which heat is not carried away...
    heat_speed_limit: float = 1380.0  # rpm ...when the spindle also runs slower than this
    power_min: float = 3500.0  # W
    power_max: float = 9000.0  # W
    vibration_alert: float = 4.5  # mm/s RMS
    vibration_trip: float = 7.1  # mm/s RMS
    process_temp_max: float = 315.0  # K


MACHINE_MODELS = {
    m.name: m for m in (
        MachineModel("VMC-400", "VMC-400 vertical machining centre", "L", 11000.0),
        MachineModel("VMC-600", "VMC-600 vertical machining centre", "M", 12000.0),
        MachineModel("VMC-800", "VMC-800 high-precision machining centre", "H", 13000.0),
    )
}
VARIANT_MODEL = {m.variant: m.name for m in MACHINE_MODELS.values()}


def power_w(torque_nm: float, rpm: float) -> float:
    """Mechanical power at the spindle: torque x angular speed."""
    return torque_nm * rpm * 2 * math.pi / 60


@dataclass(frozen=True)
class RuleHit:
    """A manual limit the latest readings break (`hard`: a failure condition) or approach."""

    mode: str
    limit: str  # the manual's limit key, e.g. "overstrain"
    hard: bool
    evidence: str


def limit_rules(model: MachineModel, reading: dict[str, float | None], vibration_level: float | None) -> list[RuleHit]:
    """The manual's limits applied to one reading (latest values) and the recent vibration level.

    A sensor that is missing (None) makes its rules silent here; the caller reports which rules
    could not be evaluated, so a dropout is never read as "within limits".
    """
    hits: list[RuleHit] = []
    air, process = reading.get("air_temp_K"), reading.get("process_temp_K")
    rpm, torque, wear = reading.get("rotational_speed_rpm"), reading.get("torque_Nm"), reading.get("tool_wear_min")
    if air is not None and process is not None and rpm is not None:
        diff = process - air
        if diff < model.min_temp_difference and rpm < model.heat_speed_limit:
            hits.append(RuleHit("HDF", "heat_dissipation", True,
                                f"process-air temperature difference {diff:.1f} K < {model.min_temp_difference} K "
                                f"at {rpm:.0f} rpm < {model.heat_speed_limit:.0f} rpm"))
    if process is not None and process > model.process_temp_max:
        hits.append(RuleHit("HDF", "process_temperature", True,
                            f"process temperature {process:.1f} K > {model.process_temp_max:.0f} K"))
    if torque is not None and rpm is not None:
        power = power_w(torque, rpm)
        if power < model.power_min or power > model.power_max:
            side = "below" if power < model.power_min else "above"
            bound = model.power_min if power < model.power_min else model.power_max
            hits.append(RuleHit("PWF", "power", True,
                                f"spindle power {power:,.0f} W {side} {bound:,.0f} W "
                                f"({torque:.1f} Nm at {rpm:.0f} rpm)"))
    if torque is not None and wear is not None:
        strain = torque * wear
        if strain > model.overstrain_limit:
            hits.append(RuleHit("OSF", "overstrain", True,
                                f"tool wear x torque {strain:,.0f} min.Nm > {model.overstrain_limit:,.0f} min.Nm "
                                f"({wear:.0f} min x {torque:.1f} Nm, variant {model.variant})"))
    if wear is not None and wear >= model.tool_wear_replace:
        hits.append(RuleHit("TWF", "tool_wear", False,
                            f"tool wear {wear:.0f} min >= replacement limit {model.tool_wear_replace:.0f} min"))
    if vibration_level is not None and vibration_level >= model.vibration_alert:
        trip = vibration_level >= model.vibration_trip
        hits.append(RuleHit("BWF", "vibration", trip,
                            f"vibration {vibration_level:.1f} mm/s RMS >= "
                            f"{'trip' if trip else 'alert'} limit "
                            f"{model.vibration_trip if trip else model.vibration_alert} mm/s"))
    return hits
