//! Shared by the interop tests that drive a real Python library: run one of
//! the scripts beside them with JSON on stdin and read its JSON answer.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure fails the test that called it"
)]

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `crates/core/tests/<script>` with `python`, writes `input` to its stdin
/// as JSON and returns what it prints as JSON; a failing script fails the test
/// with its output.
pub fn run_python(python: &OsStr, script: &str, input: &Value) -> Value {
    let path = format!("{}/tests/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(python)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run CHARTER_PYTHON");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
