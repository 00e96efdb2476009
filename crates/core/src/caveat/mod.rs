// TEMPORARY local stub; the real module lands from the caveat branch.
use crate::ErrorCode;
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaveatError {
    #[error("syntax: {0}")]
    Syntax(String),
    #[error("limit: {0}")]
    Limit(String),
    #[error("eval: {0}")]
    Eval(String),
}
impl CaveatError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CaveatError::Syntax(_) => ErrorCode::CaveatSyntax,
            CaveatError::Limit(_) => ErrorCode::LimitExceeded,
            CaveatError::Eval(_) => ErrorCode::CaveatError,
        }
    }
}
impl From<CaveatError> for crate::Error {
    fn from(e: CaveatError) -> Self {
        crate::Error::new(e.code(), e.to_string())
    }
}
pub struct Limits {
    pub max_expr_bytes: usize,
    pub max_depth: usize,
    pub max_steps: u64,
}
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expr_bytes: 4096,
            max_depth: 32,
            max_steps: 10_000,
        }
    }
}
#[derive(Clone, Debug)]
pub struct Expr {
    src: String,
}
pub struct Context<'a> {
    pub agent: &'a str,
    pub action: &'a str,
    pub args: &'a serde_json::Value,
    pub resource: Option<&'a str>,
    pub audience: &'a str,
    pub now: i64,
    pub holder: Option<&'a str>,
}
impl Expr {
    pub fn compile(src: &str) -> Result<Expr, CaveatError> {
        if src.len() > 4096 {
            return Err(CaveatError::Limit("big".into()));
        }
        if src.contains("@@") {
            return Err(CaveatError::Syntax("bad".into()));
        }
        Ok(Expr { src: src.into() })
    }
    pub fn source(&self) -> &str {
        &self.src
    }
    pub fn eval(&self, ctx: &Context) -> Result<bool, CaveatError> {
        if let Some(h) = self.src.strip_prefix("holder == ") {
            return match ctx.holder {
                Some(x) => Ok(format!("\"{x}\"") == h),
                None => Err(CaveatError::Eval("holder unbound".into())),
            };
        }
        if self.src.starts_with("now < ") {
            return Ok(ctx.now < 2_000_000_000);
        }
        if self.src.starts_with("action in ") {
            return Ok(self.src.contains(&format!("\"{}\"", ctx.action)));
        }
        if let Some(n) = self.src.strip_prefix("args.amount <= ") {
            return match ctx.args.get("amount").and_then(|v| v.as_i64()) {
                Some(a) => Ok(a <= n.parse::<i64>().unwrap()),
                None => Err(CaveatError::Eval("no amount".into())),
            };
        }
        Ok(self.src != "false")
    }
}
