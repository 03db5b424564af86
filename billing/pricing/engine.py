"""`price()`: a tariff and a session's timeline in, its cost breakdown out. Pure and exact.

Every place that shows or uses a price calls this one function: the live cost, the final
cost, invoices, money limits, the API, what is sent to stations (docs/billing.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from billing.pricing.breakdown import UNITS, CostBreakdown, CostLine, LineKind
from billing.pricing.clock import holds
from billing.pricing.segments import Segment, cut
from billing.pricing.tariff import Tariff, TariffElement
from billing.pricing.timeline import ChargeState, SessionTimeline, clean

# Enough digits that interpolating and splitting never round a cent's worth away.
_PRECISION = 40
# Lines that are not rounded one by one keep this many decimals (the net is rounded once).
_EXACT = Decimal("1E-8")
_QUANTITY = Decimal("1E-6")
_SECONDS_PER_MINUTE = Decimal(60)
_WH_PER_KWH = Decimal(1000)


@dataclass
class _Tally:
    quantity: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)


def price(tariff: Tariff, timeline: SessionTimeline) -> CostBreakdown:
    """The cost of `timeline` under `tariff`, from its start to its stop (or `as_of`).

    Raises nothing for odd data: it is repaired and listed in `oddities` (timeline.clean).
    The same tariff and timeline always give the same breakdown.
    """
    with localcontext() as context:
        context.prec = _PRECISION
        return _price(tariff, timeline)


def _price(tariff: Tariff, timeline: SessionTimeline) -> CostBreakdown:
    cleaned = clean(timeline)
    segments = cut(tariff, cleaned)
    tallies: dict[tuple[int, LineKind], _Tally] = {}
    for segment in segments:
        for index, kind, quantity in _priced(tariff, segment):
            tally = tallies.setdefault((index, kind), _Tally())
            tally.quantity += quantity
            tally.amount += quantity * _unit_price(tariff.elements[index], kind)

    policy = tariff.rounding
    lines: list[CostLine] = []
    for (index, kind), tally in sorted(tallies.items(), key=lambda item: item[0]):
        element = tariff.elements[index]
        amount, capped = tally.amount, False
        if kind is LineKind.IDLE_TIME and element.idle and element.idle.cap is not None:
            capped = amount > element.idle.cap
            amount = min(amount, element.idle.cap)
        lines.append(
            CostLine(
                kind=kind,
                element=index,
                quantity=tally.quantity.quantize(_QUANTITY),
                unit=UNITS[kind],
                unit_price=_unit_price(element, kind),
                amount=policy.round(amount)
                if policy.per_line
                else amount.quantize(_EXACT, rounding=ROUND_HALF_UP),
                capped=capped,
            )
        )
    if tariff.session_fee:
        fee = policy.round(tariff.session_fee)
        lines.append(_fixed(LineKind.SESSION_FEE, fee, UNITS[LineKind.SESSION_FEE]))
    subtotal = sum((line.amount for line in lines), Decimal(0))
    if not policy.per_line and policy.round(subtotal) != subtotal:
        lines.append(_fixed(LineKind.ROUNDING, policy.round(subtotal) - subtotal))
        subtotal = policy.round(subtotal)
    if tariff.min_price is not None and subtotal < tariff.min_price:
        lines.append(_fixed(LineKind.MINIMUM, policy.round(tariff.min_price - subtotal)))
    elif tariff.max_price is not None and subtotal > tariff.max_price:
        lines.append(_fixed(LineKind.MAXIMUM, policy.round(tariff.max_price - subtotal)))

    net = sum((line.amount for line in lines), Decimal(0))
    vat = policy.round(net * tariff.vat_rate)
    charging = sum((s.seconds for s in segments if s.state is ChargeState.CHARGING), Decimal(0))
    idle = sum((s.seconds for s in segments if s.state is ChargeState.IDLE), Decimal(0))
    energy = cleaned.knots[-1].energy_wh if cleaned.knots else Decimal(0)
    return CostBreakdown(
        tariff_id=tariff.id,
        currency=tariff.currency,
        lines=tuple(lines),
        energy_kwh=(energy / _WH_PER_KWH).quantize(_QUANTITY),
        charging_minutes=(charging / _SECONDS_PER_MINUTE).quantize(_QUANTITY),
        idle_minutes=(idle / _SECONDS_PER_MINUTE).quantize(_QUANTITY),
        net=net,
        vat_rate=tariff.vat_rate,
        vat=vat,
        total=net + vat,
        priced_from=cleaned.start,
        priced_until=cleaned.end,
        final=timeline.is_final,
        oddities=cleaned.oddities,
    )


def _priced(tariff: Tariff, segment: Segment) -> list[tuple[int, LineKind, Decimal]]:
    """(element index, kind, quantity) for each dimension this segment is charged for.

    For each dimension the first element that prices it and whose restrictions hold at the
    segment's start supplies the price (OCPI 2.2.1). Restrictions are constant over a segment.
    """
    wanted: list[tuple[LineKind, Decimal]] = []
    if segment.energy_wh > 0:
        wanted.append((LineKind.ENERGY, segment.energy_wh / _WH_PER_KWH))
    if segment.seconds > 0:
        kind = (
            LineKind.CHARGING_TIME if segment.state is ChargeState.CHARGING else LineKind.IDLE_TIME
        )
        wanted.append((kind, segment.seconds / _SECONDS_PER_MINUTE))
    if not wanted:
        return []
    local = segment.at.astimezone(tariff.zone)
    active = [
        holds(
            element.restrictions,
            local=local,
            elapsed_s=segment.begin,
            energy_wh=segment.energy_begin,
            power_kw=segment.power_kw,
        )
        for element in tariff.elements
    ]
    priced: list[tuple[int, LineKind, Decimal]] = []
    for kind, quantity in wanted:
        for index, element in enumerate(tariff.elements):
            if active[index] and _prices(element, kind):
                idle = element.idle
                in_grace = (
                    kind is LineKind.IDLE_TIME
                    and idle is not None
                    and segment.idle_before < idle.grace_minutes * _SECONDS_PER_MINUTE
                )
                if not in_grace:
                    priced.append((index, kind, quantity))
                break
    return priced


def _prices(element: TariffElement, kind: LineKind) -> bool:
    if kind is LineKind.ENERGY:
        return element.per_kwh is not None
    if kind is LineKind.CHARGING_TIME:
        return element.per_minute is not None
    return element.idle is not None


def _unit_price(element: TariffElement, kind: LineKind) -> Decimal:
    if kind is LineKind.ENERGY and element.per_kwh is not None:
        return element.per_kwh
    if kind is LineKind.CHARGING_TIME and element.per_minute is not None:
        return element.per_minute
    if kind is LineKind.IDLE_TIME and element.idle is not None:
        return element.idle.per_minute
    raise ValueError(f"Element does not price {kind}.")


def _fixed(kind: LineKind, amount: Decimal, unit: str = "") -> CostLine:
    return CostLine(kind, None, Decimal(1), unit, amount, amount)
