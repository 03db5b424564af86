"""CustomerInformation requests (2.x functional block N) and the data stations send back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class CustomerInformationRequest(models.Model):
    """One CustomerInformation request and the NotifyCustomerInformation pages answering it.

    `pages` keeps each page's data by seqNo as received; `data` is them joined in seqNo
    order, and `complete` says every page up to the last (tbc false) arrived.
    """

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="customer_information_requests"
    )
    request_id = models.IntegerField()
    # The command that asked; none for pages nothing of ours asked for.
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.BooleanField(default=False)
    clear = models.BooleanField(default=False)
    # Whom it is about: one of these.
    id_token = models.CharField(max_length=255, blank=True)
    id_token_type = models.CharField(max_length=20, blank=True)
    customer_identifier = models.CharField(max_length=64, blank=True)
    # {"hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number"}
    customer_certificate = models.JSONField(default=dict, blank=True)
    # {"<seqNo>": {"data": ..., "generated_at": ...}}
    pages = models.JSONField(default=dict, blank=True)
    last_seq_no = models.PositiveIntegerField(null=True, blank=True)
    data = models.TextField(blank=True)
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "request_id"], name="customer_information_unique_request"
            )
        ]
        verbose_name = _("customer information request")
        verbose_name_plural = _("customer information requests")

    def __str__(self) -> str:
        return f"CustomerInformation {self.request_id}"
