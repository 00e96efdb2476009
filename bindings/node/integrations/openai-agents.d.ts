// charter/openai-agents: Charter for the OpenAI Agents SDK (@openai/agents).
import type { GuardOptions, CharterGrant, Credentials, CallDenied } from './core'
export type { CharterGrant, Credentials, DecisionEvent, DenialReason, GuardOptions } from './core'
export { CallDenied } from './core'

/** Options of `guardTool`. */
export interface AgentsGuardOptions extends GuardOptions<[runContext: unknown]> {
  /** Where the capability comes from; by default `runContext.context.charter`. */
  credentials?: (runContext: { context: any }) => Credentials | undefined
  /** What a denied call returns to the model (default: the denial's text); throw from it to stop the run. */
  onDenied?: (denial: CallDenied, runContext: unknown) => unknown
}

/** A function tool whose every call is decided first; name, schema and options unchanged. */
export declare function guardTool<T extends { type: 'function'; name: string; invoke: (...args: any[]) => any }>(tool: T, options: AgentsGuardOptions): T

/** `guardTool` over each tool of a list. */
export declare function guardTools<T extends { type: 'function'; name: string; invoke: (...args: any[]) => any }>(tools: T[], options: AgentsGuardOptions): T[]

/** The permit and receipt of the guarded call whose `details` the tool's execute received. */
export declare function charterPermit(details: unknown): CharterGrant | undefined
