"""Fake text generators for the writer's tests: each says what one request gets, and the
`TextGenerator` entry points (one request, a batch) come from `OneByOne`."""

from __future__ import annotations

from collections.abc import Sequence

from writer.backends import Generation, GenerationRequest, OnToken


class OneByOne:
    """A `TextGenerator` that answers each request by `answer`, streaming nothing."""

    name = "fake"
    languages = frozenset({"en"})

    def answer(self, request: GenerationRequest) -> Generation:
        raise NotImplementedError

    async def generate(
        self, request: GenerationRequest, on_token: OnToken | None = None
    ) -> Generation:
        return self.answer(request)

    async def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        return [self.answer(request) for request in requests]
