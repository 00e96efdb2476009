// Runs in headless Chromium, loading the `web` build as an ES module from
// the test server. Results go to `window.__charter` for the test to read.
import init, {
  AuditLog,
  Capability,
  CharterError,
  Denied,
  EnvironmentError,
  FormatError,
  Guard,
  Issuer,
  KeySet,
  PermitIssuer,
  PermitVerifier,
  Request,
  RootKey,
  SigningKey,
  Verifier,
  verifyBundle,
} from "/pkg/index.js";

const T0 = 1767225600;
const bytes = (n, fill) => new Uint8Array(n).fill(fill);
const errorOf = (f) => {
  try {
    f();
    return null;
  } catch (e) {
    return {
      name: e.name,
      code: e.code,
      message: e.message,
      isCharterError: e instanceof CharterError,
      isError: e instanceof Error,
    };
  }
};

async function main() {
  await init();
  const out = {};

  // Mint, narrow and check a capability (fixed inputs: the Node test compares
  // the token with its own).
  const root = RootKey.fromBytes(bytes(32, 7));
  const cap = new Issuer(root).issue({
    agent: "shopper-7",
    actions: ["payments.refund", "orders.read"],
    expiresAt: T0 + 3600,
    issuedAt: T0,
    tokenId: bytes(16, 1),
  });
  const narrowed = cap.attenuate("args.amount <= 5000");
  const verifier = new Verifier([root], "tools.shop.example");
  const small = new Request("shopper-7", "payments.refund", { amount: 4200, currency: "USD" });
  const big = new Request("shopper-7", "payments.refund", '{"amount":9000,"currency":"USD"}');
  out.token = cap.serialize();
  out.narrowedToken = narrowed.serialize();
  out.narrowedCaveats = narrowed.caveats;
  out.allowSmall = verifier.check(narrowed, small, null, T0 + 60);
  out.denyBig = verifier.check(narrowed.serialize(), big, null, T0 + 60);
  out.expired = verifier.check(narrowed, small, null, T0 + 7200);
  out.wideAllowsBig = verifier.check(cap, big, null, T0 + 60).allowed;
  // The platform clock (Date.now()) is the default `now`: T0+1h is long past.
  out.defaultNowExpired = verifier.check(narrowed, small).reasons.map((r) => r.code);

  // Randomness from crypto.getRandomValues.
  const a = SigningKey.generate();
  const b = SigningKey.generate();
  out.randomKeysDiffer = a.kid !== b.kid && RootKey.generate().kid !== RootKey.generate().kid;
  out.randomTokenIds = new Issuer(root).issue({ neverExpires: true }).tokenId !== new Issuer(root).issue({ neverExpires: true }).tokenId;

  // Errors are real Error objects with a class and a code.
  out.parseError = errorOf(() => Capability.parse("not a token!"));
  out.parseErrorIsFormatError = (() => {
    try {
      Capability.parse("!");
    } catch (e) {
      return e instanceof FormatError;
    }
    return false;
  })();
  out.fileLog = errorOf(() => AuditLog.open("/tmp/audit.jsonl", a));
  out.fileLogIsEnvironmentError = (() => {
    try {
      AuditLog.open("audit.jsonl", a);
    } catch (e) {
      return e instanceof EnvironmentError;
    }
    return false;
  })();

  // A permit: issue, verify once, refuse the replay.
  const sk = SigningKey.fromBytes(bytes(32, 9));
  const permits = new PermitIssuer(sk, "gateway.shop.example");
  const permit = permits.issue("shopper-7", "payments.example", "payments.refund", { amount: 4200 }, narrowed.id, T0 + 60, "jti-browser-1");
  const pv = new PermitVerifier(KeySet.fromKeys([sk.publicKey()]), "payments.example");
  out.permitToken = permit.token;
  out.permitClaims = pv.verify(permit.token, "payments.refund", { amount: 4200 }, T0 + 61);
  out.permitReplay = errorOf(() => pv.verify(permit.token, "payments.refund", { amount: 4200 }, T0 + 62));
  out.permitWrongArgs = errorOf(() =>
    new PermitVerifier(KeySet.fromKeys([sk.publicKey()]), "payments.example").verify(permit.token, "payments.refund", { amount: 4201 }, T0 + 61),
  );

  // A guard with an in-memory audit log, then its bundle verified offline.
  const log = AuditLog.inMemory(sk);
  const guard = new Guard(verifier, permits, log);
  const allowed = guard.protect(narrowed, small, null, null, T0 + 60);
  out.guardPermitAction = allowed.claims.act;
  let denied = null;
  try {
    guard.protect(narrowed, big, null, null, T0 + 61);
  } catch (e) {
    denied = { isDenied: e instanceof Denied, code: e.code, reasons: e.reasons };
  }
  out.guardDenied = denied;
  out.logLen = log.len();
  const bundle = log.exportBundle();
  out.bundleReport = verifyBundle(bundle, log.keys());
  const tampered = bundle.replace('"agent":"shopper-7"', '"agent":"shopper-8"');
  out.tamperedBundle = errorOf(() => verifyBundle(tampered, log.keys()));

  window.__charter = out;
}

main().catch((e) => {
  window.__charter = { failed: `${e && e.name}: ${e && e.message}\n${e && e.stack}` };
});
