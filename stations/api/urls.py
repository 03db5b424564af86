"""The REST API's routes, mounted under /api/v1/."""

from __future__ import annotations

from django.urls import path

from . import commands, registry, stations, transactions

app_name = "api"

urlpatterns = [
    path("stations/", stations.StationListApi.as_view(), name="station_list"),
    path("stations/<str:identity>/", stations.StationDetailApi.as_view(), name="station_detail"),
    path(
        "stations/<str:identity>/commands/",
        stations.StationCommandListApi.as_view(),
        name="station_command_list",
    ),
    *(
        path(
            f"stations/<str:identity>/commands/{name}/",
            view.as_view(),
            name=f"command_{name}",
        )
        for name, view in commands.command_views(registry.specs()).items()
    ),
    path(
        "stations/<str:identity>/commands/<str:name>/",
        commands.UnknownCommandApi.as_view(),
        name="command_unknown",
    ),
    path("commands/<int:command_id>/", commands.CommandDetailApi.as_view(), name="command_detail"),
    path("transactions/", transactions.TransactionListApi.as_view(), name="transaction_list"),
    path(
        "transactions/<int:transaction_id>/",
        transactions.TransactionDetailApi.as_view(),
        name="transaction_detail",
    ),
]
