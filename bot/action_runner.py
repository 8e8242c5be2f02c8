"""Running actions: in process through rasa-sdk's `ActionExecutor`, or on an action server."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

logger = logging.getLogger(__name__)


@dataclass
class ActionResult:
    events: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)


class ActionRejected(Exception):
    """The action declined to run (rasa-sdk's `ActionExecutionRejection`)."""


class ActionRunner(Protocol):
    async def names(self) -> set[str]: ...

    async def run(
        self, name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult: ...

    async def close(self) -> None: ...


def _action_call(name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "next_action": name,
        "sender_id": tracker["sender_id"],
        "tracker": tracker,
        "domain": domain,
        "version": "3.1",
    }


class InProcessActionRunner:
    """The code path of rasa-sdk's own server, without HTTP in between."""

    def __init__(self, actions: Iterable[Action]) -> None:
        """`actions` are instances, built with what they work on (the shop)."""
        self._executor = ActionExecutor()
        for action in actions:
            self._executor.register_action(action)

    async def names(self) -> set[str]:
        return set(self._executor.actions)

    async def run(self, name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> ActionResult:
        from rasa_sdk.interfaces import ActionExecutionRejection

        try:
            result = await self._executor.run(_action_call(name, tracker, domain))
        except ActionExecutionRejection as error:
            raise ActionRejected(str(error)) from error
        if result is None:
            return ActionResult()
        return ActionResult(events=list(result.events), responses=list(result.responses))

    async def close(self) -> None:
        return None


class RemoteActionRunner:
    """A rasa-sdk action server over HTTP (`POST /webhook`, `GET /actions`)."""

    def __init__(self, endpoint: str, timeout_s: float = 10.0) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s))

    async def names(self) -> set[str]:
        async with self._session.get(f"{self._endpoint}/actions") as response:
            response.raise_for_status()
            return {entry["name"] for entry in await response.json()}

    async def run(self, name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> ActionResult:
        call = _action_call(name, tracker, domain)
        async with self._session.post(f"{self._endpoint}/webhook", json=call) as response:
            body = await response.json()
            if response.status == 400:
                raise ActionRejected(str(body.get("error")))
            response.raise_for_status()
        return ActionResult(events=body.get("events", []), responses=body.get("responses", []))

    async def close(self) -> None:
        await self._session.close()
