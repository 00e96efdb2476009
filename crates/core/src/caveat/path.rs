//! Charter's `path` library: lexical containment of POSIX paths, for the
//! caveat an agent's file arguments need (`path.within(args.file, '/data')`).
//! No CEL library covers it. Lexical means the text alone decides: `.` and
//! `..` are resolved, the filesystem is never consulted, so a symbolic link
//! inside the root that points outside it is not seen (see
//! contract/caveat-language.md, "path").

use super::ext::{str_cost, Meter};
use super::value::Val;
use super::CaveatError;

/// The `path` functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathFn {
    Within,
    Clean,
}

/// `path.within(p, root)` and `path.clean(p)`: the function, min and max
/// arguments.
pub(crate) fn namespaced(name: &str) -> Option<(PathFn, usize, usize)> {
    match name {
        "within" => Some((PathFn::Within, 2, 2)),
        "clean" => Some((PathFn::Clean, 1, 1)),
        _ => None,
    }
}

/// Resolves an absolute POSIX path lexically into its segments, or says why
/// it is refused: not absolute, a NUL byte, a backslash (a separator on
/// Windows, so the same text names different files on different systems),
/// or a leading `//` (whose meaning POSIX leaves to the implementation).
/// Repeated `/` inside the path collapse, `.` is dropped, `..` removes the
/// segment before it and stays at `/` at the top, as the kernel resolves it.
pub(crate) fn resolve(p: &str) -> Result<Vec<&str>, String> {
    if p.contains('\0') {
        return Err(format!("path {p:?} contains a NUL byte"));
    }
    if p.contains('\\') {
        return Err(format!(
            "path {p:?} contains a backslash, which is a separator on Windows and a file name character on POSIX; refuse or normalise it before the check"
        ));
    }
    if !p.starts_with('/') {
        return Err(format!(
            "path {p:?} is not absolute; a relative path depends on a working directory the verifier cannot know (join it to its base first, e.g. '/data/' + args.file)"
        ));
    }
    if p.starts_with("//") && !p.starts_with("///") {
        return Err(format!(
            "path {p:?} starts with exactly two slashes, whose meaning POSIX leaves to the system"
        ));
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    Ok(out)
}

fn string_arg<'v>(f: &str, v: &'v Val<'_>) -> Result<&'v str, CaveatError> {
    match v {
        Val::Str(s) => Ok(s.as_str()),
        other => Err(CaveatError::eval(format!(
            "no such overload: {f}() needs a string, got {}",
            super::eval::a_type(other)
        ))),
    }
}

/// Calls `f` on evaluated arguments.
pub(crate) fn call<'a>(
    m: &mut dyn Meter,
    f: PathFn,
    args: &[Val<'a>],
) -> Result<Val<'a>, CaveatError> {
    match f {
        PathFn::Within => {
            let p = string_arg("path.within", &args[0])?;
            let root = string_arg("path.within", &args[1])?;
            // Resolving touches every byte once, and so does the comparison.
            m.charge(str_cost(p.len() + root.len()).saturating_add(1))?;
            let p = resolve(p).map_err(CaveatError::eval)?;
            let root = resolve(root).map_err(CaveatError::eval)?;
            Ok(Val::Bool(
                p.len() >= root.len() && p[..root.len()] == root[..],
            ))
        }
        PathFn::Clean => {
            let p = string_arg("path.clean", &args[0])?;
            m.charge(str_cost(p.len()).saturating_add(1))?;
            let segs = resolve(p).map_err(CaveatError::eval)?;
            Ok(Val::owned_str(format!("/{}", segs.join("/"))))
        }
    }
}
