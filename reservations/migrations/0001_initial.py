import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_id_tokens_up_to_255"),
        ("stations", "0010_smart_charging"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reservation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "evse_id",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="EVSE id"),
                ),
                (
                    "connector_type",
                    models.CharField(blank=True, max_length=20, verbose_name="connector type"),
                ),
                ("id_tag", models.CharField(max_length=255, verbose_name="id token value")),
                (
                    "group_id_tag",
                    models.CharField(blank=True, max_length=255, verbose_name="group id token"),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                ("reservation_id", models.IntegerField(unique=True, verbose_name="reservation id")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("requested", "requested"),
                            ("accepted", "accepted"),
                            ("rejected", "rejected by the station"),
                            ("faulted", "refused: EVSE faulted"),
                            ("occupied", "refused: EVSE occupied"),
                            ("unavailable", "refused: EVSE unavailable"),
                            ("failed", "not delivered"),
                            ("cancelled", "cancelled"),
                            ("expired", "expired"),
                            ("used", "used"),
                            ("removed", "removed by the station"),
                            ("no_transaction", "used without a transaction"),
                        ],
                        default="requested",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                (
                    "cancel_command",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stations.command",
                        verbose_name="CancelReservation command",
                    ),
                ),
                (
                    "command",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stations.command",
                        verbose_name="ReserveNow command",
                    ),
                ),
                (
                    "id_token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reservations",
                        to="accounts.idtoken",
                        verbose_name="id token",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reservations",
                        to="stations.station",
                        verbose_name="station",
                    ),
                ),
                (
                    "transaction",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reservations",
                        to="stations.transaction",
                        verbose_name="transaction",
                    ),
                ),
            ],
            options={
                "verbose_name": "reservation",
                "verbose_name_plural": "reservations",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["status", "expires_at"], name="reservation_status_expiry"),
                    models.Index(fields=["station", "-created_at"], name="reservation_station"),
                ],
            },
        ),
    ]
