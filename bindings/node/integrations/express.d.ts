// charter/express: an Express middleware on the HTTP wire convention (contract/wire.md).
import type { GuardOptions, CharterGrant } from './core'
export type { CharterGrant, DecisionEvent, DenialReason, GuardOptions } from './core'

/** A request as the middleware reads it (Express's `req`). */
export interface ExpressRequestLike {
  /** A header, case-insensitively. */
  get(name: string): string | undefined
  /** The parsed body (mount `express.json()` first). */
  body?: unknown
  /** Set by the middleware on an allowed request. */
  charter?: CharterGrant
}

/** Options of the Express middleware. */
export interface ExpressCharterOptions extends GuardOptions<[header: (name: string) => string | undefined]> {
  /** The tool this route is: a name, or a function of the request. */
  action: string | ((req: any) => string)
  /** The agent: a name, or a function of the request. */
  agent?: string | ((req: any) => string)
  /** The arguments decided (default: the JSON body, or `{}`). */
  args?: (req: any) => Record<string, unknown>
  /** The resource decided. */
  resource?: (req: any) => string
}

/** The middleware: 401 / 403 with the convention's JSON body, or `next()` with `req.charter`. */
export declare function charter(options: ExpressCharterOptions): (req: any, res: any, next: (err?: unknown) => void) => void
