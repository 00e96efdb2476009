// Conformance: every vector in contract/vectors/ through the package (the
// `nodejs` build), by the JS harness shared with the Node package
// (bindings/js-test/vectors.cjs). WebAssembly has no file system, so the
// audit-files vectors must give their `without_files` outcome; nor can it
// open a store, so the stateful vectors are counted as not run for that one
// reason (`noStore`), each still checked to be of a known kind.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { charter, contract, repo } = require("./helpers.cjs");
const { run } = require(path.join(repo, "bindings", "js-test", "vectors.cjs"));

const dir = path.join(contract, "vectors");

run(charter, "WASM", {
  files: () => [
    ...fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort(),
    ...fs
      .readdirSync(path.join(dir, "stateful"))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => `stateful/${f}`),
  ],
  // No file system and no sockets: a wasm32 module cannot open a store
  // (README "No shared store"), so the stateful vectors cannot run here.
  noStore: "no store in WASM",
  read: (name) => fs.readFileSync(path.join(dir, name), "utf8"),
  errors: () => fs.readFileSync(path.join(contract, "errors.json"), "utf8"),
  test,
  assert,
});
