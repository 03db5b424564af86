"""What a driver is told about their sessions: in the page (live), in the portal's list, by email.

Each kind is given at most once per DriverSession (`DriverSession.notified` lists the kinds
given) and only when the driver chose it (`DriverProfile`, made with its defaults when
missing); a limit reached and a failed start are always told (the driver asked for the limit or
the start). A notification is stored, pushed after commit to the user's live group
(`live.user.<pk>`, page name "me") as `{"kind": "notification", ...}`, and emailed by a Celery
task when the driver wants email.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.accounts.models import DriverProfile
from backoffice.lib import live_publisher as live
from backoffice.lib import units
from backoffice.portal import email_tasks
from backoffice.portal.models import DriverSession, Notification

log = structlog.get_logger(__name__)

Kind = Notification.Kind
EVENT_KIND = "notification"


def notify(
    *,
    user: Any,
    kind: str,
    title: str,
    body: str = "",
    driver_session: DriverSession | None = None,
) -> Notification | None:
    """Give `user` a notification of `kind`, unless they chose not to get that kind or it was
    given for `driver_session` already. Returns it, or None when nothing was given.

    With a driver session, call inside the atomic block that locked it (select_for_update):
    the once-only check and its record in `notified` cannot race then. The live push and the
    email go out after commit.
    """
    kind = Kind(kind).value
    if driver_session is not None and kind in driver_session.notified:
        return None
    profile = _profile(user)
    if not wants(profile, kind):
        return None
    with transaction.atomic():
        notification = Notification.objects.create(
            user=user, kind=kind, driver_session=driver_session, title=title, body=body
        )
        if driver_session is not None:
            driver_session.notified = [*driver_session.notified, kind]
            DriverSession.objects.filter(pk=driver_session.pk).update(
                notified=driver_session.notified, updated_at=timezone.now()
            )
    push(notification)
    if profile.email_notifications and user.email:
        transaction.on_commit(lambda: _enqueue_email(notification.pk), robust=True)
    log.info("portal.notified", user_id=user.pk, kind=kind, notification_id=notification.pk)
    return notification


def push(notification: Notification) -> None:
    """Show the notification on the user's open pages (after commit). Pages show each one once,
    however often it reaches them: live events may be lost, and sending one again is safe."""
    live.publish_on_commit(
        [live.user_group(notification.user_id)],
        {
            "kind": EVENT_KIND,
            "notification": notification.pk,
            "type": notification.kind,
            "title": notification.title,
            "body": notification.body,
        },
    )


def mark_read(*, user: Any, pk: int | None = None) -> int:
    """Mark the user's unread notifications read: the one with `pk`, or all of them. Only the
    user's own are touched (another user's pk marks nothing). Returns how many were unread.

    Not audited: a read receipt changes nothing anybody else sees or acts on, and the row keeps
    when it happened (`read_at`).
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def wants(profile: DriverProfile, kind: str) -> bool:
    """Whether the driver chose to be told `kind` (limits and failed starts: always)."""
    if kind == Kind.SESSION_STARTED:
        return profile.notify_session_started
    if kind == Kind.CHARGING_FINISHED:
        return profile.notify_charging_finished
    if kind == Kind.SOC_REACHED:
        return profile.notify_soc_percent is not None
    if kind == Kind.SESSION_ENDED:
        return profile.notify_session_ended
    if kind == Kind.IDLE:
        return profile.notify_idle_minutes is not None
    return kind in (Kind.LIMIT_REACHED, Kind.START_FAILED)


# --- the kinds, worded once ------------------------------------------------------------------


def session_started(session: DriverSession) -> Notification | None:
    return notify(
        user=session.user,
        kind=Kind.SESSION_STARTED,
        title=_("Charging session started"),
        body=_("Your session at %(station)s has started.") % {"station": _station(session)},
        driver_session=session,
    )


def charging_finished(session: DriverSession) -> Notification | None:
    return notify(
        user=session.user,
        kind=Kind.CHARGING_FINISHED,
        title=_("Charging finished"),
        body=_("Your car stopped drawing power at %(station)s: it is full or has stopped charging.")
        % {"station": _station(session)},
        driver_session=session,
    )


def soc_reached(session: DriverSession, soc_percent: Decimal) -> Notification | None:
    return notify(
        user=session.user,
        kind=Kind.SOC_REACHED,
        title=_("Battery at %(soc)s%%") % {"soc": _number(soc_percent)},
        body=_("Your car's state of charge reached %(soc)s%% at %(station)s.")
        % {"soc": _number(soc_percent), "station": _station(session)},
        driver_session=session,
    )


def session_ended(
    session: DriverSession,
    *,
    energy_wh: Decimal | None,
    duration: timedelta | None,
    cost: Decimal | None,
) -> Notification | None:
    parts = [_("Your session at %(station)s has ended.") % {"station": _station(session)}]
    if energy_wh is not None:
        parts.append(_("Energy: %(kwh)s kWh.") % {"kwh": _kwh(energy_wh)})
    if duration is not None:
        parts.append(_("Duration: %(duration)s.") % {"duration": _duration(duration)})
    if cost is not None:
        parts.append(_("Cost: %(cost)s.") % {"cost": cost})
    return notify(
        user=session.user,
        kind=Kind.SESSION_ENDED,
        title=_("Charging session ended"),
        body=" ".join(parts),
        driver_session=session,
    )


def idle(session: DriverSession, minutes: int) -> Notification | None:
    return notify(
        user=session.user,
        kind=Kind.IDLE,
        title=_("Your car is still plugged in"),
        body=_(
            "Charging finished %(minutes)s minutes ago at %(station)s and the car is still "
            "connected. Please move it to free the charger."
        )
        % {"minutes": minutes, "station": _station(session)},
        driver_session=session,
    )


def limit_reached(session: DriverSession) -> Notification | None:
    reason = DriverSession.LimitReason(session.limit_reached).label
    return notify(
        user=session.user,
        kind=Kind.LIMIT_REACHED,
        title=_("Limit reached: charging stops"),
        body=_("Your session at %(station)s reached its limit (%(reason)s) and is being stopped.")
        % {"station": _station(session), "reason": reason},
        driver_session=session,
    )


def start_failed(session: DriverSession) -> Notification | None:
    """A portal start the station accepted but that never began (start status NOT_STARTED,
    by the periodic check). A start that failed at once is told on the page, not here."""
    return notify(
        user=session.user,
        kind=Kind.START_FAILED,
        title=_("Charging did not start"),
        body=_(
            "The charger %(station)s did not start your session. Check that the cable is "
            "plugged in and try again."
        )
        % {"station": _station(session)},
        driver_session=session,
    )


# --- helpers ---------------------------------------------------------------------------------


def _profile(user: Any) -> DriverProfile:
    profile, _created = DriverProfile.objects.get_or_create(user=user)
    return profile


def _enqueue_email(notification_pk: int) -> None:
    email_tasks.email_notification.delay(notification_pk=notification_pk)


def _station(session: DriverSession) -> str:
    station = session.station
    return station.name or station.identity


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _kwh(energy_wh: Decimal) -> str:
    # To the Wh, without trailing zeros: as the portal's pages show energy.
    return str(units.plain(energy_wh / 1000))


def _duration(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
