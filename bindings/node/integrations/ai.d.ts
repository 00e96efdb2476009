// charter/ai: Charter for the Vercel AI SDK (`ai`).
import type { GuardOptions, CharterGrant, Credentials } from './core'
export type { CharterGrant, Credentials, DecisionEvent, DenialReason, GuardOptions } from './core'
export { CallDenied } from './core'

/** Options of `guardTools`: the capability as a value or per call. */
export interface AiGuardOptions extends GuardOptions<[input: unknown, executeOptions: unknown]> {
  /** The capability for every call (ignored when `credentials` is given). */
  capability?: Credentials
  /** The capability of one call, from its input and execute options. */
  credentials?: (input: unknown, executeOptions: unknown) => Credentials | undefined
}

/** What an allowed tool's `execute` finds in its options. */
export interface CharterExecuteOptions {
  /** The permit and receipt of this call. */
  charter: CharterGrant
}

/** One tool (named as its key in `tools`) whose `execute` runs only when allowed; a denial throws `CallDenied`. */
export declare function guardTool<T extends object>(name: string, tool: T, options: AiGuardOptions): T

/** `guardTool` over a tool set. */
export declare function guardTools<S extends Record<string, object>>(tools: S, options: AiGuardOptions): S
