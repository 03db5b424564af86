"""Customer information (OCPP 2.x use cases N09 / N10): what a station keeps about one
customer, reported and/or cleared on request.

The request row is opened before the command goes out (the station's first
NotifyCustomerInformation page may come before its answer) and kept whatever the outcome;
the pages, tied to it by requestId, are assembled on it in seqNo order (`receive_page`).

A 1.6 station gets CommandInvalid before anything is sent. The bus's errors pass through
unchanged (see `remote`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from backoffice.audit import services as audit
from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandError
from stations.models import Command, CustomerInformationRequest
from stations.services.commands import adapters, outbound, request_ids
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.device.requests import CertificateHash, CustomerInformation

HASH_ALGORITHMS = ("SHA256", "SHA384", "SHA512")

NOTHING_ASKED = "Ask for a report, a clear, or both."
ONE_CUSTOMER = "Name the customer by exactly one of: id token, customer identifier, certificate."
# The noqa: messages, not secrets.
ID_TOKEN_NEEDS_TYPE = "An id token needs its type (e.g. ISO14443)."  # noqa: S105
UNKNOWN_ID_TOKEN_TYPE = "In OCPP 2.0.1 the id token type is one of: {types}."  # noqa: S105
ID_TOKEN_TOO_LONG = "The id token is too long for OCPP {version} ({limit} characters)."  # noqa: S105
CERTIFICATE_INCOMPLETE = (
    "A customer certificate is given by hash_algorithm (SHA256, SHA384 or SHA512), "
    "issuer_name_hash, issuer_key_hash and serial_number."
)


@dataclass(frozen=True, slots=True)
class CustomerInformationResult(Answered):
    command: Command
    status: str
    request: CustomerInformationRequest


# --- services --------------------------------------------------------------------------------


def customer_information(
    *,
    station_id: int,
    report: bool = True,
    clear: bool = False,
    id_token: str = "",
    id_token_type: str = "",
    customer_identifier: str = "",
    customer_certificate: dict[str, str] | None = None,
    caller: Caller = SYSTEM,
) -> CustomerInformationResult:
    """Ask the station to report and/or clear what it keeps about one customer.

    The customer is named by an id token (with its type), a customer identifier, or a
    certificate's hash data ({"hash_algorithm", "issuer_name_hash", "issuer_key_hash",
    "serial_number"}). The data reported comes later, on the returned request.
    """
    asked = CustomerInformation(
        request_id=request_ids.new_request_id(),
        report=report,
        clear=clear,
        id_token=id_token,
        id_token_type=id_token_type,
        customer_identifier=customer_identifier,
        customer_certificate=(
            CertificateHash(
                hash_algorithm=customer_certificate.get("hash_algorithm") or "",
                issuer_name_hash=customer_certificate.get("issuer_name_hash") or "",
                issuer_key_hash=customer_certificate.get("issuer_key_hash") or "",
                serial_number=customer_certificate.get("serial_number") or "",
            )
            if customer_certificate
            else None
        ),
    )
    # Built first: a request the station cannot take leaves no row and no audit entry.
    adapters.build(version=adapters.station_version(station_id), request=asked)
    # Committed before the command goes out: the first page may come before the answer.
    with transaction.atomic():
        request = CustomerInformationRequest.objects.create(
            station_id=station_id,
            request_id=asked.request_id,
            report=report,
            clear=clear,
            id_token=id_token,
            id_token_type=id_token_type if id_token else "",
            customer_identifier=customer_identifier,
            customer_certificate=customer_certificate or {},
        )
        audit.record(
            action="stations.customer_information_requested",
            actor=caller.user,
            actor_label=caller.label,
            target=request,
            data={"station_id": station_id, "report": report, "clear": clear},
        )
    try:
        command = outbound.send(station_id=station_id, request=asked, caller=caller).command
    except CommandError as err:
        if err.command is None:
            request.delete()  # invalid for the station's schema: nothing was sent
        else:
            CustomerInformationRequest.objects.filter(pk=request.pk).update(command=err.command)
        raise
    CustomerInformationRequest.objects.filter(pk=request.pk).update(command=command)
    request.refresh_from_db()
    return CustomerInformationResult(command, command.result_status, request)


# --- follow-ups ------------------------------------------------------------------------------


def receive_page(
    *,
    station_id: int,
    request_id: int,
    seq_no: int,
    tbc: bool,
    generated_at: datetime,
    data: str,
) -> CustomerInformationRequest:
    """Add one NotifyCustomerInformation page to its request and re-assemble the data.

    Pages may come in any order; the request is complete once the last page (tbc false) and
    every page before it arrived. Idempotent per seqNo. Pages nothing of ours asked for
    get a request row of their own (no command).
    """
    CustomerInformationRequest.objects.get_or_create(station_id=station_id, request_id=request_id)
    with transaction.atomic():
        # Locked: pages of one request are assembled on one row, one at a time.
        request = CustomerInformationRequest.objects.select_for_update().get(
            station_id=station_id, request_id=request_id
        )
        if str(seq_no) in request.pages:
            return request
        request.pages = {
            **request.pages,
            str(seq_no): {"data": data, "generated_at": format_ocpp_datetime(generated_at)},
        }
        if not tbc:
            request.last_seq_no = seq_no
        ordered = sorted(request.pages, key=int)
        request.data = "".join(request.pages[key]["data"] for key in ordered)
        request.complete = request.last_seq_no is not None and all(
            str(number) in request.pages for number in range(request.last_seq_no + 1)
        )
        request.save(update_fields=["pages", "last_seq_no", "data", "complete", "updated_at"])
    return request
