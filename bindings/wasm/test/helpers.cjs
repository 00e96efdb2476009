// Shared by the tests: the package (the `nodejs` build, through its public
// entry) and the contract directory.
"use strict";
const path = require("node:path");

const pkgDir = path.join(__dirname, "..");
const repo = path.join(pkgDir, "..", "..");
const contract = path.join(repo, "contract");
const charter = require(path.join(pkgDir, "dist", "nodejs", "index.cjs"));

const hex = (s) => Uint8Array.from(Buffer.from(s, "hex"));

module.exports = { charter, contract, repo, pkgDir, hex };
