"""An action runner for core tests: every action the domain names exists and answers with a
domain response (or a line naming itself), so the engine is tested without the shop."""

from __future__ import annotations

from typing import Any

from bot.action_runner import ActionResult
from bot.domain import Domain


class ScriptedActions:
    """`responses` maps an action to the domain response it answers with."""

    def __init__(
        self,
        domain: Domain,
        responses: dict[str, str],
        events: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self._names = {n for n in domain.action_names() if n not in domain.responses}
        self._responses = responses
        self._events = events or {}  # what an action returns besides its reply
        self.calls: list[str] = []

    async def names(self) -> set[str]:
        return set(self._names)

    async def run(self, name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> ActionResult:
        self.calls.append(name)
        events = [dict(e) for e in self._events.get(name, [])]
        if name in self._responses:
            return ActionResult(responses=[{"response": self._responses[name]}], events=events)
        return ActionResult(responses=[{"text": f"{name} ran"}], events=events)

    async def close(self) -> None:
        return None
