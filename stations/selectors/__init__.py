"""Reads for pages and APIs, with their joins and prefetches (STYLE rule 3), scoped by role.

Objects outside the user's scope are not found (404). One module per kind of page; callers
use `from stations import selectors` and `selectors.<name>`, so every public name is here.
"""

from __future__ import annotations

from .access import (
    can_command,
    command_for,
    commands_for,
    station_for,
    station_list_for,
    stations_for,
    transaction_for,
    transactions_for,
)
from .commands_panel import (
    FIRMWARE_CHOICES,
    ID_TOKEN_SUGGESTIONS,
    CommandOptions,
    id_tokens_matching,
)
from .dashboard import (
    DASHBOARD_WATCHED_STATIONS,
    FAULTED,
    NO_ERROR_CODES,
    DashboardCounts,
    dashboard_counts,
    dashboard_station_ids,
    recent_faults,
    recent_security_events,
    site_for,
    sites_for,
)
from .devices import (
    VariableRow,
    variables_for_station,
)
from .sessions import (
    SESSION_EXPORT_COLUMNS,
    SESSION_SERIES_MAX_POINTS,
    SessionFilters,
    SessionSeries,
    SessionSummary,
    session_events,
    session_export_rows,
    session_list_for,
    session_series,
    session_summary_for,
)
from .station_pages import (
    STATION_PAGE_COMMANDS,
    STATION_PAGE_FRAMES,
    STATION_PAGE_JOBS,
    STATION_PAGE_SECURITY_EVENTS,
    STATION_SORTS,
    CurrentSession,
    current_sessions_for_station,
    station_commands_recent,
    station_frames_recent,
    station_jobs_recent,
    station_page_list_for,
    station_security_events_recent,
    variable_row_for_station,
)

__all__ = [
    "DASHBOARD_WATCHED_STATIONS",
    "FAULTED",
    "FIRMWARE_CHOICES",
    "ID_TOKEN_SUGGESTIONS",
    "NO_ERROR_CODES",
    "SESSION_EXPORT_COLUMNS",
    "SESSION_SERIES_MAX_POINTS",
    "STATION_PAGE_COMMANDS",
    "STATION_PAGE_FRAMES",
    "STATION_PAGE_JOBS",
    "STATION_PAGE_SECURITY_EVENTS",
    "STATION_SORTS",
    "CommandOptions",
    "CurrentSession",
    "DashboardCounts",
    "SessionFilters",
    "SessionSeries",
    "SessionSummary",
    "VariableRow",
    "can_command",
    "command_for",
    "commands_for",
    "current_sessions_for_station",
    "dashboard_counts",
    "dashboard_station_ids",
    "id_tokens_matching",
    "recent_faults",
    "recent_security_events",
    "session_events",
    "session_export_rows",
    "session_list_for",
    "session_series",
    "session_summary_for",
    "site_for",
    "sites_for",
    "station_commands_recent",
    "station_for",
    "station_frames_recent",
    "station_jobs_recent",
    "station_list_for",
    "station_page_list_for",
    "station_security_events_recent",
    "stations_for",
    "transaction_for",
    "transactions_for",
    "variable_row_for_station",
    "variables_for_station",
]
