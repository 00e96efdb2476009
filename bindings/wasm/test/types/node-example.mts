// A typed example against the `nodejs` build's declarations: tsc --noEmit must
// accept it (and would reject a call with a wrong type or a misspelled member).
import {
  AuditLog,
  CharterError,
  Denied,
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
  version,
  type BundleReport,
  type Decision,
  type PermitClaims,
  type Reason,
} from "@charter/wasm";

const root: RootKey = RootKey.generate();
const cap = new Issuer(root).issue({ agent: "a", actions: ["read"], expiresAt: 2_000_000_000 });
const narrowed = cap.attenuate('args.path.startsWith("/public/")');
const verifier = new Verifier([root], "files.example");
const request = new Request("a", "read", { path: "/public/x" });
const decision: Decision = verifier.check(narrowed, request);
const reasons: Reason[] = decision.reasons;
const index: number | null = reasons.length > 0 ? reasons[0].caveatIndex : null;

const sk = SigningKey.generate();
const permits = new PermitIssuer(sk, "gateway", 60);
const log = AuditLog.inMemory(sk);
const guard = new Guard(verifier, permits, log);
try {
  const permit = guard.protect(narrowed, { agent: "a", action: "read", args: { path: "/public/x" } });
  const claims: PermitClaims = new PermitVerifier(KeySet.fromKeys([sk.publicKey()]), "files.example").verify(
    permit.token,
    "read",
    { path: "/public/x" },
  );
  const idem: string | null = claims.idem;
  void idem;
} catch (e) {
  if (e instanceof Denied) {
    const why: Reason[] = e.reasons;
    void why;
  } else if (e instanceof CharterError) {
    const code: string = e.code;
    void code;
  }
}
const report: BundleReport = verifyBundle(log.exportBundle(), log.keys());
const last: number = report.head.lastSeq;
void [index, last];
const pkgVersion: string = version;
void pkgVersion;
