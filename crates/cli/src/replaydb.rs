//! A replay file: single-use values (permit `jti`s, holder-proof nonces)
//! remembered across processes in a plain text file, as `charter demo` keeps
//! them. (`--replay-db FILE` now means `--store sqlite://FILE`, see `store`.)
//!
//! The file holds one entry per line, `<key> <expires_at>\n` (Unix seconds),
//! for example `permit:3q2-7wAAAAAAAAAAAAAAAA 1767225690`. Every check takes
//! an exclusive lock on `FILE.lock` (flock; the lock file is never deleted),
//! reads the file, refuses a key that is present and unexpired (`replayed`),
//! then records the new entry and syncs it to disk before returning, so a
//! value is on disk before the caller acts on it. When the file holds expired
//! entries it is rewritten without them (temporary file, fsync, rename; safe
//! because every writer holds the lock). An incomplete last line, a write
//! cut short by a crash, was never acknowledged and is dropped. Any other
//! damage fails closed (`malformed`, naming the line).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use charter_core::{Error, ErrorCode, ReplayStore};

use crate::keyfile::io_error;

/// Most unexpired entries kept; beyond it new values are refused (fail
/// closed) rather than old ones forgotten.
pub const DEFAULT_CAPACITY: usize = 100_000;

#[derive(Debug)]
pub struct FileReplayStore {
    path: PathBuf,
    capacity: usize,
}

impl FileReplayStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileReplayStore {
            path: path.into(),
            capacity: DEFAULT_CAPACITY,
        }
    }

    #[cfg(test)]
    fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    }

    /// Entries of the file (expired ones included), and whether its last line
    /// was torn.
    fn load(&self) -> Result<(Vec<(String, i64)>, bool), Error> {
        let mut bytes = Vec::new();
        match File::open(&self.path) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes)
                    .map_err(|e| io_error(&self.path, "read", e, ""))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&self.path, "read", e, "")),
        }
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let torn = complete < bytes.len();
        let text =
            std::str::from_utf8(&bytes[..complete]).map_err(|_| self.damaged(0, "not UTF-8"))?;
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let parsed = line
                .split_once(' ')
                .and_then(|(k, t)| Some((k, t.parse::<i64>().ok()?)))
                .filter(|(k, _)| valid_key(k));
            match parsed {
                Some((k, t)) => entries.push((k.to_string(), t)),
                None => return Err(self.damaged(i + 1, "expected `<key> <unix expiry>`")),
            }
        }
        Ok((entries, torn))
    }

    fn damaged(&self, line: usize, why: &str) -> Error {
        let at = if line == 0 {
            String::new()
        } else {
            format!(" line {line}")
        };
        Error::new(
            ErrorCode::Malformed,
            format!(
                "replay db {}{at}: {why}; the file is damaged. Refusing to guess which \
                 values were used (fail closed): fix or remove the line",
                self.path.display()
            ),
        )
    }

    fn append(&self, line: &str) -> Result<(), Error> {
        let existed = self.path.exists();
        let mut file = private_options()
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| io_error(&self.path, "open", e, ""))?;
        file.write_all(line.as_bytes())
            .and_then(|_| file.sync_data())
            .map_err(|e| io_error(&self.path, "write", e, ""))?;
        if !existed {
            sync_parent(&self.path)?;
        }
        Ok(())
    }

    fn rewrite(&self, entries: &[(String, i64)]) -> Result<(), Error> {
        let tmp = self.sibling(".tmp");
        let mut text = String::with_capacity(entries.len() * 40);
        for (k, t) in entries {
            text.push_str(&format!("{k} {t}\n"));
        }
        let mut file = private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| io_error(&tmp, "create", e, ""))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| io_error(&tmp, "write", e, ""))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| io_error(&self.path, "replace", e, ""))?;
        sync_parent(&self.path)
    }
}

/// Keys are written as one word on a line: printable ASCII, no spaces.
fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 1024 && k.bytes().all(|b| b.is_ascii_graphic())
}

fn private_options() -> OpenOptions {
    let mut opts = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

fn sync_parent(path: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error(dir, "sync", e, ""))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// An exclusive lock held until dropped (closing the file releases it).
struct Lock(#[allow(dead_code)] File);

impl Lock {
    fn acquire(path: &Path) -> Result<Lock, Error> {
        let file = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_error(path, "open the lock file", e, ""))?;
        loop {
            match file.lock() {
                Ok(()) => return Ok(Lock(file)),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(path, "lock", e, "")),
            }
        }
    }
}

impl ReplayStore for FileReplayStore {
    fn check_and_record(&self, key: &str, expires_at: i64, now: i64) -> Result<(), Error> {
        if !valid_key(key) {
            return Err(Error::new(
                ErrorCode::Malformed,
                format!("single-use value {key:?} cannot be recorded: it must be printable ASCII without spaces"),
            ));
        }
        let _lock = Lock::acquire(&self.sibling(".lock"))?;
        let (entries, torn) = self.load()?;
        let total = entries.len();
        let live: Vec<(String, i64)> = entries.into_iter().filter(|(_, t)| *t >= now).collect();
        if live.iter().any(|(k, _)| k == key) {
            return Err(Error::new(
                ErrorCode::Replayed,
                format!(
                    "{key} was already used (recorded in {}); it is single-use",
                    self.path.display()
                ),
            ));
        }
        if live.len() >= self.capacity {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!(
                    "replay db {} holds {} unexpired entries, its capacity; refusing rather than forgetting one",
                    self.path.display(),
                    live.len()
                ),
            ));
        }
        if torn || live.len() < total {
            let mut kept = live;
            kept.push((key.to_string(), expires_at));
            self.rewrite(&kept)
        } else {
            self.append(&format!("{key} {expires_at}\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_across_instances_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seen.db");
        FileReplayStore::new(&path)
            .check_and_record("permit:a", 100, 10)
            .unwrap();
        FileReplayStore::new(&path)
            .check_and_record("permit:b", 50, 10)
            .unwrap();
        let again = FileReplayStore::new(&path).check_and_record("permit:a", 100, 20);
        assert_eq!(again.unwrap_err().code(), ErrorCode::Replayed);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "permit:a 100\npermit:b 50\n"
        );
        // At 60 "b" has expired: it is pruned when the next value is recorded.
        FileReplayStore::new(&path)
            .check_and_record("permit:c", 120, 60)
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "permit:a 100\npermit:c 120\n"
        );
        // After its expiry a value may be recorded again.
        FileReplayStore::new(&path)
            .check_and_record("permit:a", 300, 101)
            .unwrap();
    }

    #[test]
    fn torn_tail_is_dropped_damage_fails_closed_capacity_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seen.db");
        std::fs::write(&path, "permit:a 100\npermit:b 1").unwrap();
        let store = FileReplayStore::new(&path);
        store.check_and_record("permit:c", 100, 10).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "permit:a 100\npermit:c 100\n"
        );
        let full = FileReplayStore::new(&path).with_capacity(2);
        let err = full.check_and_record("permit:d", 100, 10).unwrap_err();
        assert_eq!(err.code(), ErrorCode::LimitExceeded);
        std::fs::write(&path, "permit:a 100\ngarbage\n").unwrap();
        let err = store.check_and_record("permit:e", 100, 10).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Malformed);
        assert!(err.message().contains("line 2"), "{}", err.message());
        let err = store.check_and_record("has space", 100, 10).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Malformed);
    }
}
