// Shared by the tests: the package (the `nodejs` build, through its public
// entry) and the contract directory.
"use strict";
const path = require("node:path");

const pkgDir = path.join(__dirname, "..");
const repo = path.join(pkgDir, "..", "..");
const contract = path.join(repo, "contract");
const charter = require(path.join(pkgDir, "dist", "nodejs", "index.cjs"));

const hex = (s) => Uint8Array.from(Buffer.from(s, "hex"));

/**
 * The README's quickstart: `source` as written, split into its `imports` (the
 * statement importing "@charter/wasm") and its `body`, and `check(output)`,
 * which asserts the output has the lines the README says it prints.
 */
function quickstart() {
  const fs = require("node:fs");
  const assert = require("node:assert/strict");
  const readme = fs.readFileSync(path.join(pkgDir, "README.md"), "utf8");
  const block = readme.match(/<!-- quickstart:begin -->\s*```js\n([\s\S]*?)```\s*<!-- quickstart:end -->/);
  assert.ok(block, "README.md has no quickstart block");
  const source = block[1];
  const imports = source.match(/^import \{[\s\S]*?\} from "@charter\/wasm";\n/m);
  assert.ok(imports, "the quickstart imports from \"@charter/wasm\" in one statement");
  const expected = readme.match(/It prints:\s*```text\n([\s\S]*?)```/)[1].trim().split("\n");
  const check = (out) => {
    const lines = out.trim().split("\n");
    assert.equal(lines.length, expected.length, out);
    expected.forEach((want, i) => {
      const [prefix] = want.split("…");
      assert.ok(lines[i].startsWith(prefix), `line ${i + 1}: ${lines[i]} does not start with ${prefix}`);
    });
  };
  return { source, imports: imports[0], body: source.replace(imports[0], ""), check };
}

module.exports = { charter, contract, repo, pkgDir, hex, quickstart };
