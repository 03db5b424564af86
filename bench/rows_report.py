"""The row check: rows the answered CALLs must have written against rows persisted.

Transaction tables are counted per OCPP version (stations_transaction joined to
stations_station.ocpp_version; 2.x TransactionEvent rows in stations_transactionevent); meter
values, status events and the message log over all versions.
"""

from __future__ import annotations

from collections import Counter

import flow2x
import flow16
from backoffice_db import RowCounts
from loadgen import LoadResult

_FLOWS = {"1.6": flow16, "2.0.1": flow2x, "2.1": flow2x}


def expected_rows(result: LoadResult) -> dict[str, tuple[int, int]]:
    """Row label -> (rows the answered CALLs must have written, rows unanswered CALLs may add).

    An unanswered CALL (timed out, or the socket closed first) may or may not have been
    persisted, so it widens the accepted range instead of counting as lost or extra.
    """
    recorder = result.recorder
    answered: Counter[tuple[str, str]] = Counter()
    unanswered: Counter[tuple[str, str]] = Counter()
    for r in recorder.calls:
        if r.outcome == "ok":
            answered[r.version, r.action] += 1
        elif r.answered_at is None:
            unanswered[r.version, r.action] += 1
    rows: dict[str, tuple[int, int]] = {}
    meter = [0, 0]
    for version, _ in result.config.mix:
        # Refused upgrades (HTTP 4xx) never registered; a dropped one may have.
        maybe_connected = sum(
            n
            for (v, reason), n in recorder.connect_failures.items()
            if v == version and not reason.startswith("HTTP")
        )
        rows[f"stations {version}"] = (recorder.connected[version], maybe_connected)

        def count(label: str, per_call: int, version: str = version) -> tuple[int, int]:
            return per_call * answered[version, label], per_call * unanswered[version, label]

        for name, (expected, maybe) in _FLOWS[version].expected_rows(count).items():
            if name == "meter values":
                meter[0] += expected
                meter[1] += maybe
            else:
                rows[f"{'  ' if name == 'completed' else ''}{name} {version}"] = (expected, maybe)
    status = [n for (_, action), n in answered.items() if action == "StatusNotification"]
    status_maybe = [n for (_, action), n in unanswered.items() if action == "StatusNotification"]
    frames = sum(1 for r in recorder.calls if r.answered_at is not None)
    rows["meter values"] = (meter[0], meter[1])
    rows["status events"] = (sum(status), sum(status_maybe))
    # Every CALL in and its answer out.
    rows["message log"] = (2 * frames, 2 * unanswered.total())
    return rows


def verdict(expected: int, maybe: int, stored: int) -> str:
    """ "ok", "ok (+n from unanswered CALLs)", "LOST n" or "EXTRA n"."""
    if stored == expected:
        return "ok"
    if expected < stored <= expected + maybe:
        return f"ok (+{stored - expected} from unanswered CALLs)"
    if stored < expected:
        return f"LOST {expected - stored}"
    return f"EXTRA {stored - expected - maybe}"


def row_problems(result: LoadResult, rows: RowCounts) -> list[str]:
    """What keeps the rows from being exact: a table outside what the CALLs allow, or rows
    stored twice ("message log LOST 7", "meter values stored twice x2"); empty when exact."""
    problems = []
    for table, (expected, maybe) in expected_rows(result).items():
        judged = verdict(expected, maybe, rows.tables.get(table.strip(), 0))
        if not judged.startswith("ok"):
            problems.append(f"{table.strip()} {judged}")
    problems += [f"{name} stored twice x{n}" for name, n in rows.duplicates.items() if n]
    return problems


def rows_table(result: LoadResult, rows: RowCounts) -> list[str]:
    lines = ["rows          table                     expected     stored  verdict"]
    for table, (expected, maybe) in expected_rows(result).items():
        stored = rows.tables.get(table.strip(), 0)
        judged = verdict(expected, maybe, stored)
        lines.append(f"              {table:<25}{expected:9d}  {stored:9d}  {judged}")
    repeated = [f"{name} x{n}" for name, n in rows.duplicates.items() if n]
    lines.append(
        "duplicates    "
        + ("DUPLICATES: " + "; ".join(repeated) if repeated else "none")
        + f" ({', '.join(rows.duplicates)} checked)"
    )
    odd = [f"{name} x{n}" for name, n in rows.checks.items() if n]
    lines.append("row checks    " + ("; ".join(odd) if odd else "none odd"))
    problems = row_problems(result, rows)
    lines.append(
        "rows exact    "
        + ("NOT EXACT: " + "; ".join(problems) if problems else "EXACT")
        + " (stored = expected in every table, no duplicates)"
    )
    return lines
