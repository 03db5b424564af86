"""What the portal's page modules share: their wording (durations, command outcomes, connector
states), the session card, and `page`, which renders a whole page with the menu's unread count."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from backoffice.portal import selectors
from backoffice.portal.forms import LimitsForm
from backoffice.portal.selectors import SessionView
from stations.exceptions import CommandError, CommandTimeout, StationNotConnected

STATION_OFFLINE = _("The charger is offline right now: try again in a moment.")
STATION_SILENT = _("The charger did not answer in time: look again in a moment.")


def duration_text(duration: timedelta | None) -> str:
    """H:MM:SS (hours unbounded), as the operator pages show it; "" when unknown."""
    if duration is None:
        return ""
    seconds = max(int(duration.total_seconds()), 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def command_error(request: HttpRequest, error: CommandError) -> None:
    """Tell the driver why a command did not reach the charger, in their words."""
    if isinstance(error, StationNotConnected):
        messages.error(request, str(STATION_OFFLINE))
    elif isinstance(error, CommandTimeout):
        messages.error(request, str(STATION_SILENT))
    else:
        messages.error(request, error.message)


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` of a POST when it is a page of this site, else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# A connector's state in one or two words (charging.Reason), next to its message.
REASON_LABELS = {
    "available": _("Free"),
    "offline": _("Offline"),
    "occupied": _("Occupied"),
    "faulted": _("Out of order"),
    "unavailable": _("Not in service"),
    "reserved": _("Reserved"),
    "private": _("Private"),
    "unknown": _("Unknown"),
    "already_charging": _("You are charging here"),
}


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, _("Unknown")))


# How a running session's state reads on a phone: 2.x chargingState, else the connector's
# status (1.6 has no state on the session itself).
_STATE_LABELS = {
    "Charging": _("Charging"),
    "EVConnected": _("Plugged in, not charging"),
    "SuspendedEV": _("Paused by the car"),
    "SuspendedEVSE": _("Paused by the charger"),
    "Idle": _("Idle"),
    "Preparing": _("Starting"),
    "Finishing": _("Finishing"),
}


# Why a session ended, as the station said it (1.6 StopTransaction reason, 2.x stoppedReason),
# in the driver's words; a reason not listed shows as the station sent it.
_STOP_REASONS = {
    "Local": _("Stopped at the charger"),
    "Remote": _("Stopped from the app or by the operator"),
    "EVDisconnected": _("Car unplugged"),
    "StoppedByEV": _("Stopped by the car"),
    "DeAuthorized": _("Card no longer accepted"),
    "EmergencyStop": _("Emergency stop"),
    "PowerLoss": _("Power cut"),
    "HardReset": _("The charger restarted"),
    "SoftReset": _("The charger restarted"),
    "ImmediateReset": _("The charger restarted"),
    "Reboot": _("The charger restarted"),
    "EnergyLimitReached": _("Energy limit reached"),
    "TimeLimitReached": _("Time limit reached"),
    "SOCLimitReached": _("Battery level reached"),
    "CostLimitReached": _("Cost limit reached"),
    "Timeout": _("Timed out"),
}


def stop_reason_label(reason: str) -> str:
    return str(_STOP_REASONS.get(reason, reason))


class SessionCard:
    """A session as its card shows it: the selector's SessionView plus wording and the limits
    form (bound with errors after a bad POST, else filled with the current limits)."""

    def __init__(self, view: SessionView, limits_form: LimitsForm | None = None) -> None:
        self.view = view
        self.transaction = view.transaction
        self.driver_session = view.driver_session
        self.active = view.active
        self.energy_kwh = view.energy_kwh
        self.power_kw = view.power_kw
        self.soc_percent = view.soc_percent
        self.cost = view.cost
        self.duration_text = duration_text(view.duration)
        self.limits_form = limits_form or self._limits_form()

    @property
    def state_key(self) -> str:
        tx = self.transaction
        if not self.active:
            return "completed"
        connector_status = tx.connector.status if tx.connector is not None else ""
        return tx.charging_state or connector_status or "active"

    @property
    def state_label(self) -> str:
        if not self.active:
            return str(_("Ended"))
        return str(_STATE_LABELS.get(self.state_key, _("Charging")))

    @property
    def state_class(self) -> str:
        return "completed" if not self.active else self.state_key

    @property
    def stop_reason_label(self) -> str:
        reason = self.transaction.stop_reason
        ds = self.driver_session
        if reason == "Remote" and ds is not None and ds.limit_reached:
            # The remote stop the limit's enforcement sent (2.1 stations say EnergyLimitReached).
            return str(_("Stopped at your limit"))
        return stop_reason_label(reason)

    @property
    def limit_kwh(self) -> Decimal | None:
        ds = self.driver_session
        if ds is None or ds.limit_energy_wh is None:
            return None
        return ds.limit_energy_wh / 1000

    def _limits_form(self) -> LimitsForm:
        ds = self.driver_session
        initial = LimitsForm.initial_from(
            ds.limit_energy_wh if ds else None, ds.limit_minutes if ds else None
        )
        return LimitsForm(initial=initial, auto_id=f"id_s{self.transaction.pk}_%s")


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A whole portal page: the context plus what the driver's menu shows (unread count)."""
    context = {**context, "portal_unread": selectors.unread_count(request.user)}
    return render(request, template, context, status=status)
