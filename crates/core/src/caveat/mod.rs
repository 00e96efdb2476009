//! Caveats: a strict subset of Google's Common Expression Language (CEL).
//!
//! People who write Kubernetes admission policies or Envoy RBAC rules already
//! know CEL, so caveats use it; Charter keeps its own lexer, parser and
//! evaluator so that evaluation is fast, bounded by counts (never by time) and
//! identical on every platform. Every expression Charter accepts means exactly
//! what it means in CEL; anything else is refused at compile time with
//! [`ErrorCode::CaveatSyntax`]. The language is specified in
//! `contract/caveat-language.md`.
//!
//! ```
//! use charter_core::caveat::{Context, Expr};
//! let e = Expr::compile("action == 'pay' && args.amount <= 5000").unwrap();
//! let args = serde_json::json!({"amount": 5000});
//! let ctx = Context {
//!     agent: "agent-1", action: "pay", args: &args, resource: None,
//!     audience: "bank", now: 1_700_000_000, holder: None,
//! };
//! assert!(e.eval(&ctx).unwrap());
//! ```

mod eval;
mod ext;
mod format;
mod kurl;
mod lexer;
mod net;
mod parser;
mod path;
mod regex;
mod time;
mod url;
mod value;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ext;

use std::sync::Arc;

use crate::ErrorCode;

/// Counted bounds on a caveat. Every one is a count, never a time, so the same
/// caveat gives the same answer however loaded the machine is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted source, in bytes (default 4096).
    pub max_expr_bytes: usize,
    /// Height of the syntax tree (default 64). CEL requires implementations to
    /// accept 32 repetitions of an operator (`1 + 1 + ... + 1`, 33 levels) and
    /// 12 levels of nesting; 64 leaves room for both and keeps recursion
    /// shallow. Values above 100 act as 100 (the hard cap that keeps even a
    /// debug build well inside a 2 MiB thread stack).
    pub max_depth: usize,
    /// Steps (default 10 000) for compiling the caveat's `matches()`
    /// patterns and then evaluating it: every node costs at least one step,
    /// string and list work costs in proportion to its size, macros charge
    /// every iteration, a pattern costs by the size of its compiled program.
    /// See `contract/caveat-language.md` for the cost table.
    pub max_steps: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expr_bytes: 4096,
            max_depth: 64,
            max_steps: 10_000,
        }
    }
}

/// What a caveat can see: the request (agent, action, arguments, resource)
/// and what only the verifier knows. `now` comes from the verifier's clock and
/// `audience` from its configuration, never from the request an agent sends.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The calling agent, as named in the request.
    pub agent: &'a str,
    /// The tool being called.
    pub action: &'a str,
    /// The tool call's JSON arguments: integers (no fraction or exponent) are
    /// CEL `int`, other numbers `double`, objects maps with string keys.
    pub args: &'a serde_json::Value,
    /// The resource the call acts on, when the request names one.
    pub resource: Option<&'a str>,
    /// The verifier's own identity, from its configuration.
    pub audience: &'a str,
    /// Unix seconds, from the verifier's clock.
    pub now: i64,
    /// JWK thumbprint, set only when a valid holder proof was shown.
    pub holder: Option<&'a str>,
}

