"""Page benchmark: fill a database to operator scale, serve it, time each main operator page.

    .venv/bin/python bench/pages.py                      # 10,000 stations, 1,000,000 meter values
    .venv/bin/python bench/pages.py --stations 1000 --meter-values 100000 --runs 10
    .venv/bin/python bench/pages.py --keep               # keep the filled database...
    .venv/bin/python bench/pages.py --reuse              # ...and time the pages again on it

Creates the database (default `pagesbench`, dropped and recreated unless `--reuse` finds it
filled), migrates it, fills it with COPY (bench/pages_fill.py, time per table), serves it with
`manage.py serve` (daphne, DEBUG off, Redis channel layer) on a free loopback port, signs in
through the login form and times every page: p50, p95 and max over `--runs` requests after a
warm-up. A page answering 404 is reported as missing, not as an error. Progress goes to
stderr, figures to stdout. It asserts nothing: the tests assert query counts, not times.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import backoffice_db
import pages_fill
import psycopg
from pages_http import Client, Timing, time_page
from psycopg import sql
from run import log_summary, server

BENCH = Path(__file__).resolve().parent
GOAL_MS = 300


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    if not (args.reuse and is_filled(args.database)):
        prepare(args)
    else:
        note(f"reusing the filled database {args.database} (--reuse)")
        migrate(args.database)
    try:
        timings = measure(args)
    finally:
        if not args.keep:
            drop(args.database)
    print_table(timings, args)
    note(f"done in {time.monotonic() - started:.0f} s")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--meter-values", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument(
        "--user",
        choices=["admin", "operator"],
        default="admin",
        help=f"sign in as the admin (every site) or an operator of "
        f"{pages_fill.OPERATOR_SITES} sites",
    )
    parser.add_argument("--reuse", action="store_true", help="time a database filled before")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--database",
        default="pagesbench",
        help="its name must hold 'bench': it is dropped and recreated",
    )
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp/pages-bench"))  # noqa: S108
    args = parser.parse_args()
    if "bench" not in args.database:
        parser.error("--database must hold 'bench' (the database is dropped and recreated)")
    if args.stations < 1 or args.meter_values < 0 or args.runs < 1 or args.sites < 1:
        parser.error("--stations, --sites and --runs must be positive")
    return args


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the database ----------------------------------------------------------------------------


def is_filled(database: str) -> bool:
    try:
        with psycopg.connect(backoffice_db.database_url(database)) as conn:
            row = conn.execute(
                "SELECT count(*) FROM auth_user WHERE username = %s", [pages_fill.ADMIN_USERNAME]
            ).fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def prepare(args: argparse.Namespace) -> None:
    note(f"recreating {args.database}, migrating")
    backoffice_db.recreate(args.database)
    migrate(args.database)
    plan = pages_fill.Plan(stations=args.stations, meter_values=args.meter_values, sites=args.sites)
    print(
        f"fill: {plan.sites} sites, {plan.stations:,} stations, {plan.transactions:,} sessions "
        f"over {plan.days} days, {plan.meter_values:,} meter values"
    )
    print(f"{'table':<24} {'rows':>10} {'seconds':>8} {'rows/s':>9}")
    total = time.perf_counter()
    state = pages_fill.new_state(plan)
    with psycopg.connect(backoffice_db.database_url(args.database)) as conn:
        for label, step in pages_fill.steps():
            began = time.perf_counter()
            with conn.cursor() as cur:
                rows = step(cur, state)
            conn.commit()  # deferred foreign-key checks run here: part of the table's time
            took = time.perf_counter() - began
            print(f"{label:<24} {rows:>10,} {took:>8.1f} {rows / max(took, 1e-6):>9,.0f}")
        began = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")  # what autovacuum would have done by now
        print(f"{'vacuum, analyze':<24} {'':>10} {time.perf_counter() - began:>8.1f}")
    print(f"{'fill in all':<24} {'':>10} {time.perf_counter() - total:>8.1f}", flush=True)


def migrate(database: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BENCH.parent,
        env=backoffice_db.server_env(database),
        check=True,
    )


def drop(database: str) -> None:
    note(f"dropping {database} (--keep keeps it)")
    with psycopg.connect(backoffice_db.database_url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


# --- the pages -------------------------------------------------------------------------------


def pages(database: str) -> list[tuple[str, str, bool]]:
    """(label, path, first byte only) of each page, with rows picked from the filled data.

    The site, station and session are at the first site, which the operator sees too: the
    busiest station there and its site's session with the most meter values.
    """
    with psycopg.connect(backoffice_db.database_url(database)) as conn:
        site = conn.execute("SELECT min(id) FROM stations_site").fetchone()[0]
        identity = conn.execute(
            "SELECT s.identity FROM stations_station s JOIN stations_transaction t"
            " ON t.station_id = s.id WHERE s.site_id = %s GROUP BY s.identity"
            " ORDER BY count(*) DESC, s.identity LIMIT 1",
            [site],
        ).fetchone()[0]
        session, values = conn.execute(
            "SELECT m.transaction_id, count(*) FROM stations_metervalue m"
            " JOIN stations_station s ON s.id = m.station_id WHERE s.site_id = %s"
            " GROUP BY m.transaction_id ORDER BY count(*) DESC LIMIT 1",
            [site],
        ).fetchone()
    note(f"picked site {site}, station {identity}, session {session} ({values} meter values)")
    station = quote(identity)
    search = identity[-4:]
    return [
        ("dashboard", "/", False),
        ("sites", "/sites/", False),
        ("site detail", f"/sites/{site}/", False),
        ("stations", "/stations/", False),
        ("stations search", "/stations/?" + urlencode({"q": search}), False),
        ("station detail", f"/stations/{station}/", False),
        ("sessions", "/sessions/", False),
        ("sessions last page", "/sessions/?page=last", False),
        ("sessions of station", "/sessions/?" + urlencode({"station": identity}), False),
        ("session detail", f"/sessions/{session}/", False),
        ("session series", f"/sessions/{session}/series.json", False),
        ("sessions CSV (1st byte)", "/sessions/export.csv", True),
        ("tokens", "/tokens/", False),
    ]


def measure(args: argparse.Namespace) -> list[Timing]:
    targets = pages(args.database)
    port = free_port()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = args.log_dir / f"server-{port}.log"
    env = backoffice_db.server_env(args.database)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.pages_settings",
        DEBUG="false",
        CHANNEL_PREFIX=f"pagesbench-{port}",
    )
    command = [sys.executable, "manage.py", "serve", "--port", str(port)]
    note(f"serving on 127.0.0.1:{port} (log {log_path}), {args.runs} runs per page")
    timings = []
    with server(command, env, port, log_path):
        client = Client(port)
        username = (
            pages_fill.ADMIN_USERNAME if args.user == "admin" else (pages_fill.OPERATOR_USERNAME)
        )
        client.sign_in(username, pages_fill.PASSWORD)
        for label, path, first_byte in targets:
            timing = time_page(
                client, label, path, runs=args.runs, warmup=args.warmup, first_byte=first_byte
            )
            note(f"  {label}: HTTP {timing.status}")
            timings.append(timing)
        client.close()
    problems = log_summary(log_path)
    if problems:
        note("server log warnings/errors: " + ", ".join(f"{k} x{n}" for k, n in problems.items()))
    return timings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def print_table(timings: list[Timing], args: argparse.Namespace) -> None:
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\npages as {args.user}, {args.runs} runs each (ms; goal: p95 < {GOAL_MS} ms)")
    print(f"load average {load} on {os.cpu_count()} cores (others' work slows the pages too)")
    print(f"{'page':<24} {'status':>7} {'KB':>6} {'p50':>7} {'p95':>7} {'max':>7}  goal  path")
    for t in timings:
        if t.status != 200 or not t.times_ms:
            state = "missing" if t.missing else f"HTTP {t.status}"
            print(f"{t.label:<24} {state:>7} {'':>6} {'':>7} {'':>7} {'':>7}  {'':4}  {t.path}")
            continue
        p95 = t.percentile(95)
        ok = "ok" if p95 < GOAL_MS else "SLOW"
        print(
            f"{t.label:<24} {t.status:>7} {t.size / 1024:>6.0f} {t.percentile(50):>7.0f} "
            f"{p95:>7.0f} {max(t.times_ms):>7.0f}  {ok:<4}  {t.path}"
        )


if __name__ == "__main__":
    main()
