"""The Starlette application: routes for the Auth Service, the Account API's organisation
users and the Gateway (twice: under `/v1/gateway` and the legacy `/v1/conductor`), with the
edge layer outermost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from truemarkets_gateway.sandbox.auth import Principal
from truemarkets_gateway.sandbox.config import SandboxConfig
from truemarkets_gateway.sandbox.edge import REQUEST_ID_KEY, EdgeLayer
from truemarkets_gateway.sandbox.organizations import ON_BEHALF_OF
from truemarkets_gateway.sandbox.problems import Problem, envelope
from truemarkets_gateway.sandbox.state import SandboxState

__all__ = ["SandboxApp", "create_app"]

Handler = Callable[[Request], Awaitable[Response]]


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _request_id(request: Request) -> str:
    return str(request.scope.get(REQUEST_ID_KEY, "req_local"))


async def _body(request: Request) -> object:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise Problem(400, "request body must be valid JSON") from None


def _principal(request: Request) -> Principal:
    """Who the request acts for: the token's account, or its `TM-On-Behalf-Of` user."""
    state = _state(request)
    principal = state.authenticate(request.headers.get("authorization"))
    acting = state.acting(principal, request.headers.get(ON_BEHALF_OF))
    state.advance()
    return acting


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _query(request: Request) -> dict[str, str]:
    return dict(request.query_params)


# --- auth ----------------------------------------------------------------------------------


async def mint_token(request: Request) -> Response:
    pair = _state(request).auth.mint(await _body(request))
    return _json(pair.to_json())


async def refresh_token(request: Request) -> Response:
    pair = _state(request).auth.refresh(await _body(request))
    return _json(pair.to_json())


async def jwks(request: Request) -> Response:
    return _json(_state(request).auth.jwks())


# --- gateway -------------------------------------------------------------------------------


async def compute_quote(request: Request) -> Response:
    return _json(_state(request).quote(await _body(request)))


async def create_order(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).create_order(principal.uid, await _body(request)), 201)


async def list_orders(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).list_orders(principal.uid, _query(request)))


async def get_order(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).order_json(principal.uid, request.path_params["id"]))


async def modify_order(request: Request) -> Response:
    principal = _principal(request)
    _state(request).modify_order(principal.uid, request.path_params["id"], await _body(request))
    return _json({}, 202)


async def delete_order(request: Request) -> Response:
    principal = _principal(request)
    _state(request).cancel_order(principal.uid, request.path_params["id"], legacy=True)
    return _json({}, 202)


async def order_status(request: Request) -> Response:
    principal = _principal(request)
    order = _state(request).order_json(principal.uid, request.path_params["id"])
    return _json({"status": order["status"]})


async def execute_order(request: Request) -> Response:
    principal = _principal(request)
    body = await _body(request)
    return _json(_state(request).execute_order(principal.uid, request.path_params["id"], body))


async def cancel_order(request: Request) -> Response:
    principal = _principal(request)
    payloads = _state(request).cancel_order(principal.uid, request.path_params["id"])
    return _json({}, 202) if payloads is None else _json(payloads)


async def execute_cancel(request: Request) -> Response:
    principal = _principal(request)
    body = await _body(request)
    return _json(_state(request).execute_cancel(principal.uid, request.path_params["id"], body))


async def create_transfer(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).create_transfer(principal.uid, await _body(request)), 201)


async def list_transfers(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).list_transfers(principal.uid, _query(request)))


async def get_transfer(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).transfer_json(principal.uid, request.path_params["id"]))


async def execute_transfer(request: Request) -> Response:
    principal = _principal(request)
    body = await _body(request)
    return _json(_state(request).execute_transfer(principal.uid, request.path_params["id"], body))


async def portfolio(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).portfolio(principal.uid))


async def transactions(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).transactions(principal.uid, _query(request)))


async def create_user(request: Request) -> Response:
    state = _state(request)
    principal = state.authenticate(request.headers.get("authorization"))
    org_id = request.path_params["organization_id"]
    status, user = state.create_user(principal, org_id, await _body(request))
    return _json(user, status)


async def list_assets(request: Request) -> Response:
    return _json(_state(request).list_assets(_query(request)))


async def balances(request: Request) -> Response:
    principal = _principal(request)
    return _json(_state(request).balances(principal.uid))


def gateway_routes() -> list[Route]:
    return [
        Route("/quotes", compute_quote, methods=["POST"]),
        Route("/orders", create_order, methods=["POST"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{id}", get_order, methods=["GET"]),
        Route("/orders/{id}", modify_order, methods=["PATCH"]),
        Route("/orders/{id}", delete_order, methods=["DELETE"]),
        Route("/orders/{id}/status", order_status, methods=["GET"]),
        Route("/orders/{id}/execute", execute_order, methods=["POST"]),
        Route("/orders/{id}/cancel", cancel_order, methods=["POST"]),
        Route("/orders/{id}/cancel/execute", execute_cancel, methods=["POST"]),
        Route("/transfers", create_transfer, methods=["POST"]),
        Route("/transfers", list_transfers, methods=["GET"]),
        Route("/transfers/{id}", get_transfer, methods=["GET"]),
        Route("/transfers/{id}/execute", execute_transfer, methods=["POST"]),
        Route("/assets", list_assets, methods=["GET"]),
        Route("/balances", balances, methods=["GET"]),
        Route("/balances/unified", balances, methods=["GET"]),
        Route("/portfolio", portfolio, methods=["GET"]),
        Route("/transactions", transactions, methods=["GET"]),
    ]


def account_routes() -> list[Route]:
    return [Route("/organizations/{organization_id}/users", create_user, methods=["POST"])]


def auth_routes() -> list[Route]:
    return [
        Route("/api-key/token", mint_token, methods=["POST"]),
        Route("/token/refresh", refresh_token, methods=["POST"]),
    ]


# --- errors --------------------------------------------------------------------------------


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return JSONResponse(exc.body(_request_id(request)), status_code=exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    err_type = "not_found" if exc.status_code == 404 else "invalid_argument"
    body = envelope(err_type, str(exc.detail), _request_id(request))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up (a timeout, Ctrl-C): one log line, no traceback; nobody reads the answer.
    logging.getLogger("uvicorn.error").info(
        "client disconnected before its answer: %s %s", request.method, request.url.path
    )
    return Response(status_code=499)


async def _crash(request: Request, exc: Exception) -> Response:
    return _json(envelope("internal", "internal server error", _request_id(request)), 500)


class SandboxApp(Starlette):
    """Starlette with the sandbox's edge layer in front of everything else.

    The edge layer has to sit outside Starlette's own middleware: it needs the server's
    raw `send` to drop connections.
    """

    def __init__(self, sandbox: SandboxState) -> None:
        gateway = gateway_routes()
        super().__init__(
            routes=[
                Mount("/v1/auth", routes=auth_routes()),
                Mount("/v1/account", routes=account_routes()),
                Mount("/v1/gateway", routes=gateway),
                Mount("/v1/conductor", routes=gateway),
                Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            ],
            exception_handlers={
                Problem: _problem,
                HTTPException: _http_error,
                ClientDisconnect: _client_gone,
                Exception: _crash,
            },
        )
        self.state.sandbox = sandbox
        self.sandbox = sandbox
        self._edge = EdgeLayer(sandbox, super().__call__)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._edge(scope, receive, send)


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """A fresh sandbox application with its own in-memory state (`app.state.sandbox`)."""
    return SandboxApp(SandboxState(config))
