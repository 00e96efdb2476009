// Builds the npm package in dist/: the wasm for wasm32-unknown-unknown, the
// wasm-bindgen glue for Node (`--target nodejs`) and for browsers, Deno and
// edge runtimes (`--target web`), and one small entry per target that adds
// the error classes and re-exports the public surface (nothing internal).
//
//   node build.mjs            (WASM_BINDGEN=/path/to/wasm-bindgen to pick the CLI)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeEntries } from "./entries.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const dist = join(here, "dist");
const bindgen = process.env.WASM_BINDGEN || "wasm-bindgen";

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

// The wasm is built with fat LTO and one codegen unit (the workspace's
// release profile keeps thin LTO for native builds): across the core's
// crates, inlining is most of the speed of a check.
//
// SIMD128 (in every engine the package supports: Node 16.4+, Chrome 91+,
// Firefox 89+, Safari 16.4+, Deno, workerd): the core's HMAC chain, about
// half of a check here, then runs on sha2's SIMD128 SHA-256
// (crates/core/Cargo.toml), and LLVM vectorizes the rest where it can.
const rustflags = [process.env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS, "-C target-feature=+simd128"];
const wasmProfile = {
  ...process.env,
  CARGO_PROFILE_RELEASE_LTO: "fat",
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "1",
  CARGO_PROFILE_RELEASE_OPT_LEVEL: "3",
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: rustflags.filter(Boolean).join(" "),
};
if (!process.argv.includes("--skip-cargo")) {
  execFileSync("cargo", ["build", "--target", "wasm32-unknown-unknown", "--release", "-p", "charter-wasm"], {
    cwd: root,
    stdio: "inherit",
    env: wasmProfile,
  });
}
const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target");
const built = join(targetDir, "wasm32-unknown-unknown", "release", "charter_wasm.wasm");
// Binaryen's wasm-opt (the npm package `binaryen`, pinned in package.json)
// at -O3, before wasm-bindgen: rustc's LLVM output leaves it room (measured in
// docs/benchmarks.md). The features are the ones rustc enables for
// wasm32-unknown-unknown, and SIMD (above); wasm-opt refuses a module that uses any other.
const wasm = join(targetDir, "wasm32-unknown-unknown", "release", "opt", "charter_wasm.wasm");
mkdirSync(dirname(wasm), { recursive: true });
const features = ["simd", "bulk-memory", "sign-ext", "mutable-globals", "nontrapping-float-to-int", "reference-types", "multivalue"];
run(process.execPath, [
  join(here, "node_modules", "binaryen", "bin", "wasm-opt"),
  "-O3",
  ...features.map((f) => `--enable-${f}`),
  built,
  "-o",
  wasm,
]);

const typesDts = readFileSync(join(here, "js", "types.d.ts"), "utf8");
const STRING_LOOP = "    let len = arg.length;\n    let ptr = malloc(len, 1) >>> 0;\n";
// ASCII text (a capability, a proof) fits in `len` bytes: encoded there in one
// call, with no reallocation; otherwise the rest is encoded after a grow.
const STRING_FAST =
  "    let len = arg.length;\n" +
  "    if (len > 32) {\n" +
  "        let at = malloc(len, 1) >>> 0;\n" +
  "        const first = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(at, at + len));\n" +
  "        if (first.read === len) {\n" +
  "            WASM_VECTOR_LEN = first.written;\n" +
  "            return at;\n" +
  "        }\n" +
  "        const cap = first.written + (len - first.read) * 3;\n" +
  "        at = realloc(at, len, cap, 1) >>> 0;\n" +
  "        const rest = cachedTextEncoder.encodeInto(arg.slice(first.read), getUint8ArrayMemory0().subarray(at + first.written, at + cap));\n" +
  "        WASM_VECTOR_LEN = first.written + rest.written;\n" +
  "        return realloc(at, cap, WASM_VECTOR_LEN, 1) >>> 0;\n" +
  "    }\n" +
  "    let ptr = malloc(len, 1) >>> 0;\n";
