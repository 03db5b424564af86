"""Read power, energy and state of charge out of the sampled values of one meterValue element.

Sampled values are stored as OCPP sent them (`stations.models.MeterValue.sampled_values`); units
are normalised here to W, Wh and percent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .units import parse_decimal, to_w, to_wh

ENERGY_IMPORT_REGISTER = "Energy.Active.Import.Register"
POWER_IMPORT = "Power.Active.Import"
STATE_OF_CHARGE = "SoC"
# Phase values that add up to the total (line to neutral); L1-L2 and the like do not.
_LINE_PHASES = frozenset({"L1", "L2", "L3", "L1-N", "L2-N", "L3-N"})


@dataclass(frozen=True, slots=True)
class Reading:
    power_w: Decimal | None = None
    energy_wh: Decimal | None = None
    soc_percent: Decimal | None = None


def read(samples: Iterable[Mapping[str, Any]]) -> Reading:
    """Power (W), import register (Wh) and SoC (%) of one element; None for what it lacks.

    Totals (no phase) win; power given only per phase is the sum of its line phases. A sample
    without a measurand is the import register (OCPP's default).
    """
    power_total: Decimal | None = None
    power_phases: dict[str, Decimal] = {}
    energy: Decimal | None = None
    soc: Decimal | None = None
    for sample in samples:
        measurand = sample.get("measurand") or ENERGY_IMPORT_REGISTER
        phase = sample.get("phase")
        value = parse_decimal(sample.get("value", ""))
        if value is None:
            continue
        if measurand == ENERGY_IMPORT_REGISTER and not phase and energy is None:
            energy = to_wh(value, sample.get("unit"))
        elif measurand == POWER_IMPORT:
            watts = to_w(value, sample.get("unit"))
            if watts is None:
                continue
            if not phase:
                power_total = watts if power_total is None else power_total
            elif phase in _LINE_PHASES:
                power_phases.setdefault(phase.removesuffix("-N"), watts)
        elif measurand == STATE_OF_CHARGE and soc is None:
            soc = value
    if power_total is None and power_phases:
        power_total = sum(power_phases.values(), Decimal(0))
    return Reading(power_w=power_total, energy_wh=energy, soc_percent=soc)
