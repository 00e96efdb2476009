"use strict";
// Human approvals from WASM: the suite shared with Node (bindings/js-test/approvals.cjs).
const path = require("node:path");
const { charter, repo } = require("./helpers.cjs");
require(path.join(repo, "bindings", "js-test", "approvals.cjs")).run(charter);
