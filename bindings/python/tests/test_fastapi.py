"""charter.fastapi against the real FastAPI (0.163.2) through its TestClient (httpx 0.28.1)."""

from __future__ import annotations

from typing import Any

import charter
import charter.fastapi
from charter.fastapi import CapabilityDependency, CharterMiddleware
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from kit import AGENT, AUDIENCE, Shop
from pydantic import BaseModel


class Refund(BaseModel):
    order: str
    amount: int


def app_for(shop: Shop, install: bool = True) -> FastAPI:
    app = FastAPI()
    if install:
        charter.fastapi.install(app)
    require = CapabilityDependency(shop.gate)

    @app.post("/refund")
    def refund(
        request: Request, body: Refund, permit: charter.Permit = Depends(require)
    ) -> dict[str, Any]:
        assert request.state.charter_permit is permit
        return {"result": shop.refund(body.order, body.amount, permit), "permit": permit.claims.jti}

    return app


def headers(cap: charter.Capability, proof: str | None = None) -> dict[str, str]:
    h = {"Charter-Capability": cap.serialize()}
    if proof is not None:
        h["Charter-Proof"] = proof
    return h


def test_allowed_gets_the_permit_denied_is_403_with_reasons_and_receipt() -> None:
    shop = Shop()
    client = TestClient(app_for(shop))
    ok = client.post("/refund", json={"order": "A-1", "amount": 100}, headers=headers(shop.cap))
    assert ok.status_code == 200
    assert ok.json()["permit"] == shop.receipts()[0].permit
    denied = client.post("/refund", json={"order": "A-2", "amount": 9000}, headers=headers(shop.cap))
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/json"
    body = denied.json()
    assert body["error"] == "denied"
    assert [r["code"] for r in body["reasons"]] == ["caveat_failed"]
    assert set(body["reasons"][0]) == {"code", "message"}
    shop.assert_receipt(body["receipt"], "deny", {"order": "A-2", "amount": 9000})
    assert shop.ran == [{"order": "A-1", "amount": 100}]


def test_a_missing_capability_is_401_and_a_bad_one_a_recorded_denial() -> None:
    shop = Shop()
    client = TestClient(app_for(shop))
    missing = client.post("/refund", json={"order": "A-3", "amount": 1})
    assert missing.status_code == 401
    assert missing.json()["error"] == "invalid_argument" and "Charter-Capability" in missing.json()["message"]
    bad = client.post("/refund", json={"order": "A-4", "amount": 1}, headers={"Charter-Capability": "x"})
    assert bad.status_code == 403 and bad.json()["reasons"]
    assert shop.ran == [] and [r.decision for r in shop.receipts()] == ["deny"]


def test_a_holder_proof_in_the_header() -> None:
    shop = Shop()
    client = TestClient(app_for(shop))
    args = {"order": "H-1", "amount": 5}
    proof = shop.holder.prove(shop.bound, charter.Request(AGENT, "refund", args), AUDIENCE)
    assert client.post("/refund", json=args, headers=headers(shop.bound, proof)).status_code == 200
    replay = client.post("/refund", json=args, headers=headers(shop.bound, proof))
    assert replay.status_code == 403
    no_proof = client.post("/refund", json=args, headers=headers(shop.bound))
    assert no_proof.json()["reasons"][0]["code"] == "proof_required"
    assert [c["order"] for c in shop.ran] == ["H-1"]
    assert [r.decision for r in shop.receipts()] == ["allow", "deny", "deny"]


def test_without_install_a_denial_is_still_403() -> None:
    shop = Shop()
    denied = TestClient(app_for(shop, install=False)).post(
        "/refund", json={"order": "A-5", "amount": 9000}, headers=headers(shop.cap)
    )
    assert denied.status_code == 403 and denied.json()["detail"]["error"] == "denied"
    assert shop.ran == []


def test_plain_asgi_middleware() -> None:
    shop = Shop()
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["state"]["charter_permit"].claims.jti)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    shop.cap = charter.Issuer(shop.root).issue(
        agent=AGENT, actions=["GET /items"], caveats=['args.kind == "book"'], never_expires=True
    )
    client = TestClient(CharterMiddleware(app, shop.gate))
    assert client.get("/items?kind=book", headers=headers(shop.cap)).status_code == 200
    denied = client.get("/items?kind=car", headers=headers(shop.cap))
    assert denied.status_code == 403 and denied.json()["error"] == "denied"
    assert client.get("/items?kind=book").status_code == 401
    assert len(seen) == 1 and seen[0] == shop.receipts()[0].permit
    assert [r.decision for r in shop.receipts()] == ["allow", "deny"]
