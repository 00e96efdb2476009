// charter/langchain: Charter for LangChain.js (@langchain/core) tools.
import type { GuardOptions, CharterGrant, Credentials } from './core'
export type { CharterGrant, Credentials, DecisionEvent, DenialReason, GuardOptions } from './core'
export { CallDenied } from './core'

/** Options of `guardTools`. By default the capability is `config.configurable.charter`. */
export interface LangChainGuardOptions extends GuardOptions<[input: unknown, config: unknown]> {
  /** Where the capability comes from, from the run config. */
  credentials?: (config: any) => Credentials | undefined
}

/** What an allowed call's tool finds: `config.configurable.charterPermit`. */
export interface CharterConfigurable {
  /** The permit and receipt of this call. */
  charterPermit: CharterGrant
}

/** One tool wrapped (same name, description and schema); a denial throws `CallDenied`. */
export declare function guardTool<T extends { name: string; invoke: (...args: any[]) => any }>(tool: T, options: LangChainGuardOptions): T

/** `guardTool` over each tool of a list. */
export declare function guardTools<T extends { name: string; invoke: (...args: any[]) => any }>(tools: T[], options: LangChainGuardOptions): T[]
