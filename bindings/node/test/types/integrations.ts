// A typed use of the integration modules: tsc --noEmit checks it against their
// .d.ts (scripts/test-node.sh). It is compiled, not run.
import { RootKey, SigningKey, Verifier, PermitIssuer, AuditLog, Guard, Holder } from '../../charter'
import { guardServer, attachCapability, denialOf, META, type McpDenial } from '../../integrations/mcp'
import { guardTool as agentsTool, charterPermit } from '../../integrations/openai-agents'
import { guardTools as aiTools, CallDenied } from '../../integrations/ai'
import { guardTools as lcTools } from '../../integrations/langchain'
import { charter as expressCharter } from '../../integrations/express'
import { charter as honoCharter } from '../../integrations/hono'

const root = RootKey.generate()
const auditLog = AuditLog.inMemory(SigningKey.generate())
const guard = new Guard(new Verifier([root], 'tools.shop.example'), new PermitIssuer(SigningKey.generate(), 'gw'), auditLog)
const holder = new Holder(SigningKey.generate())
const options = { guard, auditLog, agent: 'shopper-7' }

const server = guardServer({ server: { setRequestHandler() {} } }, { ...options, onDecision: (d) => void d.receipt })
const client = attachCapability({ callTool: async (_p: unknown) => ({}) }, { capability: 'token', holder, audience: 'tools.shop.example' })
const denial: McpDenial | null = denialOf({})
const key: string = META.capability
const fnTool = agentsTool({ type: 'function' as const, name: 'refund', invoke: async () => 'x' }, options)
const grant = charterPermit({})
const aiSet = aiTools({ refund: { execute: async () => 1 } }, { ...options, capability: { capability: 'token', holder }, audience: 'a' })
const lc = lcTools([{ name: 'refund', invoke: async () => 'x' }], options)
const mw = expressCharter({ ...options, action: 'refund' })
const hmw = honoCharter({ ...options, action: (c) => String(c), agent: () => 'shopper-7' })
const e = new CallDenied('refund', [{ code: 'caveat_failed', caveatIndex: 1, message: 'no' }], null)
const receipt: string | null = e.receipt

void [server, client, denial, key, fnTool, grant?.permit.claims.jti, aiSet, lc, mw, hmw, receipt]
