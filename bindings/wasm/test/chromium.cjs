// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// and a static file server on 127.0.0.1, shared by the browser tests.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.CHARTER_CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".ts": "text/plain",
};

/**
 * Serves files on 127.0.0.1 (a free port). `roots` maps URL prefixes ("/pkg/",
 * "/") to directories, longest prefix first; "/" serves `index` when given.
 */
function serve(roots, index) {
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname === "/" && index !== undefined) {
      res.writeHead(200, { "content-type": TYPES[".html"] });
      res.end(index);
      return;
    }
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    const base = roots[prefix];
    const rel = url.pathname === "/" ? "index.html" : url.pathname.slice(prefix.length);
    const file = path.normalize(path.join(base, rel));
    if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Runs `fn(page, logs)` in a fresh headless Chromium profile, then closes it. */
async function withPage(fn) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: scripts/test-wasm.sh installs Debian's chromium`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "charter-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
  try {
    const page = await context.newPage();
    const logs = [];
    page.on("console", (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => logs.push(`pageerror: ${e.message}`));
    return await fn(page, logs);
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

module.exports = { serve, withPage };
