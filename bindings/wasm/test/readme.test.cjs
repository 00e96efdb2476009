// The README's quickstart runs as is (through the package name, as a user
// would import it) and prints what the README says.
"use strict";
const test = require("node:test");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { pkgDir, quickstart } = require("./helpers.cjs");

test("README quickstart runs under Node", () => {
  const { source, check } = quickstart();
  // Inside the package directory, so `@charter/wasm` resolves to this package.
  const file = path.join(pkgDir, `.quickstart-${process.pid}.mjs`);
  fs.writeFileSync(file, source);
  let out;
  try {
    out = execFileSync(process.execPath, [file], { encoding: "utf8" });
  } finally {
    fs.rmSync(file, { force: true });
  }
  check(out);
});
