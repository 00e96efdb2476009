//! Key files: the JSON the `keygen` command writes and the other commands read.
//!
//! ```text
//! {"kind":"root","kid":"…","secret":"<base64url>"}
//! {"kind":"signing","kid":"…","secret":"<base64url seed>","jwk":{…public JWK…}}
//! ```
//!
//! Reading is strict: unknown members, a wrong kind, or a `kid` / `jwk` that
//! does not match the secret are refused, so a hand-edited file fails loudly.

use std::io::Write;
use std::path::Path;

use charter_core::{b64, jcs, Error, ErrorCode, RootKey, SigningKey};
use serde_json::{json, Map, Value};

/// Largest key file read (a root key is at most 1 KiB of secret).
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

pub fn root_to_json(key: &RootKey) -> Value {
    json!({
        "kind": "root",
        "kid": key.kid(),
        "secret": b64::encode(key.to_bytes().as_slice()),
    })
}

pub fn signing_to_json(key: &SigningKey) -> Value {
    json!({
        "kind": "signing",
        "kid": key.kid(),
        "secret": b64::encode(key.to_bytes().as_slice()),
        "jwk": key.public_key().to_jwk(),
    })
}

/// Pretty JSON text with `kind` first, then `kid`, then the rest, so a person
/// reading the file sees what it is before the secret.
pub fn render(value: &Value) -> String {
    let obj = value.as_object().expect("key JSON is an object");
    let mut ordered: Vec<(&String, &Value)> = obj.iter().collect();
    let rank = |k: &str| match k {
        "kind" => 0,
        "kid" => 1,
        "secret" => 2,
        _ => 3,
    };
    ordered.sort_by_key(|(k, _)| rank(k));
    let mut out = String::from("{\n");
    for (i, (k, v)) in ordered.iter().enumerate() {
        let sep = if i + 1 == ordered.len() { "" } else { "," };
        let v = serde_json::to_string(v).expect("plain JSON");
        out.push_str(&format!("  {}: {v}{sep}\n", json!(k)));
    }
    out.push_str("}\n");
    out
}

/// Writes a secret file readable by its owner only (mode 0600), refusing to
/// overwrite an existing file: losing a root key silently is worse than an error.
pub fn write_secret(path: &Path, text: &str) -> Result<(), Error> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AlreadyExists {
            " (refusing to overwrite an existing key; remove it first or pick another --out)"
        } else {
            ""
        };
        io_error(path, "create", e, hint)
    })?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| io_error(path, "write", e, ""))
}

pub fn io_error(path: &Path, verb: &str, e: std::io::Error, hint: &str) -> Error {
    Error::new(
        ErrorCode::Io,
        format!("cannot {verb} {}: {e}{hint}", path.display()),
    )
}

fn read_key_json(path: &Path, kind: &str) -> Result<Map<String, Value>, Error> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| io_error(path, "read", e, ""))?;
    #[cfg(unix)]
    if let Ok(meta) = file.metadata() {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: {} holds a secret key but others can read it; run: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| io_error(path, "read", e, ""))?;
    let bad = |m: String| {
        Error::new(
            ErrorCode::Malformed,
            format!("{} is not a Charter {kind} key file: {m}", path.display()),
        )
    };
    let value = jcs::parse(&text).map_err(|e| bad(e.to_string()))?;
    let Value::Object(obj) = value else {
        return Err(bad("expected a JSON object".into()));
    };
    match obj.get("kind").and_then(Value::as_str) {
        Some(k) if k == kind => {}
        Some(other) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "{} holds a {other} key, but a {kind} key is needed here \
                     (make one with: charter keygen {kind})",
                    path.display()
                ),
            ))
        }
        None => return Err(bad("missing \"kind\"".into())),
    }
    Ok(obj)
}

fn secret_of(path: &Path, obj: &Map<String, Value>, allowed: &[&str]) -> Result<Vec<u8>, Error> {
    let bad = |m: String| {
        Error::new(
            ErrorCode::Malformed,
            format!("key file {}: {m}", path.display()),
        )
    };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(format!("unknown member {extra:?}")));
    }
    let secret = obj
        .get("secret")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing \"secret\" string".into()))?;
    b64::decode(secret).ok_or_else(|| bad("\"secret\" is not canonical base64url".into()))
}

fn check_kid(path: &Path, obj: &Map<String, Value>, kid: &str) -> Result<(), Error> {
    match obj.get("kid") {
        None => Ok(()),
        Some(v) if v == kid => Ok(()),
        Some(v) => Err(Error::new(
            ErrorCode::Malformed,
            format!(
                "key file {}: \"kid\" {v} does not match the secret (its id is {kid:?}); \
                 the file was edited or mixed up",
                path.display()
            ),
        )),
    }
}

pub fn read_root(path: &Path) -> Result<RootKey, Error> {
    let obj = read_key_json(path, "root")?;
    let secret = zeroize::Zeroizing::new(secret_of(path, &obj, &["kind", "kid", "secret"])?);
    let key = RootKey::from_bytes(&secret)?;
    check_kid(path, &obj, key.kid())?;
    Ok(key)
}

pub fn read_signing(path: &Path) -> Result<SigningKey, Error> {
    let obj = read_key_json(path, "signing")?;
    let secret = zeroize::Zeroizing::new(secret_of(path, &obj, &["kind", "kid", "secret", "jwk"])?);
    let key = SigningKey::from_bytes(&secret)?;
    check_kid(path, &obj, &key.kid())?;
    if let Some(jwk) = obj.get("jwk") {
        if *jwk != key.public_key().to_jwk() {
            return Err(Error::new(
                ErrorCode::Malformed,
                format!(
                    "key file {}: \"jwk\" is not the public key of \"secret\"",
                    path.display()
                ),
            ));
        }
    }
    Ok(key)
}
