"""`{% command_forms station as groups %}`: the remote command forms a station's version
offers, by group, for `operator/stations/commands_panel.html` (included by the station page)."""

from __future__ import annotations

from typing import Any

from django import template

from stations import selectors
from stations.forms import commands
from stations.models import Station

register = template.Library()


@register.simple_tag
def command_forms(station: Station) -> list[tuple[Any, list[commands.CommandForm]]]:
    return commands.forms_for(station, selectors.CommandOptions(station))
