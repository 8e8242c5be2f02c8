"""The service's log lines: one JSON object a line (or plain text on a terminal), each with
the id of the request it was written for, and no shopper's email, phone or card number.

`REQUEST_ID` holds the id while a request is handled (`bot.app.request_ids` sets it), so
every line written during the request, the turn and the tasks it starts included, carries it.
The handler `configure` installs masks each record's final message (and its traceback) with
`bot.handoff.mask` before any formatter sees it, whatever the logger: ours, aiohttp's, a
library's. `run_in_executor` does not copy the context, so work sent to a store's own thread
goes through `in_context` (`asyncio.to_thread` copies it by itself). A model batch serves
several requests at once and so carries none.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import json
import logging
import re
import secrets
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import IO, Any, Literal, TypeVar

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from bot.handoff import mask

LogFormat = Literal["auto", "json", "text"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-Id"
# a caller's id is kept when it is a plain token; anything else is replaced, never echoed
_SANE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
T = TypeVar("T")


def in_context(work: Callable[..., T], *args: Any) -> Callable[[], T]:
    """`work(*args)` to run on another thread in a copy of this context, so the lines it logs
    carry the request id of the turn that sent it."""
    return functools.partial(contextvars.copy_context().run, work, *args)


def request_id_from(given: str | None) -> str:
    """`given` if it is at most 64 letters, digits, `-` and `_`; else a new random id."""
    if given is not None and _SANE_ID.fullmatch(given):
        return given
    return secrets.token_hex(8)


class PersonalDataMask(logging.Filter):
    """Replaces each record's message (arguments merged in) and traceback by their masked
    text, and stamps the record with the current request id (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonLines(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id"[, "exception"]}`, one a line."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id == "-" else request_id,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def log_handler(log_format: LogFormat, stream: IO[str]) -> logging.Handler:
    """Masked lines on `stream`: JSON, or text; `auto` is text on a terminal and JSON
    otherwise (a container, a service manager, a file)."""
    if log_format == "auto":
        log_format = "text" if stream.isatty() else "json"
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataMask())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure(level: str, log_format: LogFormat, stream: IO[str] | None = None) -> None:
    """Every logger through one `log_handler` on `stream` (stderr). As `logging.basicConfig`,
    nothing changes when the root logger has handlers already (a test runner's, a host
    application's)."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(log_handler(log_format, stream if stream is not None else sys.stderr))
    root.setLevel(level.upper())


def logged_path(request: BaseRequest) -> str:
    """The pattern of the route that matched (`/api/conversations/{session_id}/messages`),
    never its values: ids in a path are a shopper's (a WeChat OpenID, a session) and no mask
    knows their shape. A path no route takes (a 404, a 405 for another method, a trailing
    slash) keeps only its first segment: "/api/…"."""
    match_info = getattr(request, "match_info", None)
    resource = match_info.route.resource if match_info is not None else None
    if resource is not None:
        return str(resource.canonical)
    first, _, rest = request.path.lstrip("/").partition("/")
    return f"/{first[:40]}/…" if rest else f"/{first[:40]}"


class AccessLog(AbstractAccessLogger):
    """aiohttp's access line, written after the request's context is gone: the id is taken
    from the response header the app set, so the line still carries it."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote,
            request.method,
            logged_path(request),
            response.status,
            response.body_length,
            time,
            extra={"request_id": response.headers.get(REQUEST_ID_HEADER)},
        )
