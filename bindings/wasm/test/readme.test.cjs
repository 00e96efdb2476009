// The README's quickstart runs as is (through the package name, as a user
// would import it) and prints what the README says.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { pkgDir } = require("./helpers.cjs");

test("README quickstart runs under Node", () => {
  const readme = fs.readFileSync(path.join(pkgDir, "README.md"), "utf8");
  const block = readme.match(/<!-- quickstart:begin -->\s*```js\n([\s\S]*?)```\s*<!-- quickstart:end -->/);
  assert.ok(block, "README.md has no quickstart block");
  // Inside the package directory, so `@charter/wasm` resolves to this package.
  const file = path.join(pkgDir, `.quickstart-${process.pid}.mjs`);
  fs.writeFileSync(file, block[1]);
  let out;
  try {
    out = execFileSync(process.execPath, [file], { encoding: "utf8" });
  } finally {
    fs.rmSync(file, { force: true });
  }
  const expected = readme.match(/It prints:\s*```text\n([\s\S]*?)```/)[1].trim().split("\n");
  const lines = out.trim().split("\n");
  assert.equal(lines.length, expected.length, out);
  expected.forEach((want, i) => {
    const [prefix] = want.split("…");
    assert.ok(lines[i].startsWith(prefix), `line ${i + 1}: ${lines[i]} does not start with ${prefix}`);
  });
});
