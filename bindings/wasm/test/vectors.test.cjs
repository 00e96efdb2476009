// Conformance: every vector in contract/vectors/ through the package (the
// `nodejs` build), by the JS harness shared with the Node package
// (bindings/js-test/vectors.cjs). WebAssembly has no file system, so the
// audit-files vectors must give their `without_files` outcome.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { charter, contract, repo } = require("./helpers.cjs");
const { run } = require(path.join(repo, "bindings", "js-test", "vectors.cjs"));

const dir = path.join(contract, "vectors");

run(charter, "WASM", {
  files: () => fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort(),
  read: (name) => fs.readFileSync(path.join(dir, name), "utf8"),
  errors: () => fs.readFileSync(path.join(contract, "errors.json"), "utf8"),
  test,
  assert,
});
