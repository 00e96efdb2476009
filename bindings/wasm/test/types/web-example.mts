// The same against the `web` build, which must be initialised first.
import init, { Capability, FormatError, Verifier, RootKey, Issuer, type Decision } from "@charter/wasm/web";

export async function main(): Promise<boolean> {
  await init();
  const root = RootKey.generate();
  const token: string = new Issuer(root).issue({ actions: ["read"], neverExpires: true }).serialize();
  const d: Decision = new Verifier([root], "aud").check(Capability.parse(token), '{"agent":"a","action":"read","args":{}}');
  try {
    Capability.parse("!");
  } catch (e) {
    return e instanceof FormatError && d.allowed;
  }
  return false;
}
