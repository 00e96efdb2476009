//! Crash safety of `FileAuditLog`: a writer child process is SIGKILLed at random
//! points, hundreds of times; every receipt whose `append` returned must
//! survive, and the chain must verify on reopen.
//!
//! The test re-executes its own binary (`crash_writer_child`, selected with
//! `--exact` and enabled by an environment variable) as the writer. The writer
//! prints `ACK <seq> <hash>` to stdout after each `append` returns.
//!
//! A single `write(2)` of one line is rarely torn by SIGKILL, so some rounds
//! also simulate the torn tail a power cut can leave (a prefix of a line
//! without its newline): reopening must report `log_corrupt` naming the line,
//! and `FileAuditLog::repair` must then restore a chain holding every
//! acknowledged receipt.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure fails the test that called it"
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use charter_core::{
    export_bundle, verify_bundle, AuditLog, Decision, ErrorCode, FileAuditLog, KeySet,
    ReceiptInput, SigningKey,
};

const CHILD_ENV: &str = "CHARTER_CRASH_WRITER_LOG";
const FILES: usize = 6;
const ROUNDS: usize = 50;
const TIME_BUDGET: Duration = Duration::from_secs(25);

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32]).unwrap()
}

fn entry(i: u64) -> ReceiptInput {
    ReceiptInput::from_decision(
        1_700_000_000 + i as i64,
        "agent",
        "fs.write",
        &serde_json::json!({ "path": format!("/tmp/{i}"), "bytes": i }),
        &Decision::allow(),
    )
    .unwrap()
    .with_capability("cap")
}

/// The writer: appends forever, acknowledging each receipt after `append` returns.
#[test]
fn crash_writer_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return; // only runs as the child of the test below
    };
    let log = FileAuditLog::open(&path, key()).expect("writer: open");
    let mut out = std::io::stdout().lock();
    // libtest has printed "test crash_writer_child ... " without a newline.
    writeln!(out, "\nREADY {}", log.len().unwrap()).unwrap();
    out.flush().unwrap();
    loop {
        let r = log
            .append(entry(log.len().unwrap()))
            .expect("writer: append");
        writeln!(out, "ACK {} {}", r.seq(), r.hash()).unwrap();
        out.flush().unwrap();
    }
}

trait RecvDeadline<T> {
    fn recv_deadline_compat(&self, deadline: Instant) -> Result<T, mpsc::RecvTimeoutError>;
}

impl<T> RecvDeadline<T> for mpsc::Receiver<T> {
    fn recv_deadline_compat(&self, deadline: Instant) -> Result<T, mpsc::RecvTimeoutError> {
        self.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn acknowledged_receipts_survive_sigkill() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let trusted = KeySet::from_keys([key().public_key()]).unwrap();
    let (mut kills, mut natural_tears, mut simulated_tears, mut total_acks) = (0, 0, 0, 0u64);

    'files: for f in 0..FILES {
        let path = dir.path().join(format!("audit-{f}.jsonl"));
        // seq -> hash of every acknowledged receipt.
        let mut acked: Vec<(u64, String)> = Vec::new();
        for _ in 0..ROUNDS {
            if started.elapsed() > TIME_BUDGET {
                break 'files;
            }
            let mut child = Command::new(&exe)
                .args([
                    "--exact",
                    "crash_writer_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, &path)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            let (tx, rx) = mpsc::channel::<String>();
            let reader = std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            // Wait until the writer has opened (and verified) the log.
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                match rx.recv_deadline_compat(deadline) {
                    Ok(l) if l.starts_with("READY") => break,
                    Ok(l) if l.starts_with("ACK") => panic!("ACK before READY: {l}"),
                    Ok(_) => continue,
                    Err(e) => {
                        let _ = child.kill();
                        panic!("writer never became ready ({e}); log {}", path.display());
                    }
                }
            }
            std::thread::sleep(Duration::from_micros(rng.below(15_000)));
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            kills += 1;
            reader.join().unwrap();
            for line in rx.try_iter() {
                if let Some(rest) = line.strip_prefix("ACK ") {
                    let (seq, hash) = rest.split_once(' ').unwrap();
                    acked.push((seq.parse().unwrap(), hash.to_string()));
                    total_acks += 1;
                }
            }

            // Sometimes leave the torn tail a crash mid-write can leave.
            let text = std::fs::read(&path).unwrap();
            let simulate = rng.below(5) == 0 && text.ends_with(b"\n");
            if simulate {
                let last = text[..text.len() - 1]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let line = &text[last..text.len() - 1];
                let cut = 1 + rng.below(line.len() as u64 - 1) as usize;
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .unwrap();
                file.write_all(&line[..cut]).unwrap();
            }

            let lines_before = std::fs::read(&path)
                .unwrap()
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let log = match FileAuditLog::open(&path, key()) {
                Ok(log) => {
                    assert!(!simulate, "a torn tail was not detected");
                    log
                }
                Err(e) => {
                    assert_eq!(e.code(), ErrorCode::LogCorrupt, "{e}");
                    assert!(
                        e.message().contains(&format!("line {}", lines_before + 1)),
                        "{e}"
                    );
                    if simulate {
                        simulated_tears += 1;
                    } else {
                        natural_tears += 1;
                    }
                    let torn = FileAuditLog::repair(&path).unwrap().expect("a torn tail");
                    assert_eq!(torn.line as usize, lines_before + 1);
                    FileAuditLog::open(&path, key()).expect("reopen after repair")
                }
            };
            // Every acknowledged receipt is there, unchanged.
            if let Some(&(max, _)) = acked.iter().max_by_key(|(s, _)| *s) {
                assert!(
                    log.len().unwrap() > max,
                    "acknowledged seq {max} lost; log has {}",
                    log.len().unwrap()
                );
            }
            let stored = log.receipts(0..log.len().unwrap()).unwrap();
            for (seq, hash) in &acked {
                assert_eq!(stored[*seq as usize].hash(), hash, "receipt {seq} changed");
            }
        }
        let log = FileAuditLog::open(&path, key()).unwrap();
        if !log.is_empty().unwrap() {
            let bundle = export_bundle(&log, 0..log.len().unwrap()).unwrap();
            verify_bundle(&bundle.to_json(), &trusted).unwrap();
        }
    }
    println!(
        "{kills} SIGKILLs, {total_acks} acknowledged appends, {natural_tears} torn tails from kills, \
         {simulated_tears} simulated, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(kills >= 100, "only {kills} kills within the time budget");
}
