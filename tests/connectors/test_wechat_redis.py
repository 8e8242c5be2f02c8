"""WeChat on two instances sharing PostgreSQL and Redis (or PostgreSQL alone), each with a home
of its own: a retry of a delivery that lands on the other instance is still the same delivery.
Run under the heavy lock (it loads the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.locks_redis import open_redis
from bot.settings import LimitSettings, Settings
from bot.store import Unavailable
from bot.wechat_deliveries import Delivery
from bot.wechat_deliveries_redis import RedisDeliveries
from tests.bot.shared_servers import (
    REDIS_URL,
    closed_port,
    on_shared_servers,
    pg_schema,
    redis_prefix,
)
from tests.connectors.test_socketio import served
from tests.connectors.test_wechat import OPENID, platform, user_texts, wechat_api, with_wechat
from tests.fakes.wechat_api import FakeWechatApi, text_xml

__all__ = ["pg_schema", "redis_prefix", "wechat_api"]  # the fixtures, used by name


async def test_one_claim_wins_and_retries_get_its_reply(redis_prefix: str) -> None:
    clients = open_redis(REDIS_URL), open_redis(REDIS_URL)
    here, there = (RedisDeliveries(client, redis_prefix) for client in clients)
    try:
        first = await here.claim("msg:1")
        assert first == Delivery(first=True)
        assert await there.claim("msg:1") == Delivery(first=False)  # still running
        await here.answered("msg:1", "<xml>回答</xml>", first.token)
        assert await there.claim("msg:1") == Delivery(first=False, reply="<xml>回答</xml>")
        failed = await there.claim("msg:2")
        assert failed == Delivery(first=True)
        await there.forget("msg:2", failed.token)  # its turn failed: a retry may run it
        assert await here.claim("msg:2") == Delivery(first=True)
        keys = await clients[0].keys(f"{redis_prefix}*")
        assert len(keys) == 2 and all(b"msg" not in key for key in keys)  # digests only
        assert 0 < await clients[0].ttl(keys[0]) <= 300
    finally:
        for client in clients:
            await client.aclose()


async def test_no_redis_no_turn() -> None:
    """A claim Redis does not answer is refused (503: WeChat retries), never a guess."""
    client = open_redis(f"redis://127.0.0.1:{closed_port()}/0")
    deliveries = RedisDeliveries(client, "test:")
    try:
        with pytest.raises(Unavailable, match="does not answer"):
            await deliveries.claim("msg:1")
        await deliveries.answered("msg:1", "<xml/>", "-1.0")  # logged only: the key expires
        await deliveries.forget("msg:1", "-1.0")
    finally:
        await client.aclose()


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "postgresql-only"])
async def test_a_retry_at_the_other_instance_is_not_a_second_turn(
    redis: bool,
    settings: Settings,
    wechat_api: FakeWechatApi,
    pg_schema: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    if not redis:  # deliveries on PostgreSQL
        shared = shared.model_copy(update={"redis_url": None})
    shared = with_wechat(shared, wechat_api, product_replies="text")
    shared = shared.model_copy(update={"limits": LimitSettings(burst=20)})
    elsewhere = shared.model_copy(update={"home": tmp_path / "home-b"})  # no SQLite in common
    delivery = text_xml(OPENID, "有没有蓝牙耳机", msg_id="6912345678901234999")
    async with served(shared) as a, served(elsewhere) as b:
        first = await platform(a).send(delivery)
        retry = await platform(b).send(delivery)  # WeChat's retry, routed to the other one
        assert first.status == retry.status == 200
        assert first.body != "success" and first.text and retry.text == first.text
        assert await user_texts(a) == await user_texts(b) == ["有没有蓝牙耳机"]
        fresh = text_xml(OPENID, "有没有蓝牙耳机", msg_id="6912345678901235000")
        assert (await platform(b).send(fresh)).status == 200  # a new MsgId is a new turn
        assert await user_texts(a) == ["有没有蓝牙耳机", "有没有蓝牙耳机"]