rmSync(dist, { recursive: true, force: true });
for (const target of ["nodejs", "web"]) {
  run(bindgen, ["--target", target, "--out-dir", join(dist, target), wasm]);
  // Doc comments that pass through `macro_rules!` (the `class!` macro) reach
  // wasm-bindgen as raw string literals, which it prints with their `r"`.
  for (const f of ["charter_wasm.d.ts", "charter_wasm.js"]) {
    const file = join(dist, target, f);
    const text = readFileSync(file, "utf8")
      .replace(/^(\s*\*) r" /gm, "$1 ")
      // wasm-bindgen copies a string into wasm memory one charCodeAt at a time
      // until the first non-ASCII character; a capability's text is hundreds of
      // ASCII characters, and that loop was an eighth of a check. encodeInto
      // (the path the glue already takes for non-ASCII text) copies it natively.
      .replace(STRING_LOOP, STRING_FAST)
      // wasm-bindgen's own members, documented like every other declaration.
      .replace(/^(\s*)free\(\): void;/gm, "$1/** Releases the object's wasm memory now (the garbage collector does it otherwise). */\n$1free(): void;")
      .replace(/^(\s*)\[Symbol\.dispose\]\(\): void;/gm, "$1/** `free()`, for `using` declarations. */\n$1[Symbol.dispose](): void;");
    writeFileSync(file, f.endsWith(".d.ts") ? text + "\n" + typesDts : text);
  }
}

// The public names: everything the glue exports except internals (`__…`) and
// the web target's loader functions, which the web entry wraps.
const req = createRequire(import.meta.url);
const raw = req(join(dist, "nodejs", "charter_wasm.js"));
const names = Object.keys(raw)
  .filter((n) => !n.startsWith("__"))
  .sort();
const errorNames = [
  "CharterError",
  "FormatError",
  "UsageError",
  "CryptoError",
  "AuthorizationError",
  "AuditError",
  "EnvironmentError",
  "Denied",
  "ApprovalRequired",
];
const errorsSrc = readFileSync(join(here, "js", "errors.js"), "utf8");
// The ErrorCode union is generated from contract/errors.json, so it cannot drift.
const codes = JSON.parse(readFileSync(join(root, "contract", "errors.json"), "utf8")).codes.map((c) => c.code);
const errorsDts =
  readFileSync(join(here, "js", "errors.d.ts"), "utf8") +
  "/** Every stable error code (contract/errors.json). */\n" +
  `export type ErrorCode =\n${codes.map((c) => `  | ${JSON.stringify(c)}`).join("\n")};\n`;
const glue = ["makeError", "record", "allow", "charterId"];
const versionDts = "/** The package version (the workspace version, e.g. 0.1.0). */\nexport declare const version: string;\n";
const banner = "// Generated by build.mjs: the package entry. Do not edit.\n";

// Node: CommonJS.
{
  const d = join(dist, "nodejs");
  const cjs =
    "'use strict';\n" +
    errorsSrc.replace(/^export (class|function) /gm, "$1 ") +
    `\nmodule.exports = { ${[...errorNames, ...glue].join(", ")} };\n`;
  writeFileSync(join(d, "errors.cjs"), banner + cjs);
  writeFileSync(join(d, "errors.d.ts"), errorsDts);
  writeFileSync(
    join(d, "index.cjs"),
    banner +
      "'use strict';\n" +
      "const raw = require('./charter_wasm.js');\n" +
      "const errors = require('./errors.cjs');\n" +
      `raw.__setup(${glue.map((g) => `errors.${g}`).join(", ")});\n` +
      "exports.version = raw.__version();\n" +
      names.map((n) => `exports.${n} = raw.${n};\n`).join("") +
      errorNames.map((n) => `exports.${n} = errors.${n};\n`).join(""),
  );
  writeFileSync(
    join(d, "index.d.ts"),
    banner + 'export * from "./charter_wasm.js";\nexport * from "./errors.js";\n' + versionDts,
  );
  writeFileSync(join(d, "package.json"), '{ "type": "commonjs" }\n');
}

// Web, Deno, edge: an ES module whose default export initialises the wasm.
{
  const d = join(dist, "web");
  writeFileSync(join(d, "errors.js"), banner + errorsSrc);
  writeFileSync(join(d, "errors.d.ts"), errorsDts);
  const surface = names.filter((n) => n !== "initSync");
  writeFileSync(
    join(d, "index.js"),
    banner +
      'import wasmInit, { initSync as wasmInitSync, __setup } from "./charter_wasm.js";\n' +
      `import { ${glue.join(", ")} } from "./errors.js";\n` +
      "\n" +
      "/** The package version (the workspace version, e.g. 0.1.0). */\n" +
      `export const version = ${JSON.stringify(JSON.parse(readFileSync(join(here, "package.json"), "utf8")).version)};\n` +
      "\n" +
      "/** Loads and instantiates the wasm (by default from charter_wasm_bg.wasm next to this file). */\n" +
      "export default async function init(moduleOrPath) {\n" +
      "  const out = await wasmInit(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath });\n" +
      `  __setup(${glue.join(", ")});\n` +
      "  return out;\n" +
      "}\n" +
      "\n" +
      "/** Instantiates the wasm synchronously from its bytes or a WebAssembly.Module. */\n" +
      "export function initSync(module) {\n" +
      "  const out = wasmInitSync({ module });\n" +
      `  __setup(${glue.join(", ")});\n` +
      "  return out;\n" +
      "}\n" +
      "\n" +
      `export { ${surface.join(", ")} } from "./charter_wasm.js";\n` +
      `export { ${errorNames.join(", ")} } from "./errors.js";\n`,
  );
  writeFileSync(
    join(d, "index.d.ts"),
    banner +
      'import type { InitInput, InitOutput, SyncInitInput } from "./charter_wasm.js";\n' +
      `export { ${surface.join(", ")} } from "./charter_wasm.js";\n` +
      'export type * from "./charter_wasm.js";\n' +
      'export * from "./errors.js";\n' +
      "/** Loads and instantiates the wasm (by default from charter_wasm_bg.wasm next to this file). */\n" +
      "export default function init(moduleOrPath?: InitInput | Promise<InitInput>): Promise<InitOutput>;\n" +
      "/** Instantiates the wasm synchronously from its bytes or a WebAssembly.Module. */\n" +
      "export function initSync(module: SyncInitInput): InitOutput;\n" +
      versionDts,
  );
  writeFileSync(join(d, "package.json"), '{ "type": "module" }\n');
}

// The self-initialising entries for bundlers, Deno and Workers (entries.mjs).
writeEntries(dist);

// wasm-bindgen writes a .gitignore ("*") into each out dir; the package needs
// the files, so drop it.
for (const t of ["nodejs", "web"]) rmSync(join(dist, t, ".gitignore"), { force: true });
console.log(`built dist/nodejs, dist/web, dist/inline and dist/workerd: ${names.length} exports + ${errorNames.length} error classes`);
