"""The driver's portal (namespace "portal"): names fixed by the issue's contract."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import home, menu, notifications, profile, reservations, sessions, start, tokens

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("", home.home, name="home"),
    path("live/", home.home_sessions, name="home_sessions"),
    path("start/", start.start, name="start"),
    path(
        "start/<str:identity>/<int:evse_id>/<int:connector_id>/",
        start.start_at,
        name="start_at",
    ),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("sessions/<int:pk>/card/", sessions.session_card, name="session_card"),
    path("sessions/<int:pk>/series.json", sessions.session_series, name="session_series"),
    path("sessions/<int:pk>/stop/", sessions.session_stop, name="session_stop"),
    path("sessions/<int:pk>/limits/", sessions.session_limits, name="session_limits"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/", tokens.token_detail, name="token"),
    path("tokens/<int:pk>/block/", tokens.token_block, name="token_block"),
    path("tokens/<int:pk>/unblock/", tokens.token_unblock, name="token_unblock"),
    path("reservations/", reservations.reservation_list, name="reservations"),
    path("reservations/<int:pk>/", reservations.reservation_detail, name="reservation"),
    path(
        "reservations/<int:pk>/cancel/",
        reservations.reservation_cancel,
        name="reservation_cancel",
    ),
    path("menu/unread/", menu.unread_badge, name="unread_badge"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications_read"),
    path("profile/", profile.profile, name="profile"),
]
