//! The harness both CLI test files share: run the built `charter` binary in a
//! scratch directory, hermetically (no inherited CHARTER_HOME), and capture
//! what it printed.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure fails the test that called it"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `charter args...` in `dir`, feeding `stdin` (or nothing) on standard input.
pub fn charter_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .current_dir(dir)
        .env_remove("CHARTER_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the charter binary runs");
    {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("charter finishes");
    Run {
        code: out
            .status
            .code()
            .expect("charter exits normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A scratch directory the commands run in.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

#[allow(dead_code)] // each test file uses its own subset
impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        charter_in(self.dir.path(), args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        charter_in(self.dir.path(), args, Some(stdin))
    }

    /// Runs and insists on exit 0; returns stdout, trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "charter {args:?} failed: {}{}",
            r.stdout, r.stderr
        );
        r.stdout.trim().to_string()
    }
}
