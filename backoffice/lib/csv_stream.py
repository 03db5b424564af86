"""CSV written row by row into a streamed response, so a large export never sits in memory."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterable, Iterator
from itertools import islice
from typing import Any

from asgiref.sync import sync_to_async

# A cell starting with one of these is a formula to spreadsheet programs (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def safe_text(value: str) -> str:
    """Text from outside (id tags, stop reasons) that a spreadsheet shows as text, never runs."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header and then each row as one CSV line (RFC 4180 quoting, CRLF line ends)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(list(row))


async def in_chunks(lines: Iterator[str], size: int) -> AsyncIterator[str]:
    """`lines` for an ASGI server, `size` at a time after a first small piece (the download
    starts at once): Django reads a sync iterator to its end before the first byte goes out
    under ASGI. The lines (and the database reads behind them) are made on Django's one sync
    thread, so a server-side cursor stays on its connection."""
    step = 1
    while chunk := await sync_to_async(_take)(lines, step):
        yield chunk
        step = size


def _take(lines: Iterator[str], count: int) -> str:
    return "".join(islice(lines, count))