/// Why a caveat could not be compiled or evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaveatError {
    /// Not valid CEL (a parse error).
    #[error("caveat syntax error at byte {at}: {msg}")]
    Syntax {
        /// Byte offset of the problem in the caveat source.
        at: usize,
        /// What the parser expected.
        msg: String,
    },
    /// Valid CEL, but outside the subset Charter accepts.
    #[error("caveat uses {what} at byte {at}, which is not in Charter's CEL subset")]
    Unsupported {
        /// Byte offset of the problem in the caveat source.
        at: usize,
        /// The construct (an operator, a function, a literal kind).
        what: String,
    },
    /// An identifier that is neither a caveat variable nor a macro variable.
    #[error("unknown identifier {name:?} at byte {at}; caveats can use agent, action, args, resource, audience, now and holder")]
    UnknownIdentifier {
        /// Byte offset of the problem in the caveat source.
        at: usize,
        /// The identifier as written.
        name: String,
    },
    /// A function that neither CEL's standard library nor one of the
    /// extension libraries Charter knows defines (a typo, or a function of
    /// some other environment).
    #[error("unknown function {name}() at byte {at}: neither CEL's standard library nor an extension library Charter knows defines it (contract/caveat-language.md lists the functions)")]
    UnknownFunction {
        /// Byte offset of the problem in the caveat source.
        at: usize,
        /// The function's name as written.
        name: String,
    },
    /// The source is longer than [`Limits::max_expr_bytes`].
    #[error("caveat is {len} bytes long; the limit is {max} bytes")]
    TooLong {
        /// The source's length, bytes.
        len: usize,
        /// The limit, bytes.
        max: usize,
    },
    /// The expression nests deeper than [`Limits::max_depth`].
    #[error("caveat nests deeper than {max} levels")]
    TooDeep {
        /// The limit, levels.
        max: usize,
    },
    /// A `matches()` pattern compiles to a program over the limit
    /// (`contract/caveat-language.md`, "matches").
    #[error("{msg} (pattern at byte {at})")]
    PatternTooLarge {
        /// Byte offset of the problem in the caveat source.
        at: usize,
        /// How large it is, and the limit.
        msg: String,
    },
    /// Compiling the caveat's `matches()` patterns alone costs more than
    /// [`Limits::max_steps`].
    #[error("compiling the regular expressions up to the one at byte {at} costs {steps} steps, more than the caveat's budget of {max} steps; use fewer or smaller patterns")]
    PatternsTooLarge {
        /// Byte offset of the problem in the caveat source.
        at: usize,
        /// Steps spent compiling up to that pattern.
        steps: u64,
        /// The step budget.
        max: u64,
    },
    /// Evaluation used up [`Limits::max_steps`].
    #[error("caveat evaluation needed more than {max} steps")]
    StepsExhausted {
        /// The step budget.
        max: u64,
    },
    /// Evaluation failed: missing field, type error, overflow, unbound
    /// variable. A caveat that fails to evaluate denies.
    #[error("{msg}")]
    Eval {
        /// What failed, naming the field or operation.
        msg: String,
    },
    /// The caveat reads `holder`, and no valid holder proof was shown: the
    /// capability is bound to a key the caller did not prove it holds.
    #[error("holder is not bound: this capability is bound to a holder key, and no holder proof was presented (sign one with that key for this request)")]
    HolderUnbound,
    /// The caveat evaluated to something other than a bool.
    #[error("caveat evaluated to {got}, not a bool")]
    NotBool {
        /// The value's CEL type.
        got: String,
    },
}

impl CaveatError {
    /// The stable code this failure is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            CaveatError::Syntax { .. }
            | CaveatError::Unsupported { .. }
            | CaveatError::UnknownIdentifier { .. }
            | CaveatError::UnknownFunction { .. } => ErrorCode::CaveatSyntax,
            CaveatError::TooLong { .. }
            | CaveatError::TooDeep { .. }
            | CaveatError::PatternTooLarge { .. }
            | CaveatError::PatternsTooLarge { .. }
            | CaveatError::StepsExhausted { .. } => ErrorCode::LimitExceeded,
            CaveatError::HolderUnbound => ErrorCode::ProofRequired,
            CaveatError::Eval { .. } | CaveatError::NotBool { .. } => ErrorCode::CaveatError,
        }
    }

    pub(crate) fn eval(msg: impl Into<String>) -> Self {
        CaveatError::Eval { msg: msg.into() }
    }
}

impl From<CaveatError> for crate::Error {
    fn from(e: CaveatError) -> Self {
        crate::Error::new(e.code(), e.to_string())
    }
}

/// A compiled caveat: parsed, names resolved, regexes built. Cheap to clone
/// and to evaluate many times, from any thread.
#[derive(Clone, Debug)]
pub struct Expr {
    src: Arc<str>,
    root: Arc<parser::Node>,
    /// Steps its patterns cost to compile; every evaluation starts with them
    /// spent, whether or not the verifier had the caveat compiled already.
    compile_steps: u64,
}

/// The variables every caveat can name, in slot order.
pub(crate) const VARIABLES: [&str; 7] = [
    "agent", "action", "args", "resource", "audience", "now", "holder",
];

impl Expr {
    /// Compiles with [`Limits::default`].
    pub fn compile(src: &str) -> Result<Expr, CaveatError> {
        Expr::compile_with(src, &Limits::default())
    }

    /// Compiles under explicit `limits` (what a verifier configured).
    pub fn compile_with(src: &str, limits: &Limits) -> Result<Expr, CaveatError> {
        Expr::compile_env(src, limits, &VARIABLES)
    }

