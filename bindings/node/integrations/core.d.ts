// Types shared by the framework integrations (charter/mcp, charter/express, ...).
// Structural: a Guard and AuditLog from `charter` or from `@charter/wasm` fit.

/** A reason a call was denied, as the integrations report it. */
export interface DenialReason {
  /** The stable code (contract/errors.json). */
  code: string
  /** The index of the failing caveat, when one failed. */
  caveatIndex: number | null
  /** What to change for the call to pass. */
  message: string
}

/** The call an integration decides (contract/wire.md): the agent, the tool name, its arguments as sent. */
export interface DecidedCall {
  /** Who the server decides for. */
  agent: string
  /** The tool (action) name. */
  action: string
  /** The tool arguments. */
  args: Record<string, unknown>
  /** The resource, when the integration was told how to derive one. */
  resource?: string
}

/** What `onDecision` is told about each call, allowed or denied. */
export interface DecisionEvent extends DecidedCall {
  /** Whether the tool runs. */
  allowed: boolean
  /** Why not (absent when allowed). */
  reasons?: DenialReason[]
  /** The hash of the receipt recorded for this decision, or null when none could be recorded. */
  receipt: string | null
  /** The permit of an allowed call. */
  permit?: PermitLike
}

/** A permit as either package returns it. */
export interface PermitLike {
  /** The compact JWS. */
  readonly token: string
  /** Its claims (`act`, `sub`, `jti`, ...). */
  readonly claims: { act: string; sub: string; aud: string; jti: string }
}

/** What an allowed call's tool function receives: the permit for exactly this call and the receipt's hash. */
export interface CharterGrant {
  /** The permit the guard signed for this call. */
  permit: PermitLike
  /** The hash of the allow receipt. */
  receipt: string | null
}

/** A Guard from `charter` or `@charter/wasm`. */
export interface GuardLike {
  /** Decides, records a receipt, and returns a permit or throws `Denied`. */
  protect(capability: unknown, request: unknown, proof?: string | null, ...rest: unknown[]): PermitLike
}

/** An AuditLog from `charter` or `@charter/wasm`: the one the guard records in. */
export interface AuditLogLike {
  /** Number of receipts. */
  len(): number
  /** The last receipt. */
  head(): { readonly hash: string } | null
}

/** A Holder from either package: makes a fresh proof per call. */
export interface HolderLike {
  /** A proof for one request to one audience. */
  prove(capability: unknown, request: unknown, audience: string): string
}

/** The capability a framework context carries: its token text, or the token with a holder (a fresh proof per call) or a proof. */
export type Credentials =
  | string
  | {
      /** The capability token text (or a Capability). */
      capability: unknown
      /** The holder whose key the capability is bound to: a proof is made per call (needs `audience`). */
      holder?: HolderLike
      /** A proof made elsewhere, or a function of the request that makes one. */
      proof?: string | ((request: DecidedCall) => string)
    }

/** The options every integration takes. */
export interface GuardOptions<Call extends unknown[] = unknown[]> {
  /** The guard that decides and records each call. */
  guard: GuardLike
  /** The log the guard records in (receipts are named by their hash). */
  auditLog: AuditLogLike
  /** The agent decided for: a name, or a function of the call. */
  agent?: string | ((...call: Call) => string)
  /** Decide for the agent the client names (`dev.charter/agent`, `Charter-Agent`) instead. Without a holder proof that name is a claim, not an identity. */
  trustClaimedAgent?: boolean
  /** The verifier's audience: needed when the context carries a holder. */
  audience?: string
  /** Told about every decision (logging, metrics). */
  onDecision?: (event: DecisionEvent) => void
}

/** A tool call that was not allowed. */
export declare class CallDenied extends Error {
  /** A denial of `action` (the integrations throw these; tests may build them). */
  constructor(action: string, reasons: DenialReason[], receipt: string | null)
  /** Always `'denied'`. */
  readonly code: 'denied'
  /** The tool name. */
  readonly action: string
  /** Why, one reason per failed check. */
  readonly reasons: DenialReason[]
  /** The hash of the deny receipt, or null. */
  readonly receipt: string | null
}
