"""Certificate management over real sockets, with 1.6 (security extension), 2.0.1 and 2.1
chargers: the four certificate commands, and SignCertificate answered then followed by
CertificateSigned from the back office's CA."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from cryptography import x509
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from backoffice.audit.models import AuditEvent
from backoffice.lib import certificates as lib
from stations.exceptions import StationNotConnected
from stations.models import (
    Command,
    InstalledCertificate,
    IssuedCertificate,
    SecurityEvent,
)
from stations.services.security import certificate_authority, certificates
from tests.ocpp_client import REFUSING_CLIENTS, booted, eventually, in_thread
from tests.x509 import csr_pem, root_pem

pytestmark = pytest.mark.asyncio

VERSIONS = ["1.6", "2.0.1", "2.1"]
REPORTED = {
    "hash_algorithm": "SHA256",
    "issuer_name_hash": "ab" * 32,
    "issuer_key_hash": "cd" * 32,
    "serial_number": "1f",
}
_RESULTS = {"1.6": result16, "2.0.1": result201, "2.1": result21}
_ROOT_NAMES = {"1.6": "CentralSystemRootCertificate", "2.0.1": "CSMSRootCertificate"}


class CertificateHandlers:
    """The certificate side of a charger; `accept` picks the answers, `received` the requests."""

    accept = True
    received: list[tuple[str, dict]]
    frames: list[tuple]

    async def route_message(self, raw_msg):
        frame = json.loads(raw_msg)
        self.frames.append((frame[0], frame[2] if frame[0] == 2 else ""))
        return await super().route_message(raw_msg)

    def result(self):
        return _RESULTS[self._ocpp_version]

    @on("InstallCertificate")
    async def on_install(self, certificate_type, certificate, **kw):
        self.received.append(("InstallCertificate", {"certificate_type": certificate_type}))
        return self.result().InstallCertificate(status="Accepted" if self.accept else "Rejected")

    @on("GetInstalledCertificateIds")
    async def on_ids(self, certificate_type=None, **kw):
        self.received.append(("GetInstalledCertificateIds", {"certificate_type": certificate_type}))
        if not self.accept:
            return self.result().GetInstalledCertificateIds(status="NotFound")
        if self._ocpp_version == "1.6":
            return result16.GetInstalledCertificateIds(
                status="Accepted", certificate_hash_data=[REPORTED]
            )
        return self.result().GetInstalledCertificateIds(
            status="Accepted",
            certificate_hash_data_chain=[
                {"certificate_type": "CSMSRootCertificate", "certificate_hash_data": REPORTED}
            ],
        )

    @on("DeleteCertificate")
    async def on_delete(self, certificate_hash_data, **kw):
        self.received.append(("DeleteCertificate", certificate_hash_data))
        return self.result().DeleteCertificate(status="Accepted" if self.accept else "NotFound")

    @on("CertificateSigned")
    async def on_certificate_signed(self, certificate_chain, **kw):
        self.received.append(("CertificateSigned", {"certificate_chain": certificate_chain, **kw}))
        return self.result().CertificateSigned(status="Accepted" if self.accept else "Rejected")


_CLIENTS = {
    "1.6": ("ocpp1.6", Client16),
    "2.0.1": ("ocpp2.0.1", Client201),
    "2.1": ("ocpp2.1", Client21),
}


@contextlib.asynccontextmanager
async def connected(server, station, version, *, accept=True, handlers=True):
    """A booted charger of `version`; without `handlers` it answers every command with a
    CALLERROR (NotImplemented)."""
    subprotocol, client = _CLIENTS[version]
    bases = (CertificateHandlers, client) if handlers else (REFUSING_CLIENTS[subprotocol],)
    charger = type(client.__name__, bases, {"received": [], "frames": [], "accept": accept})
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger
    ) as cp:
        yield cp


@pytest.fixture
def root():
    return root_pem("Operator CSMS Root")[0]


# --- InstallCertificate ----------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_accepted_install_is_recorded_with_its_hash_data(server, station, version, root):
    async with connected(server, station, version) as cp:
        result = await in_thread(
            certificates.install_certificate,
            station_id=station.pk,
            certificate_type="csms_root",
            pem=root,
        )
    assert result.status == "Accepted"
    expected_name = _ROOT_NAMES.get(version, "CSMSRootCertificate")
    assert cp.received == [("InstallCertificate", {"certificate_type": expected_name})]
    installed = InstalledCertificate.objects.get(station=station)
    expected = lib.bundle_hash_data(root)
    assert (installed.certificate_type, installed.serial_number) == ("csms_root", "abcdef")
    assert installed.issuer_key_hash == expected.issuer_key_hash
    assert installed.subject == "CN=Operator CSMS Root"
    audit = AuditEvent.objects.get(action="stations.certificate_installed")
    assert audit.data["command_id"] == result.command.pk


async def test_an_installed_certificate_without_its_issuer_is_listed_later(server, station):
    leaf = (
        await in_thread(
            certificate_authority.sign_request, station_id=station.pk, csr=csr_pem(station.identity)
        )
    ).certificate.certificate_pem
    async with connected(server, station, "2.0.1"):
        result = await in_thread(
            certificates.install_certificate,
            station_id=station.pk,
            certificate_type="csms_root",
            pem=leaf,
        )
    assert result.status == "Accepted"
    # Its issuer's key is not in the message, so its hash data is not known yet.
    assert not InstalledCertificate.objects.exists()
    assert AuditEvent.objects.filter(action="stations.certificate_installed").exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_rejected_install_records_nothing(server, station, version, root):
    async with connected(server, station, version, accept=False):
        result = await in_thread(
            certificates.install_certificate,
            station_id=station.pk,
            certificate_type="manufacturer_root",
            pem=root,
        )
    assert result.status == "Rejected"
    assert not InstalledCertificate.objects.exists()


# --- GetInstalledCertificateIds --------------------------------------------------------------


def _stored(station, certificate_type, serial):
    return InstalledCertificate.objects.create(
        station=station,
        certificate_type=certificate_type,
        hash_algorithm="SHA256",
        issuer_name_hash="00",
        issuer_key_hash="11",
        serial_number=serial,
    )


@pytest.mark.parametrize("version", VERSIONS)
async def test_installed_ids_replace_the_stored_list_of_the_types_asked(server, station, version):
    _stored(station, "csms_root", "dead")
    other_type = _stored(station, "manufacturer_root", "beef")
    async with connected(server, station, version):
        result = await in_thread(
            certificates.get_installed_certificate_ids, station_id=station.pk, types=["csms_root"]
        )
    assert result.status == "Accepted"
    assert result.certificates == [
        {
            "certificate_type": "csms_root",
            **REPORTED,
            "child_certificates": [],
        }
    ]
    rows = InstalledCertificate.objects.filter(station=station)
    assert sorted(rows.values_list("certificate_type", "serial_number")) == [
        ("csms_root", "1f"),
        ("manufacturer_root", "beef"),
    ]
    assert rows.get(pk=other_type.pk)


@pytest.mark.parametrize("version", VERSIONS)
async def test_not_found_empties_the_stored_list_of_the_types_asked(server, station, version):
    _stored(station, "csms_root", "dead")
    async with connected(server, station, version, accept=False):
        result = await in_thread(
            certificates.get_installed_certificate_ids, station_id=station.pk, types=["csms_root"]
        )
    assert result.status == "NotFound"
    assert result.certificates == []
    assert not InstalledCertificate.objects.filter(station=station).exists()


# --- DeleteCertificate -----------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_accepted_delete_forgets_the_certificate(server, station, version):
    row = InstalledCertificate.objects.create(
        station=station, certificate_type="csms_root", **REPORTED
    )
    async with connected(server, station, version) as cp:
        result = await in_thread(
            certificates.delete_certificate,
            station_id=station.pk,
            hash_data={**REPORTED, "issuer_key_hash": REPORTED["issuer_key_hash"].upper()},
        )
    assert result.status == "Accepted"
    assert cp.received[0][1]["serial_number"] == "1f"
    assert not InstalledCertificate.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_delete_the_station_cannot_do_keeps_the_certificate(server, station, version):
    InstalledCertificate.objects.create(station=station, certificate_type="csms_root", **REPORTED)
    async with connected(server, station, version, accept=False):
        result = await in_thread(
            certificates.delete_certificate, station_id=station.pk, hash_data=REPORTED
        )
    assert result.status == "NotFound"
    assert InstalledCertificate.objects.filter(station=station).count() == 1


# --- CertificateSigned (sent by hand) --------------------------------------------------------


@pytest.mark.parametrize(("version", "accept"), [(v, a) for v in VERSIONS for a in (True, False)])
async def test_a_chain_sent_by_hand_gets_the_station_answer(server, station, version, accept, root):
    async with connected(server, station, version, accept=accept) as cp:
        result = await in_thread(certificates.certificate_signed, station_id=station.pk, chain=root)
    assert result.status == ("Accepted" if accept else "Rejected")
    action, request = cp.received[0]
    assert (action, request["certificate_chain"]) == ("CertificateSigned", root)
    if version != "1.6":
        assert request["certificate_type"] == "ChargingStationCertificate"


# --- CALLERROR and offline -------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_station_without_the_feature_answers_each_command_with_a_callerror(
    server, station, version, root
):
    _stored(station, "csms_root", "dead")
    async with connected(server, station, version, handlers=False):
        install = await in_thread(
            certificates.install_certificate,
            station_id=station.pk,
            certificate_type="csms_root",
            pem=root,
        )
        listed = await in_thread(
            certificates.get_installed_certificate_ids, station_id=station.pk, types=["csms_root"]
        )
        deleted = await in_thread(
            certificates.delete_certificate, station_id=station.pk, hash_data=REPORTED
        )
        signed = await in_thread(certificates.certificate_signed, station_id=station.pk, chain=root)
    for result in (install, listed, deleted, signed):
        assert result.status == ""
        assert result.command.state == Command.State.CALL_ERROR
        assert result.command.error_code == "NotImplemented"
    # Nothing the station did not confirm changes the stored list.
    assert list(InstalledCertificate.objects.values_list("serial_number", flat=True)) == ["dead"]


@pytest.mark.parametrize("version", VERSIONS)
async def test_certificate_commands_to_an_offline_station_raise_at_once(
    server, station, version, root
):
    station.ocpp_version = version
    station.save(update_fields=["ocpp_version"])
    calls = [
        (certificates.install_certificate, {"certificate_type": "csms_root", "pem": root}),
        (certificates.get_installed_certificate_ids, {"types": ["csms_root"]}),
        (certificates.delete_certificate, {"hash_data": REPORTED}),
        (certificates.certificate_signed, {"chain": root}),
    ]
    for service, kwargs in calls:
        with pytest.raises(StationNotConnected):
            await in_thread(service, station_id=station.pk, **kwargs)
    states = set(Command.objects.filter(station=station).values_list("state", flat=True))
    assert states == {Command.State.OFFLINE}
    assert Command.objects.filter(station=station).count() == 4


# --- SignCertificate -> CertificateSigned ----------------------------------------------------


def _sign_request(version, csr, **kw):
    if version == "1.6":
        return call16.SignCertificate(csr=csr)
    if version == "2.0.1":
        return call201.SignCertificate(csr=csr, certificate_type="ChargingStationCertificate")
    return call21.SignCertificate(csr=csr, certificate_type="ChargingStationCertificate", **kw)


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_signed_csr_comes_back_as_certificate_signed_after_the_answer(
    server, station, version
):
    extra = {"request_id": 42} if version == "2.1" else {}
    async with connected(server, station, version) as cp:
        answer = await cp.call(_sign_request(version, csr_pem(station.identity), **extra))
        delivered = await eventually(
            lambda: IssuedCertificate.objects.filter(
                station=station, delivery=IssuedCertificate.Delivery.ACCEPTED
            ).first()
        )
    assert answer.status == "Accepted"
    assert delivered is not None
    action, request = cp.received[0]
    assert action == "CertificateSigned"
    assert request["certificate_chain"] == delivered.certificate_pem
    certificate = x509.load_pem_x509_certificate(request["certificate_chain"].encode())
    assert lib.common_name(certificate.subject) == station.identity
    ca = lib.load_certificates(await in_thread(certificate_authority.authority_pem))[0]
    certificate.verify_directly_issued_by(ca)
    if version == "2.1":
        assert request["request_id"] == 42
    # The answers to BootNotification and SignCertificate came before the CALL.
    assert cp.frames[:3] == [(3, ""), (3, ""), (2, "CertificateSigned")]
    assert delivered.command.action == "CertificateSigned"
    assert delivered.command.state == Command.State.ANSWERED


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_csr_for_another_identity_is_rejected_and_nothing_is_signed(
    server, station, version
):
    async with connected(server, station, version) as cp:
        answer = await cp.call(_sign_request(version, csr_pem("CP-SOMEONE-ELSE")))
        event = await eventually(
            lambda: SecurityEvent.objects.filter(
                station=station, type=certificate_authority.REJECTED_EVENT
            ).first()
        )
        await asyncio.sleep(0.3)
    assert answer.status == "Rejected"
    if version != "1.6":
        assert answer.status_info["reason_code"] == "InvalidCSR"
    assert "CP-SOMEONE-ELSE" in event.tech_info
    assert cp.received == []
    assert not IssuedCertificate.objects.exists()


async def test_a_station_that_rejects_its_certificate_is_recorded(server, station):
    async with connected(server, station, "2.0.1", accept=False) as cp:
        answer = await cp.call(_sign_request("2.0.1", csr_pem(station.identity)))
        rejected = await eventually(
            lambda: IssuedCertificate.objects.filter(
                delivery=IssuedCertificate.Delivery.REJECTED
            ).first()
        )
    assert answer.status == "Accepted"
    assert rejected is not None
    assert cp.received[0][0] == "CertificateSigned"
