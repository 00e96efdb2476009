// A typed use of the package: tsc --noEmit checks it against charter.d.ts
// (scripts/test-node.sh). It is compiled, not run.
import {
  RootKey, SigningKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  canonicalizeJson, hashJson, version, PermitVerifier, AuditLog, Receipt, Store, openStoreAsync,
  CharterError, Denied, FormatError,
  type Decision, type Reason, type IssueOptions, type ErrorCode,
} from '../../charter'

const root: RootKey = RootKey.generate()
const options: IssueOptions = { agent: 'shopper-7', actions: ['payments.refund'], expiresAt: 1767229200 }
const cap: Capability = new Issuer(root).issue(options).attenuate('args.amount <= 5000')
const agentKey = SigningKey.generate()
const bound: Capability = cap.bindHolder(agentKey.kid)
const request = new Request('shopper-7', 'payments.refund', { amount: 4200, currency: 'USD' })
const exact = new Request('shopper-7', 'payments.refund', '{"amount":4200}', 'orders/A-1')
const proof: string = new Holder(agentKey).prove(bound, request, 'tools.shop.example', 1767226200)
const verifier = new Verifier([root], 'tools.shop.example')
const decision: Decision = verifier.check(bound.serialize(), request, proof, 1767226200)
const reasons: Reason[] = decision.reasons
const firstIndex: number | null = reasons.length > 0 ? reasons[0].caveatIndex : null
const keys: KeySet = KeySet.fromKeys([agentKey.publicKey()])
const kids: string[] = keys.kids()
const text: string = canonicalizeJson(exact.toJson()) + hashJson({ amount: 1 }) + version
const plain: Decision = verifier.check(cap, { agent: 'shopper-7', action: 'payments.refund', args: { amount: 1 } })
const fromText: Decision = verifier.check(cap, '{"agent":"shopper-7","action":"payments.refund","args":{}}')
const permits = new PermitVerifier(keys.toJwks(), 'tools.shop.example')
const id: string = cap.id + cap.tokenId + root.kid

/** The `*Async` forms are promises of what their sync twins return. */
async function stores(): Promise<void> {
  const store: Store = await openStoreAsync('memory:')
  const log: AuditLog = await AuditLog.inStoreAsync(store, 'payments', agentKey)
  const n: number = await log.lenAsync()
  const head: Receipt | null = await log.headAsync()
  const receipts: Receipt[] = await log.receiptsAsync(0, n)
  const bundle: string = await log.exportBundleAsync(0, n)
  const revoked: string[] = await store.revokedAsync()
  const checked: Decision = await verifier.checkAsync(cap, request)
  void [head, receipts, bundle, revoked, checked]
}

try {
  Capability.parse('not a token')
} catch (e) {
  if (e instanceof Denied) {
    const why: Reason[] = e.reasons
    void why
  } else if (e instanceof FormatError) {
    const code: ErrorCode = e.code
    void code
  } else if (e instanceof CharterError) {
    void e.message
  }
}

void [stores, decision.allowed, firstIndex, kids, text, request.args, request.resource, plain, fromText, permits, id]
