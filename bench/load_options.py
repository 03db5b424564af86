"""The load's command-line options (run.py, load_only.py), with defaults that depend on the mode.

    flow    --duration 60   --meter-interval 5   --heartbeat-interval 30
    hold    --duration 120  --meter-interval 60  --heartbeat-interval 60
    storm   --duration 20   --meter-interval 60  --heartbeat-interval 60
(storm: `--duration` is how long the stations charge on once all are back after the restart.)
"""

from __future__ import annotations

import argparse

from loadgen import MODES, LoadConfig
from version_mix import DEFAULT_MIX, Mix, parse_mix

# mode -> (duration, meter interval, heartbeat interval), in seconds
MODE_DEFAULTS = {
    "flow": (60.0, 5.0, 30.0),
    "hold": (120.0, 60.0, 60.0),
    "storm": (20.0, 60.0, 60.0),
}


def add_load_arguments(parser: argparse.ArgumentParser, modes: tuple[str, ...] = MODES) -> None:
    parser.add_argument(
        "--mode",
        choices=modes,
        default="flow",
        help="flow: the full flow (default); hold: many stations held; storm: restart storm",
    )
    parser.add_argument("--stations", type=int, default=1000, help="simulated stations (1000)")
    parser.add_argument(
        "--duration",
        type=float,
        help="seconds each station charges (flow 60, hold 120; storm: after the storm, 20)",
    )
    parser.add_argument(
        "--meter-interval",
        type=float,
        help="seconds between meter values (flow 5, hold and storm 60)",
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=float,
        help="seconds between Heartbeats (flow 30, hold and storm 60)",
    )
    parser.add_argument("--ramp", type=float, default=200.0, help="new connections per second")
    parser.add_argument("--call-timeout", type=float, default=30.0, help="seconds per CALL")
    parser.add_argument("--no-authorize", action="store_true", help="skip Authorize")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--mix",
        type=_mix_argument,
        default=DEFAULT_MIX,
        help="OCPP versions of the stations, as weights: 1.6=40,2.0.1=50,2.1=10 (1.6=100)",
    )
    parser.add_argument(
        "--storm-after",
        type=float,
        default=10.0,
        help="storm: seconds of charging after the last start before the restart (10)",
    )
    parser.add_argument(
        "--storm-deadline",
        type=float,
        default=120.0,
        help="storm: seconds after the server listens again for every station to be back (120)",
    )


def _mix_argument(text: str) -> Mix:
    try:
        return parse_mix(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def load_config(url: str, args: argparse.Namespace) -> LoadConfig:
    duration, meter_interval, heartbeat_interval = MODE_DEFAULTS[args.mode]
    return LoadConfig(
        url=url,
        mode=args.mode,
        stations=args.stations,
        duration=duration if args.duration is None else args.duration,
        meter_interval=meter_interval if args.meter_interval is None else args.meter_interval,
        heartbeat_interval=(
            heartbeat_interval if args.heartbeat_interval is None else args.heartbeat_interval
        ),
        ramp=args.ramp,
        call_timeout=args.call_timeout,
        authorize=not args.no_authorize,
        seed=args.seed,
        mix=args.mix,
        storm_after=args.storm_after,
        storm_deadline=args.storm_deadline,
    )
