// Shared by the tests: the package (the `nodejs` build, through its public
// entry) and the contract directory.
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const pkgDir = path.join(__dirname, "..");
const repo = path.join(pkgDir, "..", "..");
const contract = path.join(repo, "contract");
const charter = require(path.join(pkgDir, "dist", "nodejs", "index.cjs"));

const hex = (s) => Uint8Array.from(Buffer.from(s, "hex"));

function vectorFiles() {
  const dir = process.env.CHARTER_VECTORS || path.join(contract, "vectors");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: f, doc: JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) }));
}

module.exports = { charter, contract, repo, pkgDir, hex, vectorFiles };
