"""The driver API's routes, mounted under /api/v1/me/."""

from __future__ import annotations

from django.urls import path

from . import notifications, profile, reservations, sessions, stations, tokens

app_name = "me"

urlpatterns = [
    path("sessions/", sessions.SessionListApi.as_view(), name="session_list"),
    path("sessions/<int:pk>/", sessions.SessionDetailApi.as_view(), name="session_detail"),
    path("sessions/<int:pk>/stop/", sessions.SessionStopApi.as_view(), name="session_stop"),
    path("sessions/<int:pk>/limits/", sessions.SessionLimitsApi.as_view(), name="session_limits"),
    path("start/", sessions.StartApi.as_view(), name="start"),
    path("starts/", sessions.PendingStartListApi.as_view(), name="start_list"),
    path("sites/", stations.SiteListApi.as_view(), name="site_list"),
    path("stations/<str:identity>/", stations.StationApi.as_view(), name="station"),
    path("tokens/", tokens.TokenListApi.as_view(), name="token_list"),
    path("tokens/<int:pk>/", tokens.TokenDetailApi.as_view(), name="token_detail"),
    path("tokens/<int:pk>/block/", tokens.TokenBlockApi.as_view(), name="token_block"),
    path("tokens/<int:pk>/unblock/", tokens.TokenUnblockApi.as_view(), name="token_unblock"),
    path("notifications/", notifications.NotificationListApi.as_view(), name="notification_list"),
    path(
        "notifications/read/",
        notifications.NotificationReadAllApi.as_view(),
        name="notification_read_all",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.NotificationReadApi.as_view(),
        name="notification_read",
    ),
    path("reservations/", reservations.ReservationListApi.as_view(), name="reservation_list"),
    path(
        "reservations/<int:pk>/",
        reservations.ReservationDetailApi.as_view(),
        name="reservation_detail",
    ),
    path(
        "reservations/<int:pk>/cancel/",
        reservations.ReservationCancelApi.as_view(),
        name="reservation_cancel",
    ),
    path("profile/", profile.ProfileApi.as_view(), name="profile"),
]
