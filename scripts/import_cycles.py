"""Print every import cycle between modules of the project (exit 1 when there is one).

import-linter's contracts keep the layers (pyproject.toml); this keeps "no cycle anywhere":
an import whose imported module reaches back to its importer closes a cycle, whether the
import is at the top of a module or inside a function. `make lint` runs it.
"""

# ruff: noqa: T201 (a command-line check prints its findings)
from __future__ import annotations

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PACKAGES = ("backoffice", "stations", "reservations", "billing")


def cycles() -> list[tuple[str, ...]]:
    graph = grimp.build_graph(*PACKAGES)
    found: set[tuple[str, ...]] = set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycle = (importer, *back)
                start = cycle.index(min(cycle[:-1]))
                found.add(cycle[start:-1] + cycle[:start] + (cycle[start],))
    return sorted(found)


def main() -> int:
    found = cycles()
    for cycle in found:
        print(" -> ".join(cycle))
    if found:
        print(f"{len(found)} import cycle(s).", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
