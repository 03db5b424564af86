"""The browsers' live socket (`/ws/live/`): a page names what it shows, gets told when it changes.

The page sends `{"watch": ["network", "station:12", "transaction:7"]}`; each name it may see
joins the channel-layer group of that name (names it may not see, or that do not exist, are
refused in the answer, never silently). Event batches arrive as `{"events": [...]}`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from backoffice.lib.live_interest import WATCH_SECONDS, interest
from backoffice.lib.live_publisher import access_group, start_flusher

from . import access

MAX_WATCHED = 50


class LiveConsumer(AsyncJsonWebsocketConsumer):
    groups_watched: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_watched = []
        self._renew: asyncio.Task[None] | None = None
        # Told when the user's access changes (publisher.access_changed).
        self._access_group = access_group(user.pk)
        await self.channel_layer.group_add(self._access_group, self.channel_name)
        await self.accept()
        start_flusher()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        names = content.get("watch") if isinstance(content, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            await self.send_json({"error": 'Send {"watch": ["station:<id>", ...]}.'})
            return
        allowed, refused = await database_sync_to_async(access.resolve)(
            self.scope["user"], names[:MAX_WATCHED]
        )
        for group in allowed:
            if group not in self.groups_watched:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_watched.append(group)
        await database_sync_to_async(interest.watch)(allowed)
        if self._renew is None:
            self._renew = asyncio.create_task(self._keep_watching())
        await self.send_json({"watching": names_of(allowed), "refused": refused})

    async def live_batch(self, message: dict[str, Any]) -> None:
        await self.send_json({"events": message["events"]})

    async def live_access_changed(self, message: dict[str, Any]) -> None:
        await self._recheck()

    async def disconnect(self, code: int) -> None:
        renew = getattr(self, "_renew", None)
        if renew is not None:
            renew.cancel()
        groups = [*getattr(self, "groups_watched", []), getattr(self, "_access_group", None)]
        for group in filter(None, groups):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _keep_watching(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS / 3)
            # Also catches what no message announces (a station moved to another site) and a
            # lost access message.
            await self._recheck()
            await database_sync_to_async(interest.watch)(list(self.groups_watched))

    async def _recheck(self) -> None:
        """Watch only what the session's user may still see; close once nobody is signed in."""
        session = self.scope.get("session")
        user = await database_sync_to_async(access.session_user)(
            session.session_key if session is not None else None
        )
        if not user.is_authenticated:
            await self.close(code=4401)
            return
        self.scope["user"] = user
        names = names_of(self.groups_watched)
        allowed, refused = await database_sync_to_async(access.resolve)(user, names)
        for group in self.groups_watched:
            if group not in allowed:
                await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_watched = [group for group in self.groups_watched if group in allowed]
        if refused:
            await self.send_json({"watching": names_of(self.groups_watched), "refused": refused})


def names_of(groups: list[str]) -> list[str]:
    return [access.name_of(group) for group in groups]