    fn compile_env(src: &str, limits: &Limits, vars: &[&str]) -> Result<Expr, CaveatError> {
        if src.len() > limits.max_expr_bytes {
            return Err(CaveatError::TooLong {
                len: src.len(),
                max: limits.max_expr_bytes,
            });
        }
        let (root, compile_steps) = parser::parse(src, limits.max_depth, limits.max_steps, vars)?;
        Ok(Expr {
            src: Arc::from(src),
            root: Arc::new(root),
            compile_steps,
        })
    }

    /// The source text this caveat was compiled from.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Evaluates with the default step budget.
    pub fn eval(&self, ctx: &Context) -> Result<bool, CaveatError> {
        self.eval_with(ctx, &Limits::default())
    }

    /// Evaluates with `limits.max_steps` as the step budget; the result must be
    /// a bool.
    pub fn eval_with(&self, ctx: &Context, limits: &Limits) -> Result<bool, CaveatError> {
        let vars = eval::Vars::Ctx(ctx);
        match eval::run(&self.root, &vars, self.compile_steps, limits.max_steps)? {
            value::Val::Bool(b) => Ok(b),
            other => Err(CaveatError::NotBool {
                got: eval::a_type(&other),
            }),
        }
    }
}

impl Expr {
    /// Evaluates to an int (a `budget(...)` caveat's amount, see
    /// [`crate::budget`]); any other type is a `caveat_error`.
    pub(crate) fn eval_int(&self, ctx: &Context) -> Result<i64, CaveatError> {
        let vars = eval::Vars::Ctx(ctx);
        let limits = Limits::default();
        match eval::run(&self.root, &vars, self.compile_steps, limits.max_steps)? {
            value::Val::Int(i) => Ok(i),
            other => Err(CaveatError::eval(format!(
                "a budget amount is an int, got {}",
                eval::a_type(&other)
            ))),
        }
    }
}

/// Hooks for the CEL conformance test: evaluate to any value, with arbitrary
/// variable names. Not part of the API.
#[doc(hidden)]
pub mod testing {
    use super::*;

    /// A CEL value, owned.
    #[derive(Clone, Debug, PartialEq)]
    pub enum TestValue {
        Null,
        Bool(bool),
        Int(i64),
        Uint(u64),
        Double(f64),
        String(String),
        List(Vec<TestValue>),
        Map(Vec<(TestValue, TestValue)>),
        /// Seconds and nanoseconds since the Unix epoch.
        Timestamp(i64, u32),
        /// Nanoseconds.
        Duration(i64),
        /// A Kubernetes `net.IP`.
        Ip(std::net::IpAddr),
        /// A Kubernetes `net.CIDR`: address as written, prefix length.
        Cidr(std::net::IpAddr, u8),
        /// A Kubernetes `kubernetes.URL`, by the text it was parsed from
        /// (a result only: given as a binding it is that text, a string).
        Url(String),
    }

    /// The program size of a `matches()` pattern, in program units (for
    /// tests and benchmarks of the cost model).
    pub fn pattern_size(pattern: &str) -> Result<u64, String> {
        super::regex::compile(pattern)
            .map(|p| p.size())
            .map_err(|e| format!("{e:?}"))
    }

    /// Evaluates `expr` against `ctx` with `limits.max_steps` as the budget, as
    /// [`Expr::eval_with`] does, and also returns the steps it charged.
    pub fn eval_counted(
        expr: &Expr,
        ctx: &Context,
        limits: &Limits,
    ) -> (Result<bool, CaveatError>, u64) {
        let vars = eval::Vars::Ctx(ctx);
        let (result, steps) =
            eval::run_counted(&expr.root, &vars, expr.compile_steps, limits.max_steps);
        let result = result.and_then(|v| match v {
            value::Val::Bool(b) => Ok(b),
            other => Err(CaveatError::NotBool {
                got: eval::a_type(&other),
            }),
        });
        (result, steps)
    }

    /// Compiles `src` with `bindings` as its variables and evaluates it to a value.
    pub fn eval_value(src: &str, bindings: &[(&str, TestValue)]) -> Result<TestValue, CaveatError> {
        let names: Vec<&str> = bindings.iter().map(|(n, _)| *n).collect();
        let limits = Limits::default();
        let expr = Expr::compile_env(src, &limits, &names)?;
        let vals: Vec<value::Val> = bindings
            .iter()
            .map(|(_, v)| value::Val::from_test(v))
            .collect();
        let vars = eval::Vars::Test(&vals);
        let v = eval::run(&expr.root, &vars, expr.compile_steps, limits.max_steps)?;
        Ok(v.to_test())
    }
}
