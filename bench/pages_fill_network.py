"""Fill steps for the network: sites, bench users, stations, EVSEs, connections, id tokens."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import psycopg
from pages_fill_core import (
    ADMIN_USERNAME,
    OPERATOR_SITES,
    OPERATOR_USERNAME,
    PASSWORD,
    WORKER_NAME,
    FillState,
    StationRow,
    ago,
    copy_rows,
    first_id,
    month,
    password_hash,
)

_CITIES = ["Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Leipzig", "Dresden", "Bremen"]
_VENDORS = [
    ("Alfen", "Eve Double", 22000),
    ("ABB", "Terra 184", 150000),
    ("Wallbox", "Copper SB", 11000),
    ("Kempower", "S-Series", 50000),
    ("Compleo", "Duo IMS", 22000),
    ("Ekoenergetyka", "AC22", 7400),
]
_VERSIONS = (["1.6"] * 5) + (["2.0.1"] * 4) + ["2.1"]
# Connector status weights of an online station; charging ones get an active session.
_STATUSES = {
    "Available": 62,
    "Charging": 16,
    "SuspendedEV": 4,
    "Preparing": 3,
    "Finishing": 3,
    "Faulted": 2,
    "Unavailable": 4,
    "Reserved": 1,
}


def sites(cur: psycopg.Cursor[Any], state: FillState) -> int:
    first = first_id(cur, "stations_site")
    rng = state.rng

    def rows() -> Any:
        for n in range(state.plan.sites):
            city = _CITIES[n % len(_CITIES)]
            state.site_pks.append(first + n)
            lat = 48 + 6 * rng.random()
            lng = 7 + 7 * rng.random()
            yield (
                first + n,
                f"{city} P+R {n + 1:03d}",
                f"Hauptstrasse {n + 1}, {city}",
                f"{lat:.6f}",
                f"{lng:.6f}",
                rng.choice([None, 250, 400, 630]),
                True,
                state.plan.now - month(state) * 2,
            )

    columns = (
        "id, name, address, latitude, longitude, grid_limit_kw, accepts_all_tokens, created_at"
    )
    return copy_rows(cur, "stations_site", columns, rows())


def users(cur: psycopg.Cursor[Any], state: FillState) -> int:
    now = state.plan.now
    encoded = password_hash(PASSWORD)
    user_id = first_id(cur, "auth_user")
    profile_id = first_id(cur, "accounts_staffprofile")
    users = [(ADMIN_USERNAME, "admin", True), (OPERATOR_USERNAME, "operator", False)]
    user_rows, profile_rows = [], []
    for n, (username, role, all_sites) in enumerate(users):
        state.user_pks[username] = user_id + n
        user_rows.append(
            (
                user_id + n,
                encoded,
                False,
                username,
                "Bench",
                role.title(),
                f"{username}@example.com",
                True,
                True,
                now,
            )
        )
        profile_rows.append((profile_id + n, role, all_sites, now, now, user_id + n))
    count = copy_rows(
        cur,
        "auth_user",
        "id, password, is_superuser, username, first_name, "
        "last_name, email, is_staff, is_active, date_joined",
        user_rows,
    )
    copy_rows(
        cur,
        "accounts_staffprofile",
        "id, role, all_sites, created_at, updated_at, user_id",
        profile_rows,
    )
    first = first_id(cur, "accounts_staffprofile_sites")
    copy_rows(
        cur,
        "accounts_staffprofile_sites",
        "id, staffprofile_id, site_id",
        [(first + n, profile_id + 1, pk) for n, pk in enumerate(state.site_pks[:OPERATOR_SITES])],
    )
    return count


def stations(cur: psycopg.Cursor[Any], state: FillState) -> int:
    plan, rng = state.plan, state.rng
    first = first_id(cur, "stations_station")
    salt = "0" * 32
    secret = hashlib.sha256(f"{salt}$bench-station-password".encode()).hexdigest()
    station_hash = f"sha256${salt}${secret}"
    per_site = max(1, plan.stations // max(1, plan.sites))

    def rows() -> Any:
        for n in range(plan.stations):
            pk = first + n
            site_pk = state.site_pks[min(n // per_site, len(state.site_pks) - 1)]
            version = rng.choice(_VERSIONS)
            vendor, model, power = rng.choice(_VENDORS)
            online = rng.random() < 0.85
            station = StationRow(pk, f"CS-{n + 1:05d}", site_pk, version, power, online)
            state.stations.append(station)
            seen = (
                ago(state, at_most=timedelta(minutes=5))
                if online
                else (ago(state, at_most=timedelta(days=10)) - timedelta(hours=1))
            )
            status = "Available" if version == "1.6" else ""
            registration = "Pending" if rng.random() < 0.01 else "Accepted"
            yield (
                pk,
                station.identity,
                f"Bay {n % per_site + 1}",
                True,
                registration,
                False,
                1,
                station_hash,
                version,
                vendor,
                model,
                f"SN{pk:08d}",
                "",
                f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
                "",
                "",
                "",
                "",
                status,
                "NoError" if status else "",
                seen if status else None,
                seen - timedelta(days=3),
                "PowerUp",
                seen,
                plan.now - month(state) * 2,
                seen,
                site_pk,
            )

    columns = (
        "id, identity, name, is_active, registration_status, auto_registered, security_profile,"
        " password_hash, ocpp_version, vendor, model, serial_number, charge_box_serial_number,"
        " firmware_version, iccid, imsi, meter_type, meter_serial_number, status, error_code,"
        " status_at, last_boot_at, last_boot_reason, last_seen_at, created_at, updated_at,"
        " site_id"
    )
    return copy_rows(cur, "stations_station", columns, rows())


def evses(cur: psycopg.Cursor[Any], state: FillState) -> int:
    rng = state.rng
    evse_first = first_id(cur, "stations_evse")
    connector_first = first_id(cur, "stations_connector")
    evses, connectors = [], []
    statuses, weights = list(_STATUSES), list(_STATUSES.values())
    for station in state.stations:
        for evse_no in range(1, rng.choices([1, 2, 4], weights=[20, 70, 10])[0] + 1):
            evse_pk = evse_first + len(evses)
            connector_pk = connector_first + len(connectors)
            evses.append((evse_pk, evse_no, station.pk))
            status = (
                rng.choices(statuses, weights=weights)[0]
                if station.online
                else (rng.choice(["Available", "Unavailable"]))
            )
            error = "GroundFailure" if status == "Faulted" else "NoError"
            connectors.append(
                (
                    connector_pk,
                    1,
                    status,
                    error,
                    "",
                    "",
                    "",
                    ago(state, at_most=timedelta(hours=6)),
                    evse_pk,
                )
            )
            station.evse_pks.append(evse_pk)
            station.connector_pks.append(connector_pk)
            station.statuses.append(status)
    copy_rows(cur, "stations_evse", "id, evse_id, station_id", evses)
    columns = "id, connector_id, status, error_code, info, vendor_id, vendor_error_code,"
    copy_rows(cur, "stations_connector", columns + " status_at, evse_id", connectors)
    return len(evses) + len(connectors)


def connections(cur: psycopg.Cursor[Any], state: FillState) -> int:
    now = state.plan.now
    worker_pk = first_id(cur, "stations_worker")
    copy_rows(
        cur,
        "stations_worker",
        "id, name, started_at, beat_at",
        [(worker_pk, WORKER_NAME, now, now + timedelta(days=3650))],
    )
    first = first_id(cur, "stations_stationconnection")
    online = [s for s in state.stations if s.online]
    columns = "id, channel_name, ocpp_version, remote_addr, connected_at, station_id, worker_id"
    return copy_rows(
        cur,
        "stations_stationconnection",
        columns,
        (
            (
                first + n,
                f"specific.pagesbench!{s.pk}",
                s.version,
                f"10.0.{n % 250}.{n % 199}",
                now - timedelta(hours=n % 48),
                s.pk,
                worker_pk,
            )
            for n, s in enumerate(online)
        ),
    )


def id_tokens(cur: psycopg.Cursor[Any], state: FillState) -> int:
    plan, rng = state.plan, state.rng
    first = first_id(cur, "accounts_idtoken")

    def rows() -> Any:
        for n in range(plan.id_tokens):
            token = f"{rng.getrandbits(56):014X}"
            state.tokens.append((first + n, token))
            status = rng.choices(["Accepted", "Blocked", "Expired"], weights=[94, 4, 2])[0]
            created = ago(state, at_most=month(state) * 12)
            yield (
                first + n,
                token,
                rng.choice(["ISO14443", "ISO14443", "Central", "eMAID"]),
                status,
                None,
                f"FLEET{n % 40:03d}" if n % 3 == 0 else "",
                False,
                f"Card {n + 1}",
                False,
                created,
                created,
                None,
            )

    columns = (
        "id, id_token, type, status, expires_at, group_id_token, allow_concurrent_transactions,"
        " label, awaiting_approval, created_at, updated_at, user_id"
    )
    return copy_rows(cur, "accounts_idtoken", columns, rows())
