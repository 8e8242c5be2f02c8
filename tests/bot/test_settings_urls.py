"""`database_url` and `redis_url` from the environment: blank means unset, a value must name
its scheme, and a rejected value is never repeated in the error."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.postgres import where
from bot.settings import Settings


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_url_means_no_shared_store(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", blank)
    monkeypatch.setenv("SHOPBOT_REDIS_URL", blank)
    settings = Settings()
    assert settings.database_url is None and settings.redis_url is None


def test_urls_with_their_schemes_are_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", " postgresql://shop:pw@db:5432/shop ")
    monkeypatch.setenv("SHOPBOT_REDIS_URL", "rediss://:pw@cache:6380/0")
    settings = Settings()
    assert settings.database_url is not None and settings.redis_url is not None
    assert settings.database_url.get_secret_value() == "postgresql://shop:pw@db:5432/shop"
    assert settings.redis_url.get_secret_value() == "rediss://:pw@cache:6380/0"
    assert "pw" not in repr(settings)


def test_a_password_that_moves_the_host_stops_the_start_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # unescaped, "/" ends the host part and "@" starts it again: the drivers would read part
    # of the password as a port or a host and say so in every error
    for url in ("postgresql://shop:hun/ter2@db:5432/shop", "postgresql://shop:hun@ter2@db/shop"):
        monkeypatch.setenv("SHOPBOT_DATABASE_URL", url)
        with pytest.raises(ValidationError) as raised:
            Settings()
        assert "percent-encode" in str(raised.value) and "ter2" not in str(raised.value)
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", "postgresql://shop:hun%2Fter%40@db:5432/shop")
    assert Settings().database_url is not None


def test_where_names_host_and_port_only() -> None:
    assert where("postgresql://shop:hunter2@db.internal:6543/shop") == "db.internal:6543"
    assert where("postgresql://shop:p%40ss@db/shop") == "db:5432"
    assert "hun" not in where("postgresql://shop:hun/ter2@db:5432/shop")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SHOPBOT_DATABASE_URL", "mysql://shop:hunter2@db/shop"),
        ("SHOPBOT_DATABASE_URL", "shop:hunter2@db/shop"),
        ("SHOPBOT_REDIS_URL", "http://:hunter2@cache:6379"),
    ],
)
def test_a_url_of_another_kind_stops_the_start_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert "must start with" in str(raised.value)
    assert "hunter2" not in str(raised.value)
