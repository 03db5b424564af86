"""CI: the quick start from a clean clone, used as the README says.

`.ci/run` starts `make run PORT=<free port>` in the background and, once it serves, runs this
with the output `make run` printed so far. It signs in as the printed operator and opens the
dashboard, connects the first printed station with its printed credentials and boots it (1.6),
and checks the station's QR codes link to the port the quick start serves on.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

from ocpp.v16 import call as call16
from smoke_lib import Browser, SmokeFailure, booted_charger, check, run, say, wait_until

OPERATOR = re.compile(
    r"Operator pages: (?P<base>http://\S+?)/? .*"
    r"user '(?P<user>[^']+)' password '(?P<password>[^']+)'"
)
STATION = re.compile(
    r"(?P<url>ws://\S+/ocpp/(?P<identity>\S+))\s+"
    r"\(subprotocol ocpp1\.6, Basic auth (?P=identity) / (?P<password>\S+)\)"
)


async def boot_and_report(url: str, identity: str, password: str) -> None:
    async with booted_charger(url, identity, password) as charger:
        # Its first StatusNotification makes the station's EVSE 1 and connector (for the QR code).
        await charger.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", type=Path, required=True, help="what `make run` printed")
    parser.add_argument("--port", type=int, required=True, help="the PORT given to `make run`")
    args = parser.parse_args()
    printed = args.log.read_text(errors="replace")
    operator, station = OPERATOR.search(printed), STATION.search(printed)
    if operator is None or station is None:
        raise SmokeFailure(f"`make run` printed no operator or station login:\n{printed}")
    base = operator["base"]
    check(base == f"http://127.0.0.1:{args.port}", f"the printed pages are at {base}")

    browser = Browser(base)
    # `serve` prints its address before daphne listens.
    wait_until(
        "the quick start answering",
        lambda: browser.get("/accounts/login/").status == 200,
        timeout=60,
    )
    page = browser.sign_in(operator["user"], operator["password"])
    check(page.url.rstrip("/") == base and "<h1>Dashboard</h1>" in page.body, "no dashboard")
    say(f"signed in as {operator['user']!r}: the dashboard opened")

    asyncio.run(boot_and_report(station["url"], station["identity"], station["password"]))

    qr = browser.get(f"/stations/{station['identity']}/qr/")
    link = f"{base}/portal/start/{station['identity']}/1/1/"
    check(qr.status == 200 and f'href="{link}"' in qr.body, f"the QR code does not link to {link}")
    say(f"the QR code links to {link}")
    return 0


if __name__ == "__main__":
    run(main)
