"""Outbound adapters: a version's builders and readers of the messages the back office sends.

Each version's `outbound` package makes one `OutboundAdapter` and registers a builder (and,
where the answer carries more than a status, a reader) per version-neutral request type:

    @ADAPTER.builds(RemoteStart, fields={"idTag": "id_token"})
    def remote_start(request: RemoteStart, version: str) -> Message: ...

`fields` says which request field each path of the payload (or a prefix of it) comes from:
a schema violation at "idTag" is then reported on `id_token`, the name the services, the
API and the forms know (the longest matching prefix wins; a path not listed stays as it is).

The 2.1 adapter derives from the 2.0.1 one: what 2.1 does not register itself is built by
the 2.0.1 builder, told the version ("2.1"). A request no builder of the version takes is
refused with `refusal`, or with the message its version registered for it (`refuses`: a
message a later version adds, a version's own reason) (CommandInvalid, nothing sent).
`stations.ocpp.adapters.install` registers every version's adapter with the services'
registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message, Request, Traits

from . import validation
from .errors import V16_ERRORS, OcppCallError

R = TypeVar("R", bound=Request)
Builder = Callable[[Any, str], Message]
Reader = Callable[[Any, dict[str, Any], str], Any]

# Schema directory and request-schema suffix of each version.
_SCHEMAS = {"1.6": ("v16", ""), "2.0.1": ("v201", "Request"), "2.1": ("v21", "Request")}


@dataclass(frozen=True, slots=True)
class _Registration:
    builder: Builder
    # Payload path (prefix) -> the request field its value comes from.
    fields: Mapping[str, str] = field(default_factory=dict)

    def request_field(self, path: str | None) -> str | None:
        """The request field of payload path `path`: its longest listed prefix's, else `path`."""
        if not path:
            return path
        matches = [
            prefix
            for prefix in self.fields
            if path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))
        ]
        return self.fields[max(matches, key=len)] if matches else path


class OutboundAdapter:
    def __init__(
        self,
        version: str,
        *,
        traits: Traits,
        refusal: str,
        parent: OutboundAdapter | None = None,
    ) -> None:
        self.version = version
        self.traits = traits
        # Said of a request this version cannot express; formatted with {title}.
        self.refusal = refusal
        self.parent = parent
        self._builders: dict[type[Request], _Registration] = {}
        self._readers: dict[type[Request], Reader] = {}
        self._refusals: dict[type[Request], str] = {}

    # --- registration ----------------------------------------------------------------------

    def builds(
        self, request_type: type[R], *, fields: Mapping[str, str] | None = None
    ) -> Callable[[Builder], Builder]:
        """Register a builder; `fields` maps payload paths to request fields (module docstring)."""

        def register(builder: Builder) -> Builder:
            self._builders[request_type] = _Registration(builder, dict(fields or {}))
            return builder

        return register

    def reads(self, request_type: type[R]) -> Callable[[Reader], Reader]:
        def register(reader: Reader) -> Reader:
            self._readers[request_type] = reader
            return reader

        return register

    def refuses(self, request_type: type[Request], refusal: str) -> None:
        """Refuse `request_type` with `refusal` (formatted with {title} and {version}) rather
        than this version's own: a later version's request says which version has it."""
        self._refusals[request_type] = refusal

    # --- what the services call (outbound.Adapter) ------------------------------------------

    def supports(self, request_type: type[Request]) -> bool:
        return self._registration(request_type) is not None

    def build(self, request: Request) -> Message:
        """The request's message, checked; a schema violation names the request field."""
        registration = self._registration(type(request))
        if registration is None:
            raise CommandInvalid(self.refusal_for(type(request)))
        message = registration.builder(request, self.version)
        try:
            self.check(message.action, message.payload)
        except CommandInvalid as err:
            raise CommandInvalid(err.message, field=registration.request_field(err.field)) from None
        return message

    def refusal_for(self, request_type: type[Request]) -> str:
        """What this version says of a request it cannot express."""
        refusal = self._refusals.get(request_type, self.refusal)
        return refusal.format(title=request_type.title, version=self.version)

    def read(self, request: Request, response: dict[str, Any]) -> Any:
        reader = self._reader(type(request))
        return None if reader is None else reader(request, response, self.version)

    def check(self, action: str, payload: dict[str, Any]) -> None:
        """CommandInvalid when `payload` breaks the version's request schema for `action`."""
        schema_dir, suffix = _SCHEMAS[self.version]
        validate = validation.validator(schema_dir, f"{action}{suffix}")
        if validate is None:
            raise CommandInvalid(f"{action} is not an OCPP {self.version} message.")
        try:
            validation.check(validate, payload, V16_ERRORS)
        except OcppCallError as err:
            raise CommandInvalid(err.description, field=err.details.get("field")) from None

    # --- lookup, own registrations first, then the parent's ----------------------------------

    def _registration(self, request_type: type[Request]) -> _Registration | None:
        found = self._builders.get(request_type)
        if found is None and self.parent is not None:
            return self.parent._registration(request_type)
        return found

    def _reader(self, request_type: type[Request]) -> Reader | None:
        found = self._readers.get(request_type)
        if found is None and self.parent is not None:
            return self.parent._reader(request_type)
        return found
