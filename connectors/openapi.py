"""`GET /openapi.json`: an OpenAPI 3.1 document of the public HTTP API (issue 17).

Written by hand, next to the routes it describes; `tests/connectors/test_openapi.py` checks it
is structurally valid and that every path it names is one the app routes.
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from bot.settings import Settings

PATH = "/openapi.json"


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {"$ref": "#/components/schemas/Error"}
_PRODUCT_ID = {
    "name": "product_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
}
_WECHAT_QUERY = [
    {"name": name, "in": "query", "required": True, "schema": {"type": "string"}}
    for name in ("signature", "timestamp", "nonce")
]
_BAD_REQUEST = _json(_ERROR, "the body or a parameter is not valid")
_UNAUTHORIZED = _json(_ERROR, "the Bearer token is missing or wrong")
_FORBIDDEN = _json(_ERROR, "the token is wrong, or the route is closed (no token configured)")
_NOT_FOUND = _json(_ERROR, "no such product")
_TOO_MANY = _json(_ERROR, "rate limited; see Retry-After")

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Shopbot HTTP API",
        "version": "0.1.0",
        "description": "The storefront assistant's public routes: the Rasa-compatible REST "
        "webhook, the product description API, review imports, satisfaction votes, WeChat, "
        "health and metrics.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {"error": {"type": "string"}},
                "required": ["error"],
            },
            "RestMessage": {
                "type": "object",
                "properties": {
                    "sender": {"type": "string", "minLength": 1},
                    "message": {"type": "string", "minLength": 1},
                    "metadata": {"type": ["object", "null"]},
                },
                "required": ["sender", "message"],
            },
            "BotMessage": {
                "type": "object",
                "properties": {
                    "recipient_id": {"type": "string"},
                    "text": {"type": "string"},
                    "buttons": {"type": "array", "items": {"type": "object"}},
                    "image": {"type": "string"},
                    "custom": {"type": "object"},
                },
                "required": ["recipient_id"],
            },
            "CopyToCheck": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "market": {"type": ["string", "null"]},
                    "rules_only": {"type": "boolean"},
                },
                "required": ["text"],
                "additionalProperties": False,
            },
            "Review": {
                "type": "object",
                "properties": {
                    "product_id": {"type": "string"},
                    "text": {"type": "string"},
                    "rating": {"type": "number"},
                },
                "required": ["product_id", "text"],
            },
            "Satisfaction": {
                "type": "object",
                "properties": {
                    "vote": {"enum": ["up", "down"]},
                    "asked_after": {"enum": ["handoff", "quiet"]},
                    "comment": {"type": ["string", "null"]},
                },
                "required": ["vote", "asked_after"],
            },
        },
    },
    "paths": {
        "/health": {
            "get": {
                "summary": "Liveness and the shared stores' reachability",
                "responses": {
                    "200": _json({"type": "object"}, "ok"),
                    "503": _json({"type": "object"}, "degraded: names what does not answer"),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {
                    "200": {
                        "description": "the text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/webhooks/rest/": {
            "get": {
                "summary": "The REST channel is up",
                "responses": {"200": _json({"type": "object"}, "ok")},
            }
        },
        "/webhooks/rest/webhook": {
            "post": {
                "summary": "One shopper message in, the bot's replies out (Rasa's REST channel)",
                "security": [{}, {"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/RestMessage"}}
                    },
                },
                "responses": {
                    "200": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/BotMessage"}},
                        "the bot's replies, in order",
                    ),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "413": _json(_ERROR, "the body is too large"),
                    "429": _TOO_MANY,
                },
            }
        },
        "/api/products/{product_id}/description": {
            "parameters": [_PRODUCT_ID],
            "get": {
                "summary": "The stored description, its check result and how it was written",
                "responses": {
                    "200": _json({"type": "object"}, "the stored description"),
                    "400": _BAD_REQUEST,
                    "404": _json(_ERROR, "no such product, or no description yet"),
                },
            },
            "post": {
                "summary": "Write the description again (store operator)",
                "security": [{"bearer": []}],
                "responses": {
                    "200": _json({"type": "object"}, "the new description, checked and stored"),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "403": _FORBIDDEN,
                    "404": _NOT_FOUND,
                    "503": _json(_ERROR, "the writer is busy or not available"),
                },
            },
        },
        "/api/products/{product_id}/check": {
            "parameters": [_PRODUCT_ID],
            "post": {
                "summary": "Check copy a person wrote against the product's record (operator)",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/CopyToCheck"}}
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}, "each sentence with its claims"),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "403": _FORBIDDEN,
                    "404": _NOT_FOUND,
                },
            },
        },
        "/api/writer": {
            "get": {
                "summary": "The description writer's status",
                "responses": {"200": _json({"type": "object"}, "the writer's status")},
            }
        },
        "/api/reviews": {
            "post": {
                "summary": "Import reviews (all or none) for opinion monitoring (operator)",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Review"},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}, "how many were imported"),
                    "400": _json(_ERROR, "some rows are not valid; none were imported"),
                    "401": _UNAUTHORIZED,
                    "403": _FORBIDDEN,
                },
            }
        },
        "/api/conversations/{session_id}/satisfaction": {
            "parameters": [
                {
                    "name": "session_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "post": {
                "summary": "A shopper's thumbs up or down on a conversation",
                "description": "Authorised by the conversation's own session token.",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Satisfaction"}
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}, "recorded"),
                    "400": _BAD_REQUEST,
                    "403": _json(_ERROR, "this conversation's token is missing or wrong"),
                },
            },
        },
        "/webhooks/wechat": {
            "get": {
                "summary": "WeChat's URL check: echoes `echostr` when the signature is right",
                "parameters": [
                    *_WECHAT_QUERY,
                    {
                        "name": "echostr",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "echostr",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "403": {"description": "the signature is wrong"},
                },
            },
            "post": {
                "summary": "A WeChat message (XML, plaintext or safe mode); the reply is XML",
                "parameters": [
                    *_WECHAT_QUERY,
                    {"name": "openid", "in": "query", "schema": {"type": "string"}},
                    {"name": "encrypt_type", "in": "query", "schema": {"type": "string"}},
                    {"name": "msg_signature", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"text/xml": {"schema": {"type": "string"}}},
                },
                "responses": {
                    "200": {
                        "description": "the reply as XML, or `success` for none",
                        "content": {
                            "application/xml": {"schema": {"type": "string"}},
                            "text/plain": {"schema": {"type": "string"}},
                        },
                    },
                    "400": {"description": "the body is not a WeChat message"},
                    "403": {"description": "the signature is wrong"},
                },
            },
        },
        PATH: {
            "get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
            }
        },
    },
}


def document() -> dict[str, Any]:
    """A copy of the document, for callers that change it."""
    return copy.deepcopy(DOCUMENT)


class OpenApiDocument:
    name = "openapi"

    def register(self, app: web.Application, settings: Settings) -> None:
        app.router.add_get(PATH, self.serve)

    async def serve(self, request: web.Request) -> web.Response:
        return web.json_response(DOCUMENT)
