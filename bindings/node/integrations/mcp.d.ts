// charter/mcp: Charter for the MCP TypeScript SDK (@modelcontextprotocol/sdk).
import type { GuardOptions, CharterGrant, DenialReason } from './core'
export type { CharterGrant, DenialReason, DecisionEvent, GuardOptions } from './core'

/** The `_meta` keys of contract/wire.md. */
export declare const META: {
  /** `dev.charter/capability` */
  readonly capability: 'dev.charter/capability'
  /** `dev.charter/proof` */
  readonly proof: 'dev.charter/proof'
  /** `dev.charter/agent` */
  readonly agent: 'dev.charter/agent'
  /** `dev.charter/denial` */
  readonly denial: 'dev.charter/denial'
}

/** What a denied call's result carries under `_meta["dev.charter/denial"]`. */
export interface McpDenial {
  /** Why, in order. */
  reasons: Array<Pick<DenialReason, 'code' | 'message'>>
  /** The hash of the deny receipt, or null. */
  receipt: string | null
}

/** Options of `guardServer`. `resource` derives a resource from the request. */
export interface GuardServerOptions extends GuardOptions<[request: unknown, extra: unknown]> {
  /** The resource of a call, from the request. */
  resource?: (request: unknown, extra: unknown) => string
}

/** An allowed handler's `extra` carries this. */
export interface CharterExtra {
  /** The permit and receipt of this call. */
  charter: CharterGrant
}

/** Gates every `tools/call` of an McpServer (or Server); call it before registering tools. Returns the server. */
export declare function guardServer<S extends object>(server: S, options: GuardServerOptions): S

/** Options of `attachCapability`. */
export interface AttachOptions {
  /** The capability token text (or a Capability). */
  capability: string | { serialize(): string }
  /** The agent the server decides for (the proof is made for it; sent as `dev.charter/agent` unless `sendAgent: false`). */
  agent?: string
  /** Send `dev.charter/agent` (default true when `agent` is set). */
  sendAgent?: boolean
  /** The holder the capability is bound to: a fresh proof per call. */
  holder?: { prove(capability: unknown, request: unknown, audience: string): string }
  /** The server's audience (needed with `holder`). */
  audience?: string
}

/** Makes `client.callTool` carry the capability (and a fresh proof) in `params._meta`. Returns the client. */
export declare function attachCapability<C extends { callTool: (...args: any[]) => any }>(client: C, options: AttachOptions): C

/** The Charter denial of a CallToolResult, or null when it is not one. */
export declare function denialOf(result: unknown): McpDenial | null

/** The CallToolResult of a denial (what `guardServer` returns). */
export declare function denialResult(
  outcome: { reasons: DenialReason[]; receipt: string | null },
): { content: Array<{ type: 'text'; text: string }>; isError: true; _meta: Record<string, McpDenial> }
