"""Charter for FastAPI and plain ASGI (``pip install charter[fastapi]``).

The capability and holder proof travel in the request headers
``Charter-Capability`` and ``Charter-Proof`` (contract/wire.md). A denial is
403 with ``{"error": "denied", "reasons": [...], "receipt": ...}``; a missing
capability is 401 with ``{"error": "invalid_argument", "message": ...}``.

FastAPI: a dependency that decides the route's call and hands the handler
its permit::

    app = FastAPI()
    charter.fastapi.install(app)          # the 401/403 JSON bodies above
    require = charter.fastapi.CapabilityDependency(gate)

    @app.post("/refund")
    async def refund(body: Refund, permit: charter.Permit = Depends(require)):
        ...

Plain ASGI: :class:`CharterMiddleware` decides every HTTP request before
the app sees it, and puts the permit in ``scope["state"]["charter_permit"]``
(and :func:`charter.tools.current_permit`).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, Awaitable, Callable, Mapping, MutableMapping

try:
    import fastapi
    from fastapi.responses import JSONResponse
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "charter.fastapi needs FastAPI: pip install 'charter[fastapi]'; "
        f"importing it failed: {e}"
    ) from e

from charter._charter import Permit
from charter.tools import Outcome, ToolGate, permit_context, usage_error

CAPABILITY_HEADER = "Charter-Capability"
"""Header carrying the capability token text."""
PROOF_HEADER = "Charter-Proof"
"""Header carrying the holder proof text (for a holder-bound capability)."""
AGENT_HEADER = "Charter-Agent"
"""Header carrying the agent name (a claim; used only when the gate trusts it)."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def denied_body(outcome: Outcome) -> dict[str, Any]:
    """The 403 body of a denial (contract/wire.md)."""
    return {"error": "denied", **outcome.denial_json()}


def missing_body() -> dict[str, Any]:
    """The 401 body of a request without a capability."""
    return {
        "error": "invalid_argument",
        "message": f"no capability: send it in the {CAPABILITY_HEADER} header "
        "(and a holder proof in Charter-Proof when it is holder-bound)",
    }


class CharterHTTPError(fastapi.HTTPException):
    """A 401 or 403 whose JSON body is the wire form; :func:`install` renders it exactly.

    Without :func:`install`, FastAPI still answers with the same status and
    the body under ``detail``.
    """

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__(status_code=status_code, detail=body)
        self.body = body
        """The wire body."""


async def _render(request: fastapi.Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CharterHTTPError)
    return JSONResponse(exc.body, status_code=exc.status_code)


def install(app: fastapi.FastAPI) -> None:
    """Registers the handler that renders :class:`CharterHTTPError` as its wire body."""
    app.add_exception_handler(CharterHTTPError, _render)


async def default_args(request: fastapi.Request) -> dict[str, Any]:
    """The request's args: its JSON object body when it has one, else path and query parameters."""
    body = await request.body()
    if body:
        try:
            value = json.loads(body)
        except ValueError as e:
            raise CharterHTTPError(
                400, {"error": "malformed", "message": f"the request body is not JSON: {e}"}
            ) from e
        if isinstance(value, dict):
            return value
        raise CharterHTTPError(
            400, {"error": "malformed", "message": "the request body must be a JSON object"}
        )
    return {**dict(request.query_params), **request.path_params}


def _route_name(request: fastapi.Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    if not isinstance(name, str) or not name:
        raise usage_error("CapabilityDependency needs action= for a request with no named route")
    return name


class CapabilityDependency:
    """A FastAPI dependency: decides the call, returns its :class:`Permit`, or raises 401/403.

    ``action`` is the action decided (default: the route's name, i.e. the
    handler function's name); ``args`` maps the request to the args
    (default: :func:`default_args`).
    """

    def __init__(
        self,
        gate: ToolGate,
        *,
        action: str | None = None,
        args: Callable[[fastapi.Request], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        if not isinstance(gate, ToolGate):
            raise usage_error("CapabilityDependency(gate) needs a charter.tools.ToolGate")
        self.gate = gate
        """The gate deciding each request."""
        self.action = action
        """The action decided, or None for the route's name."""
        self.args = args or default_args
        """Maps a request to the args decided."""

    async def __call__(self, request: fastapi.Request) -> Permit:
        """Decides ``request``; the handler receives the permit."""
        capability = request.headers.get(CAPABILITY_HEADER)
        if not capability:
            raise CharterHTTPError(401, missing_body())
        action = self.action or _route_name(request)
        args = await self.args(request)
        outcome = await self.gate.decide_async(
            capability,
            action,
            args,
            request.headers.get(PROOF_HEADER),
            request.headers.get(AGENT_HEADER),
        )
        if outcome.permit is None:
            raise CharterHTTPError(403, denied_body(outcome))
        request.state.charter_permit = outcome.permit
        return outcome.permit


def _query_args(scope: Scope) -> dict[str, Any]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))


def _default_action(scope: Scope) -> str:
    return f"{scope.get('method', 'GET')} {scope.get('path', '/')}"


class CharterMiddleware:
    """Plain ASGI middleware deciding every HTTP request before the app runs.

    ``action(scope)`` names the action (default ``"METHOD /path"``);
    ``args(scope)`` gives the args (default: the query parameters; the body
    is not read, so that the app still can). Other scope types (lifespan,
    websocket) pass through unchanged.
    """

    def __init__(
        self,
        app: ASGIApp,
        gate: ToolGate,
        *,
        action: Callable[[Scope], str] | None = None,
        args: Callable[[Scope], Mapping[str, Any]] | None = None,
    ) -> None:
        if not isinstance(gate, ToolGate):
            raise usage_error("CharterMiddleware(app, gate) needs a charter.tools.ToolGate")
        self.app = app
        """The wrapped ASGI app."""
        self.gate = gate
        """The gate deciding each request."""
        self._action = action or _default_action
        self._args = args or _query_args

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Decides an HTTP request, then runs the app with the permit, or answers 401/403."""
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        capability = headers.get(CAPABILITY_HEADER.lower())
        if not capability:
            await _send_json(send, 401, missing_body())
            return
        outcome = await self.gate.decide_async(
            capability,
            self._action(scope),
            dict(self._args(scope)),
            headers.get(PROOF_HEADER.lower()),
            headers.get(AGENT_HEADER.lower()),
        )
        if outcome.permit is None:
            await _send_json(send, 403, denied_body(outcome))
            return
        scope.setdefault("state", {})["charter_permit"] = outcome.permit
        with permit_context(outcome.permit):
            await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


__all__ = [
    "AGENT_HEADER",
    "CAPABILITY_HEADER",
    "PROOF_HEADER",
    "CapabilityDependency",
    "CharterHTTPError",
    "CharterMiddleware",
    "default_args",
    "denied_body",
    "install",
    "missing_body",
]
