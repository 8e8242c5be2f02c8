"""Agent accounts and login sessions in real SQLite."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from bot.agent_accounts import AccountError, AgentAccounts

# the cheapest argon2id parameters: these tests are about the store, not the hash's cost
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def accounts(tmp_path: Path) -> AgentAccounts:
    accounts = AgentAccounts(tmp_path / "agents.db", CHEAP)
    accounts.add("Dana", "correct horse battery")
    return accounts


def test_only_the_hash_is_stored_and_only_the_right_password_verifies(
    accounts: AgentAccounts, tmp_path: Path
) -> None:
    assert accounts.verify("Dana", "correct horse battery")
    assert not accounts.verify("Dana", "correct horse batterY")
    assert not accounts.verify("Nobody", "correct horse battery")
    assert not accounts.verify("Dana", "x" * 5000)
    stored = sqlite3.connect(tmp_path / "agents.db").execute("SELECT * FROM agents").fetchone()
    assert stored[1].startswith("$argon2id$") and "correct horse" not in str(stored)


def test_names_and_passwords_are_checked(accounts: AgentAccounts) -> None:
    for name in ("", "<b>Dana</b>", "x" * 41, "Dana\nEli", "_x"):
        with pytest.raises(AccountError):
            accounts.add(name, "long enough password")
    with pytest.raises(AccountError):
        accounts.add("Eli", "short")
    with pytest.raises(AccountError):
        accounts.add("Dana", "another long password")  # taken
    accounts.add("Zoë O'Neil-Li", "long enough password")
    assert [name for name, _ in accounts.names()] == ["Dana", "Zoë O'Neil-Li"]


def test_sessions_expire_and_end(accounts: AgentAccounts, tmp_path: Path) -> None:
    session = accounts.open_session("Dana", ttl_s=60)
    found = accounts.session(session.session_id)
    assert found is not None and found.agent == "Dana"
    assert found.csrf_token == session.csrf_token and found.session_id == ""
    stored = sqlite3.connect(tmp_path / "agents.db").execute("SELECT id_hash FROM agent_sessions")
    assert session.session_id not in str(stored.fetchall())  # only its digest is kept
    first = "y" if session.session_id.startswith("x") else "x"  # another id, always
    assert accounts.session(first + session.session_id[1:]) is None
    accounts.close_session(session.session_id)
    assert accounts.session(session.session_id) is None
    short = accounts.open_session("Dana", ttl_s=0.05)
    time.sleep(0.1)
    assert accounts.session(short.session_id) is None


def test_a_new_password_or_removal_ends_the_sessions(accounts: AgentAccounts) -> None:
    session = accounts.open_session("Dana", ttl_s=60)
    accounts.add("Dana", "a brand new password", replace=True)
    assert accounts.session(session.session_id) is None
    assert accounts.verify("Dana", "a brand new password")
    session = accounts.open_session("Dana", ttl_s=60)
    assert accounts.remove("Dana") and not accounts.remove("Dana")
    assert accounts.session(session.session_id) is None
    assert not accounts.verify("Dana", "a brand new password")


def test_old_hashes_are_upgraded_on_login(tmp_path: Path) -> None:
    path = tmp_path / "agents.db"
    AgentAccounts(path, CHEAP).add("Dana", "correct horse battery")
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    accounts = AgentAccounts(path, stronger)
    assert accounts.verify("Dana", "correct horse battery")
    stored = sqlite3.connect(path).execute("SELECT password_hash FROM agents").fetchone()[0]
    assert not stronger.check_needs_rehash(stored)
