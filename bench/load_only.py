"""Run the load generator alone against a server already running, and print its figures
(no bare-library ceiling beside them: `run.py` measures both).

    .venv/bin/python bench/load_only.py --url ws://127.0.0.1:8000/ocpp/ --stations 100
"""

from __future__ import annotations

import argparse
import asyncio

import figures
import results
from load_options import add_load_arguments, load_config
from loadgen import run_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:<port>/ocpp/")
    # The storm mode restarts the server: only run.py, which started it, can.
    add_load_arguments(parser, modes=("flow", "hold"))
    args = parser.parse_args()
    result = asyncio.run(run_load(load_config(args.url, args)))
    print(results.format_load(args.url, result, figures.summarize(result)))


if __name__ == "__main__":
    main()
