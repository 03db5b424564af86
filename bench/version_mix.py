"""The OCPP version mix of a load: `--mix 1.6=40,2.0.1=50,2.1=10`, and who gets which version."""

from __future__ import annotations

import random

VERSIONS = ("1.6", "2.0.1", "2.1")
SUBPROTOCOLS = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}
DEFAULT_MIX = (("1.6", 100),)

Mix = tuple[tuple[str, int], ...]


def parse_mix(text: str) -> Mix:
    """`1.6=40,2.0.1=50,2.1=10` -> (("1.6", 40), ("2.0.1", 50), ("2.1", 10)).

    Weights are proportions (they need not add up to 100); a version may appear once.
    """
    weights: dict[str, int] = {}
    for part in text.split(","):
        version, sep, weight = part.strip().partition("=")
        if not sep or version not in VERSIONS:
            raise ValueError(f"{part!r}: expected VERSION=WEIGHT with VERSION in {VERSIONS}")
        if version in weights:
            raise ValueError(f"{version} appears twice in the mix")
        if not weight.isdigit():
            raise ValueError(f"{part!r}: the weight must be a whole number")
        weights[version] = int(weight)
    if not sum(weights.values()):
        raise ValueError("the mix gives no station a version")
    return tuple((v, w) for v in VERSIONS if (w := weights.get(v, 0)))


def format_mix(mix: Mix) -> str:
    total = sum(w for _, w in mix)
    return ", ".join(f"{v} {100 * w / total:g}%" for v, w in mix)


def assign(mix: Mix, stations: int, seed: int) -> list[str]:
    """The version of stations 1..N: counts by largest remainder, order shuffled (seeded) so
    every version is spread over the connection ramp."""
    total = sum(w for _, w in mix)
    exact = [(v, stations * w / total) for v, w in mix]
    counts = {v: int(share) for v, share in exact}
    by_remainder = sorted(exact, key=lambda item: item[1] - int(item[1]), reverse=True)
    for v, _ in by_remainder[: stations - sum(counts.values())]:
        counts[v] += 1
    versions = [v for v, _ in mix for _ in range(counts[v])]
    random.Random(seed).shuffle(versions)
    return versions
