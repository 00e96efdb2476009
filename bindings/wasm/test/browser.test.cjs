// A real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads the `web` build from a tiny HTTP server on 127.0.0.1
// (wasm served as application/wasm), mints, narrows and checks a capability,
// verifies a permit and an audit bundle, and the results are read back here.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { charter, pkgDir } = require("./helpers.cjs");
const { serve, withPage } = require("./chromium.cjs");

test("browser: the web build in headless Chromium", { timeout: 120000 }, async () => {
  const server = await serve(
    { "/pkg/": path.join(pkgDir, "dist", "web"), "/": path.join(__dirname, "browser") },
    '<!doctype html><meta charset="utf-8"><title>charter</title><script type="module" src="/page.js"></script>',
  );
  try {
    await withPage(async (page, logs) => {
      const wasmTypes = [];
      page.on("response", (r) => {
        if (r.url().endsWith(".wasm")) wasmTypes.push(r.headers()["content-type"]);
      });
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => window.__charter !== undefined, null, { timeout: 60000 });
      const out = await page.evaluate(() => window.__charter);
      assert.equal(out.failed, undefined, `${out.failed}\n${logs.join("\n")}`);
      assert.deepEqual(wasmTypes, ["application/wasm"]);

      // The same capability, to the byte, as the Node build mints.
      const root = charter.RootKey.fromBytes(new Uint8Array(32).fill(7));
      const T0 = 1767225600;
      const cap = new charter.Issuer(root).issue({
        agent: "shopper-7",
        actions: ["payments.refund", "orders.read"],
        expiresAt: T0 + 3600,
        issuedAt: T0,
        tokenId: new Uint8Array(16).fill(1),
      });
      assert.equal(out.token, cap.serialize());
      assert.equal(out.narrowedToken, cap.attenuate("args.amount <= 5000").serialize());
      assert.equal(out.narrowedCaveats.length, 4);

      assert.deepEqual(out.allowSmall, { allowed: true, reasons: [] });
      assert.equal(out.denyBig.allowed, false);
      assert.deepEqual(
        out.denyBig.reasons.map((r) => [r.code, r.caveatIndex]),
        [["caveat_failed", 3]],
      );
      assert.deepEqual(out.expired.reasons.map((r) => r.code), ["expired"]);
      assert.equal(out.wideAllowsBig, true);
      assert.deepEqual(out.defaultNowExpired, ["expired"]);

      assert.equal(out.randomKeysDiffer, true);
      assert.equal(out.randomTokenIds, true);

      assert.equal(out.parseError.isCharterError, true);
      assert.equal(out.parseError.isError, true);
      assert.equal(out.parseError.name, "FormatError");
      assert.equal(out.parseError.code, "malformed");
      assert.equal(out.parseErrorIsFormatError, true);
      assert.equal(out.fileLog.name, "EnvironmentError");
      assert.equal(out.fileLog.code, "unsupported");
      assert.match(out.fileLog.message, /in-memory audit log/);
      assert.equal(out.fileLogIsEnvironmentError, true);

      assert.equal(out.permitClaims.act, "payments.refund");
      assert.equal(out.permitClaims.aud, "payments.example");
      assert.equal(out.permitClaims.jti, "jti-browser-1");
      assert.equal(out.permitClaims.iat, T0 + 60);
      assert.equal(out.permitReplay.code, "replayed");
      assert.equal(out.permitReplay.name, "AuthorizationError");
      assert.equal(out.permitWrongArgs.code, "args_mismatch");
      // The Node build verifies the browser's permit.
      const sk = charter.SigningKey.fromBytes(new Uint8Array(32).fill(9));
      const pv = new charter.PermitVerifier(charter.KeySet.fromKeys([sk.publicKey()]), "payments.example");
      assert.equal(pv.verify(out.permitToken, "payments.refund", { amount: 4200 }, T0 + 61).jti, "jti-browser-1");

      assert.equal(out.guardPermitAction, "payments.refund");
      assert.equal(out.guardDenied.isDenied, true);
      assert.equal(out.guardDenied.code, "denied");
      assert.deepEqual(out.guardDenied.reasons.map((r) => r.code), ["caveat_failed"]);
      assert.equal(out.logLen, 2);
      assert.equal(out.bundleReport.count, 2);
      assert.equal(out.bundleReport.firstSeq, 0);
      assert.equal(out.bundleReport.lastSeq, 1);
      assert.equal(out.tamperedBundle.isCharterError, true);
      assert.ok(["bad_signature", "chain_broken"].includes(out.tamperedBundle.code), out.tamperedBundle.code);
    });
  } finally {
    server.close();
  }
});
