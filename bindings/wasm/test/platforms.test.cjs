// The README quickstart where the package is used beyond Node, each through
// the package name with no init() call, so package.json `exports` picks the
// entry as that platform would:
//   - a default Vite project (no config), built with `vite build` and run in
//     headless Chromium ("browser" condition: the self-initialising entry);
//   - Deno ("deno" condition), with no permission flags;
//   - the Workers runtime: bundled as wrangler bundles a Worker (esbuild with
//     the workerd, worker and browser conditions, .wasm kept as a module) and
//     served by workerd, Cloudflare's runtime, on 127.0.0.1.
// The tools are pinned in test/platforms/package.json; scripts/test-wasm.sh
// installs them with npm ci.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const { execFileSync, spawn } = require("node:child_process");
const { quickstart } = require("./helpers.cjs");
const { serve, withPage } = require("./chromium.cjs");

const here = path.join(__dirname, "platforms");
const bin = (pkg, file) => path.join(here, "node_modules", pkg, file);

/** A scratch directory inside test/platforms (so node_modules resolves), removed afterwards. */
function scratch(name) {
  const dir = path.join(here, `.${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  return dir;
}

/** The quickstart as a module whose output lines go to `out` instead of the console. */
function collecting(prologue, epilogue) {
  const { imports, body } = quickstart();
  return (
    imports +
    prologue +
    "const out = [];\n" +
    'const console = { log: (...parts) => out.push(parts.join(" ")) };\n' +
    "try {\n" +
    body +
    epilogue
  );
}

test("a default Vite project builds and runs the quickstart in Chromium, no init()", { timeout: 300000 }, async () => {
  const dir = scratch("vite");
  try {
    fs.cpSync(path.join(here, "vite"), dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "main.js"),
      collecting("", "  window.__quickstart = { out };\n} catch (e) {\n  window.__quickstart = { error: String(e && e.stack || e) };\n}\n"),
    );
    execFileSync(process.execPath, [bin("vite", "bin/vite.js"), "build", "--logLevel", "warn"], {
      cwd: dir,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const server = await serve({ "/": path.join(dir, "dist") });
    try {
      const result = await withPage(async (page, logs) => {
        await page.goto(`http://127.0.0.1:${server.address().port}/`);
        await page.waitForFunction(() => window.__quickstart !== undefined, null, { timeout: 60000 });
        const r = await page.evaluate(() => window.__quickstart);
        return { ...r, logs };
      });
      assert.equal(result.error, undefined, `${result.error}\n${result.logs.join("\n")}`);
      quickstart().check(result.out.join("\n"));
    } finally {
      server.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Deno runs the quickstart as written, no init() and no permissions", { timeout: 120000 }, () => {
  const dir = scratch("deno");
  try {
    const file = path.join(dir, "quickstart.mjs");
    fs.writeFileSync(file, quickstart().source);
    const out = execFileSync(bin("deno", "bin.cjs"), ["run", "--no-prompt", "--no-lock", "--quiet", file], {
      cwd: here,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    quickstart().check(out);
    // And it took the "deno" entry, the one that needs no file read.
    const resolved = execFileSync(
      bin("deno", "bin.cjs"),
      ["eval", "--no-lock", 'console.log(import.meta.resolve("@charter/wasm"))'],
      { cwd: here, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
    );
    assert.match(resolved.trim(), /dist\/inline\/index\.js$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

test("the Workers runtime (workerd) serves the quickstart from a bundled Worker", { timeout: 180000 }, async () => {
  const dir = scratch("workerd");
  let workerd;
  try {
    fs.writeFileSync(
      path.join(dir, "worker.js"),
      collecting(
        "export default {\n  async fetch() {\n",
        "    } catch (e) {\n      return new Response(String(e && e.stack || e), { status: 500 });\n    }\n" +
          '    return new Response(out.join("\\n"));\n  },\n};\n',
      ),
    );
    const outDir = path.join(dir, "out");
    execFileSync(
      bin("esbuild", "bin/esbuild"),
      [
        "worker.js",
        "--bundle",
        "--format=esm",
        "--platform=neutral",
        "--conditions=workerd,worker,browser",
        "--main-fields=module,main",
        "--loader:.wasm=copy",
        `--outdir=${outDir}`,
        "--log-level=warning",
      ],
      { cwd: dir, stdio: ["ignore", "inherit", "inherit"] },
    );
    const wasm = fs.readdirSync(outDir).filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 1, `the bundle should carry the wasm as one module: ${fs.readdirSync(outDir)}`);
    const port = await freePort();
    fs.writeFileSync(
      path.join(dir, "config.capnp"),
      'using Workerd = import "/workerd/workerd.capnp";\n' +
        "const config :Workerd.Config = (\n" +
        '  services = [ (name = "main", worker = .worker) ],\n' +
        `  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],\n` +
        ");\n" +
        "const worker :Workerd.Worker = (\n" +
        "  modules = [\n" +
        '    (name = "worker.js", esModule = embed "out/worker.js"),\n' +
        `    (name = "${wasm[0]}", wasm = embed "out/${wasm[0]}"),\n` +
        "  ],\n" +
        '  compatibilityDate = "2026-11-01",\n' +
        ");\n",
    );
    const logs = [];
    workerd = spawn(bin("workerd", "bin/workerd"), ["serve", "config.capnp"], { cwd: dir });
    workerd.stdout.on("data", (d) => logs.push(String(d)));
    workerd.stderr.on("data", (d) => logs.push(String(d)));
    let res;
    for (let attempt = 0; attempt < 100 && res === undefined; attempt++) {
      assert.equal(workerd.exitCode, null, `workerd exited:\n${logs.join("")}`);
      res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      if (res === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(res, `workerd did not answer on 127.0.0.1:${port}:\n${logs.join("")}`);
    const text = await res.text();
    assert.equal(res.status, 200, `${text}\n${logs.join("")}`);
    quickstart().check(text);
  } finally {
    if (workerd) workerd.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the explicit web entry, used before init(), says to call it", async () => {
  const web = await import(path.join(__dirname, "..", "dist", "web", "index.js"));
  assert.throws(
    () => web.RootKey.generate(),
    (e) => e instanceof web.EnvironmentError && e.code === "unsupported" && /await init\(\)/.test(e.message),
  );
  // After init, the same call works.
  web.initSync(fs.readFileSync(path.join(__dirname, "..", "dist", "web", "charter_wasm_bg.wasm")));
  assert.equal(web.RootKey.generate().constructor.name, "RootKey");
});
