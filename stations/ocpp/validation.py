"""Schema validation over the `ocpp` package's own JSON schemas, compiled with fastjsonschema.

The package validates with pure-Python jsonschema (about 250 µs for a 1 KB MeterValues);
the compiled validators check the same schemas in a few microseconds. Each violation maps to
the CALLERROR code of PROTOCOL.md's bad-input table for the socket's version.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import ocpp

from backoffice.lib.ocpp_time import parse_ocpp_datetime

from .errors import ErrorCodes, OcppCallError

_SCHEMAS = Path(ocpp.__file__).parent

# Zone optional: a naive timestamp is odd business data, taken as UTC, not a schema error.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def _is_date_time(value: str) -> bool:
    if not _DATE_TIME.match(value):
        return False
    try:
        parse_ocpp_datetime(value)
    except ValueError:
        return False
    return True


_FORMATS = {"date-time": _is_date_time}
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


@functools.cache
def validator(version_dir: str, schema_name: str) -> Callable[[Any], Any] | None:
    """The compiled validator of `ocpp/<version_dir>/schemas/<schema_name>.json`, or None."""
    path = _SCHEMAS / version_dir / "schemas" / f"{schema_name}.json"
    if not path.exists():
        return None
    schema = json.loads(path.read_text(encoding="utf-8-sig"))
    _bound_integers(schema)
    return fastjsonschema.compile(schema, formats=_FORMATS)


def _bound_integers(schema: Any) -> None:
    """Bound every integer to 32 bits, and connector and EVSE ids to 0 or more.

    The 1.6 schemas leave them unbounded: a negative connector or an id past 2^31 then failed
    in the database, which is our own failure and closes the socket on StartTransaction at
    every retry, for ever. Out of range is the charger's error: PropertyConstraintViolation.
    """
    if isinstance(schema, dict):
        if schema.get("type") == "integer":
            schema.setdefault("minimum", _INT32_MIN)
            schema.setdefault("maximum", _INT32_MAX)
        for name, value in schema.get("properties", {}).items():
            if name in ("connectorId", "evseId") and isinstance(value, dict):
                value["minimum"] = max(value.get("minimum", 0), 0)
        # 2.0.1's EVSEType leaves `id` unbounded (2.1 sets minimum 0): same failure as above.
        evse = schema.get("definitions", {}).get("EVSEType", {}).get("properties", {}).get("id")
        if isinstance(evse, dict):
            evse["minimum"] = max(evse.get("minimum", 0), 0)
        for value in schema.values():
            _bound_integers(value)
    elif isinstance(schema, list):
        for value in schema:
            _bound_integers(value)


def check_payload(
    validate: Callable[[Any], Any] | None, payload: Any, errors: ErrorCodes
) -> dict[str, Any]:
    """Check the payload of a well-formed CALL or SEND and return it.

    Every OCPP request schema is `"type": "object"`: a payload of another JSON type (string,
    number, array, null, boolean) breaks that type, so it is TypeConstraintViolation on every
    version, like any other wrong type (PROTOCOL.md allows it for 1.6 and 2.x), never a framing
    error. Checked here too so that an action without a schema cannot take one either.
    """
    if not isinstance(payload, dict):
        raise OcppCallError(errors.type_constraint, "payload must be object", {"field": "payload"})
    if validate is not None:
        check(validate, payload, errors)
    return payload


def check(validate: Callable[[Any], Any], payload: dict[str, Any], errors: ErrorCodes) -> None:
    """Validate `payload`; raise OcppCallError with the version's code for the violation."""
    try:
        validate(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        field = (exc.name or "").removeprefix("data").lstrip(".")
        if exc.rule == "required" and isinstance(exc.value, dict):
            missing = [name for name in exc.rule_definition if name not in exc.value]
            field = ".".join(filter(None, [field, missing[0] if missing else ""])) or "payload"
            message = f"{field} is required"
        else:
            field = field or "payload"
            message = re.sub(r"^data\.?", "", exc.message).strip()
            if not message.startswith(field):
                message = f"{field} {message}"
        raise OcppCallError(_code_for(exc.rule, errors), message, {"field": field}) from None


def _code_for(rule: str | None, errors: ErrorCodes) -> str:
    if rule == "required":
        return errors.required
    if rule in ("type", "maxLength", "minLength"):
        return errors.type_constraint
    if rule in ("additionalProperties", "propertyNames"):
        return errors.format
    if rule in ("minItems", "maxItems"):
        return errors.occurrence
    if rule in (
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "pattern",
        "format",
        "uniqueItems",
    ):
        return errors.property_constraint
    return errors.format
