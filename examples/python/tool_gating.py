"""Tool gating with Charter, end to end, offline.

- The platform mints a capability for the planner agent.
- The planner narrows it for a sub-agent (refunds only, at most 100, bound to
  the sub-agent's own key) and hands it over.
- The sub-agent calls the refund tool through the gateway: the gateway's
  @charter.guard checks the capability and the holder proof, signs a
  single-use permit and records a receipt.
- The payments service verifies the permit with the gateway's public JWKS
  before it moves any money.
- An auditor verifies the exported receipts offline.

Run: python examples/python/tool_gating.py
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import charter

# --- The platform: keys, a gateway guard, a capability for the planner -----------
root = charter.RootKey.generate()
gateway_key = charter.SigningKey.generate()
audit_log = charter.AuditLog.in_memory(gateway_key)
gateway = charter.Guard(
    charter.Verifier([root], "payments.svc"),
    charter.PermitIssuer(gateway_key, "gateway.example"),
    audit_log,
)
published_jwks = charter.KeySet.from_keys([gateway_key.public_key()]).to_jwks()

planner_cap = charter.Issuer(root).issue(
    actions=["payments.refund", "orders.read"],
    audience="payments.svc",
    expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
)

# --- The payments service: trusts only permits it can verify ------------------
payments = charter.PermitVerifier(published_jwks, "payments.svc")


def execute_refund(permit_token: str, order: str, amount: int) -> str:
    claims = payments.verify(
        permit_token, "payments.refund", {"order": order, "amount": amount}
    )
    return f"refunded {amount} on {order} for {claims.sub} (permit {claims.jti[:8]}…)"


# --- The gateway's tool: runs only when the guard allows ------------------------
@charter.guard(gateway, action="payments.refund")
def refund(order: str, amount: int, permit: charter.Permit) -> str:
    return execute_refund(permit.token, order, amount)


# --- The planner narrows its capability for a sub-agent ------------------------
sub_agent = charter.Holder(charter.SigningKey.generate())
sub_cap = (
    planner_cap.attenuate('action == "payments.refund"')
    .attenuate("args.amount <= 100")
    .bind_holder(sub_agent.kid)
)
token = sub_cap.serialize()  # what travels to the sub-agent


def call_as_sub_agent(order: str, amount: int) -> str:
    request = charter.Request("refund-bot", "payments.refund", {"order": order, "amount": amount})
    proof = sub_agent.prove(token, request, "payments.svc")
    return refund(order=order, amount=amount, capability=token, agent="refund-bot", proof=proof)


print(call_as_sub_agent("A-1001", 40))

try:
    call_as_sub_agent("A-1002", 5000)
except charter.Denied as denied:
    print("denied:", [(r.code, r.caveat_index) for r in denied.reasons])

# A thief who copied the token but lacks the sub-agent's key gets nothing.
try:
    refund(order="A-1003", amount=10, capability=token, agent="refund-bot")
except charter.Denied as denied:
    print("stolen token denied:", denied.reasons[0].code)

# A permit is single-use: replaying it at the payments service fails.
permit = gateway.protect(
    token,
    charter.Request("refund-bot", "payments.refund", {"order": "A-1004", "amount": 7}),
    sub_agent.prove(
        token,
        charter.Request("refund-bot", "payments.refund", {"order": "A-1004", "amount": 7}),
        "payments.svc",
    ),
)
print(execute_refund(permit.token, "A-1004", 7))
try:
    execute_refund(permit.token, "A-1004", 7)
except charter.AuthorizationError as e:
    print("replayed permit refused:", e.code)

# --- The auditor: every decision, verified offline ------------------------------
report = charter.verify_bundle(audit_log.export_bundle(), published_jwks)
print(f"audit bundle verified: {report.count} receipts, seq {report.first_seq}..{report.last_seq}")
