"""The OpenAI-compatible backend against a local server that speaks the API, and the
writer's regenerate-then-fall-back loop driven through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestServer

from actions.catalog import Catalog
from tests.writer.chat_api import ChatAPI, last_user_line, system_prompt
from writer.backends import GenerationRequest, OpenAICompatible
from writer.describe import DescriptionWriter, StreamEvent
from writer.records import ProductRecord
from writer.templates import publishable_facts, vary_frames

MAC_MINI_16GB = "p2c36c268eb"
ServerFactory = Callable[[Any], Awaitable[TestServer]]


def mac_mini(catalog: Catalog) -> ProductRecord:
    product = catalog.get(MAC_MINI_16GB)
    assert product is not None
    return ProductRecord.from_product(product)


async def backend_for(api: ChatAPI, aiohttp_server: ServerFactory) -> OpenAICompatible:
    server = await aiohttp_server(api.app())
    return OpenAICompatible(base_url=f"http://127.0.0.1:{server.port}/v1", model="test-model")


async def test_completion_and_stream_speak_the_api(aiohttp_server: ServerFactory) -> None:
    api = ChatAPI(lambda body: ["Fast and quiet."])
    backend = await backend_for(api, aiohttp_server)
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    request = GenerationRequest(messages)
    assert (await backend.generate(request)).text == "Fast and quiet."
    pieces: list[str] = []
    streamed = await backend.generate(request, pieces.append)
    assert streamed.text == "Fast and quiet."
    assert len(pieces) == 3 and "".join(pieces).strip() == "Fast and quiet."
    assert [body["stream"] for body in api.requests] == [False, True]
    assert api.requests[0]["model"] == "test-model"


async def test_an_invented_spec_is_banned_then_replaced(
    catalog: Catalog, aiohttp_server: ServerFactory
) -> None:
    """First drafts claim 32GB; the retry prompt bans it; the server then answers truthfully."""

    def reply(body: dict[str, Any]) -> list[str]:
        line = last_user_line(body)
        if "Never write: 32GB" in system_prompt(body):
            return ["M2 Chip for Exceptional Speed and Performance makes everyday work smooth."]
        if "M2 Chip for Exceptional" in line:
            return ["M2 Chip for Exceptional Speed and Performance with 32GB RAM."]
        return ["It is a Mac mini."]

    api = ChatAPI(reply)
    writer = DescriptionWriter(await backend_for(api, aiohttp_server))
    description = await writer.write(mac_mini(catalog))
    assert description.check["grounded"] and description.check["safe"]
    assert "32GB" not in description.text
    assert "makes everyday work smooth" in description.text
    assert description.first_draft_unsupported >= 1
    retried = [s for s in description.sentences if s.rejected]
    assert any("unsupported claim: 32GB" in r for s in retried for r in s.rejected)


async def test_a_model_that_keeps_inventing_gets_the_records_own_words(
    catalog: Catalog, aiohttp_server: ServerFactory
) -> None:
    api = ChatAPI(lambda body: ["Waterproof, with 64GB RAM and Wi-Fi 7."])
    writer = DescriptionWriter(await backend_for(api, aiohttp_server), attempts=2)
    record = mac_mini(catalog)
    events: list[StreamEvent] = []
    description = await writer.write(record, events.append)
    assert description.path == "record"
    assert description.check["grounded"] and not description.check["unsupported"]
    assert all(s.source == "record" for s in description.sentences)
    for fact in publishable_facts(record):
        assert fact.rstrip(".").lower() in description.text.lower()
    # each sentence: two drafts streamed and retracted, then the record's words kept
    assert [e.kind for e in events].count("retract") == 2 * len(description.sentences)
    kept = [e.text for e in events if e.kind == "sentence"]  # as the final text reads them
    assert kept == vary_frames([s.text for s in description.sentences])
    assert len(api.requests) == 2 * len(description.sentences)


async def test_a_chinese_capable_backend_writes_chinese_under_the_same_check(
    aiohttp_server: ServerFactory,
) -> None:
    record = ProductRecord.from_attribute_text(
        "商品名称：Apple iPhone 12，颜色：黑色，存储容量：128GB"
    )
    answers = iter(
        ["Apple iPhone 12 黑色，256GB 大容量。", "Apple iPhone 12，黑色机身，128GB 存储。"]
    )
    api = ChatAPI(lambda body: [next(answers)])
    backend = await backend_for(api, aiohttp_server)
    assert "zh" in backend.languages
    description = await DescriptionWriter(backend).write(record)
    assert description.language == "zh"
    assert description.text == "Apple iPhone 12，黑色机身，128GB 存储。"
    assert description.check["grounded"]
    assert "Never write: 256GB" in system_prompt(api.requests[1])


async def test_garbled_drafts_are_not_published(
    catalog: Catalog, aiohttp_server: ServerFactory
) -> None:
    def reply(body: dict[str, Any]) -> list[str]:
        fact = last_user_line(body).split("Fact: ", 1)[-1]
        return [f"{fact} lets you see your home in ’s ’s ’s ’."]

    writer = DescriptionWriter(await backend_for(ChatAPI(reply), aiohttp_server), attempts=1)
    description = await writer.write(mac_mini(catalog))
    assert "’s ’s" not in description.text
    assert any("garbled" in r for s in description.sentences for r in s.rejected)


async def test_tone_and_length_shape_the_prompts(
    catalog: Catalog, aiohttp_server: ServerFactory
) -> None:
    api = ChatAPI(lambda body: ["Fine."])
    writer = DescriptionWriter(
        await backend_for(api, aiohttp_server), attempts=1, max_facts=2, tone="warm and playful"
    )
    description = await writer.write(mac_mini(catalog))
    assert len(description.sentences) == 3  # the opening and two facts
    assert all("Write in a warm and playful tone." in system_prompt(b) for b in api.requests)
