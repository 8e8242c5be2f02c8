"""Keyed token buckets: a burst, then a steady rate; memory bounded by the key count."""

from __future__ import annotations

from bot.rate_limits import RateLimiter, retry_after
from connectors.access import address_key


def test_a_burst_then_one_per_interval() -> None:
    limiter = RateLimiter(burst=3, refill_s=2.0)
    assert [limiter.take("a", now=0.0) for _ in range(3)] == [None, None, None]
    wait = limiter.take("a", now=0.0)
    assert wait is not None and 0 < wait <= 2.0 and retry_after(wait) == "2"
    assert limiter.take("b", now=0.0) is None  # others are not held up
    assert limiter.take("a", now=2.1) is None


def test_forgets_the_least_recently_used_past_max_keys() -> None:
    limiter = RateLimiter(burst=1, refill_s=60, max_keys=100)
    for index in range(1000):
        limiter.take(f"k{index}", now=0.0)
    assert len(limiter._buckets) == 100
    assert limiter.take("k999", now=0.0) is not None  # the recent ones are still limited


def test_clients_behind_a_trusted_proxy_and_ipv6_blocks() -> None:
    forwarded = "203.0.113.9, 198.51.100.7"
    assert address_key("127.0.0.1", forwarded, trusted_proxies=[]) == "127.0.0.1"
    assert address_key("127.0.0.1", forwarded, ["127.0.0.1"]) == "198.51.100.7"
    assert address_key("127.0.0.1", "", ["127.0.0.1"]) == "127.0.0.1"
    first = address_key("2001:db8:1:2::1", "", [])
    assert first == address_key("2001:db8:1:2:ffff::9", "", []) == "2001:db8:1:2::/64"
    assert address_key("::ffff:192.0.2.1", "", []) == "192.0.2.1"
