// charter/hono: a Hono middleware on the HTTP wire convention (contract/wire.md),
// over the Node package or the WASM package (it imports neither).
import type { GuardOptions, CharterGrant } from './core'
export type { CharterGrant, DecisionEvent, DenialReason, GuardOptions } from './core'

/** Options of the Hono middleware. */
export interface HonoCharterOptions extends GuardOptions<[header: (name: string) => string | undefined]> {
  /** The tool this route is: a name, or a function of the context. */
  action: string | ((c: any) => string)
  /** The agent: a name, or a function of the context. */
  agent?: string | ((c: any) => string)
  /** The arguments decided (default: the JSON body of a JSON request, or `{}`). */
  args?: (c: any) => Record<string, unknown> | Promise<Record<string, unknown>>
  /** The resource decided. */
  resource?: (c: any) => string
}

/** The variables the middleware sets: `c.get('charter')`. */
export interface CharterVariables {
  /** The permit and receipt of the allowed request. */
  charter: CharterGrant
}

/** The middleware: 401 / 403 with the convention's JSON body, or `next()` with `c.get('charter')`. */
export declare function charter(options: HonoCharterOptions): (c: any, next: () => Promise<void>) => Promise<unknown>
