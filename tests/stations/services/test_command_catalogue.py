"""The command catalogue both the REST API and the operator forms read: its fields are its
services' keywords, every form names one of its commands, and the API keeps to it."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from stations.api import registry
from stations.forms import commands as command_forms
from stations.services.commands import catalogue, remote
from stations.services.commands.catalogue import V16


@pytest.mark.parametrize("name", sorted(catalogue.commands()))
def test_a_commands_fields_are_keywords_of_its_service(name):
    command = catalogue.command(name)
    parameters = inspect.signature(command.service).parameters
    keywords = {
        key for key, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    } - {"station_id", "caller"}
    assert set(command.fields) <= keywords
    assert len(set(command.fields)) == len(command.fields)


def test_the_reservation_commands_are_registered_by_their_app():
    assert catalogue.command("reserve-now").service.__module__ == (
        "reservations.services.reservations"
    )
    assert "cancel-reservation" in catalogue.commands()


def test_the_reservation_forms_and_api_specs_are_registered_by_their_app():
    names = list(command_forms.FORMS)
    assert names[:4] == ["remote-start", "remote-stop", "reserve-now", "cancel-reservation"]
    assert command_forms.FORMS["reserve-now"].__module__ == "reservations.forms"
    assert registry.specs()["cancel-reservation"].input.__module__ == "reservations.api_specs"


def test_a_form_name_is_taken_once():
    reserve = command_forms.FORMS["reserve-now"]
    before = list(command_forms.FORMS.items())
    command_forms.register(reserve, after="reset")  # the same form again changes nothing
    assert list(command_forms.FORMS.items()) == before
    other = type("OtherReserveForm", (reserve,), {})
    with pytest.raises(ValueError, match="reserve-now"):
        command_forms.register(other, after="reset")
    assert list(command_forms.FORMS.items()) == before


def test_a_registered_spec_must_name_a_catalogue_command(monkeypatch):
    extra = registry.spec_of(
        catalogue.Command(name="make-coffee", service=remote.reset, versions=V16, summary="."),
        registry.specs()["clear-cache"].input,
    )
    monkeypatch.setattr(registry, "_registered", [*registry._registered, extra])
    with pytest.raises(ValueError, match="make-coffee"):
        registry.specs()


def test_every_operator_form_is_a_catalogue_command():
    assert set(command_forms.FORMS) <= set(catalogue.commands())
    for name in command_forms.FORMS:
        assert command_forms.spec_for(name) is catalogue.command(name)


def test_a_station_that_never_booted_is_offered_the_default_versions_commands():
    assert catalogue.offered(catalogue.command("get-diagnostics"), "")
    assert not catalogue.offered(catalogue.command("get-diagnostics"), "2.0.1")
    assert not catalogue.offered(catalogue.command("get-base-report"), "")


def test_a_name_is_taken_once():
    reset = catalogue.command("reset")
    catalogue.register(reset)  # the same command again changes nothing
    with pytest.raises(ValueError, match="reset"):
        catalogue.register(dataclasses.replace(reset, summary="Another reset."))
    assert catalogue.command("reset") is reset


def test_the_api_has_a_spec_for_every_command_with_the_catalogues_fields(monkeypatch):
    specs = registry.specs()
    assert set(specs) == set(catalogue.commands())
    extra = catalogue.Command(
        name="make-coffee", service=remote.reset, versions=catalogue.ALL_VERSIONS, summary="."
    )
    listed = {**catalogue.commands(), extra.name: extra}
    monkeypatch.setattr(catalogue, "commands", lambda: listed)
    with pytest.raises(ValueError, match="no spec"):
        registry.specs()


def test_the_api_refuses_a_serializer_that_strays_from_the_catalogue(monkeypatch):
    reset = catalogue.command("reset")
    strayed = dataclasses.replace(reset, fields=("hard",))
    real = catalogue.command
    monkeypatch.setattr(
        catalogue, "command", lambda name: strayed if name == "reset" else real(name)
    )
    with pytest.raises(ValueError, match="reset"):
        registry.specs()
