//! Recursive-descent parser for CEL's grammar, resolving names as it goes.
//! Recursion depth is checked before every descent and the tree's height
//! after every node, so hostile input (`((((...`, `!!!!...`) is refused with
//! a limit error instead of overflowing the stack.

use std::cell::Cell;
use std::sync::Arc;

use super::lexer::{tokenize, Sym, Tok, Token};
use super::regex::{Pattern, PatternError};
use super::CaveatError;

/// Whatever the caller's `max_depth`, parsing and evaluation never nest deeper
/// than this (each level is a few stack frames).
pub(crate) const HARD_MAX_DEPTH: usize = 100;

#[derive(Debug)]
pub(crate) enum Const {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(Box<str>),
    /// `timestamp('...')` and `duration('...')` of a valid literal, folded
    /// when the caveat is compiled (an invalid one stays a call and fails
    /// at evaluation, as in CEL).
    Ts(i64, u32),
    Dur(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    Size,
    Int,
    Uint,
    Double,
    String,
    Bool,
    Dyn,
    Timestamp,
    Duration,
    StartsWith,
    EndsWith,
    Contains,
    /// A timestamp or duration accessor, in UTC.
    Get(Getter),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Getter {
    FullYear,
    Month,
    DayOfYear,
    DayOfMonth,
    Date,
    DayOfWeek,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacroKind {
    All,
    Exists,
    ExistsOne,
}

#[derive(Debug)]
pub(crate) enum Node {
    Const(Const),
    /// A caveat variable, by slot.
    Var(usize),
    /// A macro's iteration variable, by scope slot.
    Local(usize),
    List(Vec<Node>),
    /// A list literal whose elements are all constants.
    ConstList(Vec<Const>),
    Map(Vec<(Node, Node)>),
    /// `operand.field`; `desc` is the operand's source text, for messages.
    Select(Box<Node>, Box<str>, Box<str>),
    Has(Box<Node>, Box<str>),
    Index(Box<Node>, Box<Node>, Box<str>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
    /// `s.matches(re)`: the compiled pattern's size scales the step cost.
    Matches(Box<Node>, Arc<Pattern>),
    Macro(MacroKind, Box<Node>, usize, Box<Node>),
    /// The two-variable forms `all(i, v, p)`, `exists(i, v, p)`,
    /// `existsOne(i, v, p)` (cel-go's comprehensions extension): the index
    /// or key is in `slot`, the element or value in `slot + 1`.
    Macro2(MacroKind, Box<Node>, usize, Box<Node>),
    /// `transformList(i, v, [p,] f)` (`map` = false) and
    /// `transformMap(k, v, [p,] f)` (`map` = true): the target, the first
    /// variable's slot, the filter and the transform.
    Transform(bool, Box<Node>, usize, Option<Box<Node>>, Box<Node>),
    /// `l.sortBy(x, key)` (cel-go's lists extension): the target, the
    /// variable's slot and the key expression.
    SortBy(Box<Node>, usize, Box<Node>),
    /// `l.map(x, f)`, `l.map(x, p, f)` and `l.filter(x, p)`: the target, the
    /// iteration variable's slot, the filter (if any) and the transform (for
    /// `filter`, none: the element itself).
    Collect(Box<Node>, usize, Option<Box<Node>>, Option<Box<Node>>),
    /// An extension library function (caveat/ext.rs), with its arguments
    /// (the receiver first).
    Ext(super::ext::Ext, Vec<Node>),
    /// `s.find(re)`, `s.findAll(re)`, `s.findAll(re, n)`: the compiled
    /// pattern, as for `matches`.
    Find(Box<Node>, Arc<Pattern>, Option<Box<Node>>),
}

#[derive(Clone, Copy)]
enum Op {
    Or,
    And,
    Bin(BinOp),
}

/// A parsed node with the height of its tree and where its source starts.
struct P {
    node: Node,
    h: usize,
    at: usize,
}

const RESERVED: [&str; 17] = [
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

const TYPE_NAMES: [&str; 11] = [
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
];

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    pos: usize,
    vars: &'s [&'s str],
    scope: Vec<String>,
    max_depth: usize,
    depth: usize,
    /// Steps charged so far for compiling the caveat's patterns, and the
    /// budget they must stay within.
    compile_steps: Cell<u64>,
    max_steps: u64,
}

/// Parses `src`; returns the tree and the steps its patterns cost to compile.
pub(crate) fn parse(
    src: &str,
    max_depth: usize,
    max_steps: u64,
    vars: &[&str],
) -> Result<(Node, u64), CaveatError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        vars,
        scope: Vec::new(),
        max_depth: max_depth.min(HARD_MAX_DEPTH),
        depth: 0,
        compile_steps: Cell::new(0),
        max_steps,
    };
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        return Err(p.unexpected());
    }
    Ok((e.node, p.compile_steps.get()))
}

fn syntax(at: usize, msg: impl Into<String>) -> CaveatError {
    CaveatError::Syntax {
        at,
        msg: msg.into(),
    }
}

fn unsupported(at: usize, what: impl Into<String>) -> CaveatError {
    CaveatError::Unsupported {
        at,
        what: what.into(),
    }
}

/// A function Charter does not have: outside the subset when CEL or one of
/// its extension libraries defines it, unknown otherwise.
fn refused_function(at: usize, name: &str) -> CaveatError {
    if super::ext::KNOWN_UNSUPPORTED.contains(&name) {
        unsupported(
            at,
            format!("the function {name}() (CEL or one of its extension libraries defines it)"),
        )
    } else {
        CaveatError::UnknownFunction {
            at,
            name: name.to_string(),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Int(v) => format!("number {v}"),
        Tok::Uint(v) => format!("number {v}u"),
        Tok::Double(v) => format!("number {v}"),
        Tok::Str(_) => "a string".into(),
        Tok::Ident(s) => format!("{s:?}"),
        Tok::Quoted(s) => format!("`{s}`"),
        Tok::Sym(s) => format!("{:?}", sym_text(*s)),
        Tok::Eof => "end of the caveat".into(),
    }
}

fn sym_text(s: Sym) -> &'static str {
    match s {
        Sym::EqEq => "==",
        Sym::Ne => "!=",
        Sym::Lt => "<",
        Sym::Le => "<=",
        Sym::Gt => ">",
        Sym::Ge => ">=",
        Sym::AndAnd => "&&",
        Sym::OrOr => "||",
        Sym::Not => "!",
        Sym::Question => "?",
        Sym::Colon => ":",
        Sym::Plus => "+",
        Sym::Minus => "-",
        Sym::Star => "*",
        Sym::Slash => "/",
        Sym::Percent => "%",
        Sym::Dot => ".",
        Sym::Comma => ",",
        Sym::LParen => "(",
        Sym::RParen => ")",
        Sym::LBracket => "[",
        Sym::RBracket => "]",
        Sym::LBrace => "{",
        Sym::RBrace => "}",
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    fn at(&self) -> usize {
        self.toks[self.pos].at
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn is(&self, s: Sym) -> bool {
        self.peek() == &Tok::Sym(s)
    }

    fn eat(&mut self, s: Sym) -> bool {
        if self.is(s) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: Sym) -> Result<(), CaveatError> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(syntax(
                self.at(),
                format!(
                    "expected {:?} but found {}",
                    sym_text(s),
                    describe(self.peek())
                ),
            ))
        }
    }

    fn unexpected(&self) -> CaveatError {
        syntax(self.at(), format!("unexpected {}", describe(self.peek())))
    }

    /// Builds a node of height `h`, refusing trees taller than the limit.
    fn mk(&self, node: Node, h: usize, at: usize) -> Result<P, CaveatError> {
        if h > self.max_depth {
            return Err(CaveatError::TooDeep {
                max: self.max_depth,
            });
        }
        Ok(P { node, h, at })
    }

    fn text(&self, from: usize, to: usize) -> Box<str> {
        let t = self.src[from..to].trim();
        if t.chars().count() > 60 {
            let cut: String = t.chars().take(57).collect();
            format!("{cut}...").into()
        } else {
            t.into()
        }
    }

    fn expr(&mut self) -> Result<P, CaveatError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(CaveatError::TooDeep {
                max: self.max_depth,
            });
        }
        let r = self.ternary();
        self.depth -= 1;
        r
    }

    fn ternary(&mut self) -> Result<P, CaveatError> {
        let c = self.binary()?;
        if !self.eat(Sym::Question) {
            return Ok(c);
        }
        let t = self.binary()?;
        self.expect(Sym::Colon)?;
        let e = self.expr()?;
        let h = 1 + c.h.max(t.h).max(e.h);
        let at = c.at;
        self.mk(
            Node::Cond(Box::new(c.node), Box::new(t.node), Box::new(e.node)),
            h,
            at,
        )
    }

    fn peek_op(&self) -> Option<(Op, u8)> {
        Some(match self.peek() {
            Tok::Sym(Sym::OrOr) => (Op::Or, 1),
            Tok::Sym(Sym::AndAnd) => (Op::And, 2),
            Tok::Sym(Sym::EqEq) => (Op::Bin(BinOp::Eq), 3),
            Tok::Sym(Sym::Ne) => (Op::Bin(BinOp::Ne), 3),
            Tok::Sym(Sym::Lt) => (Op::Bin(BinOp::Lt), 3),
            Tok::Sym(Sym::Le) => (Op::Bin(BinOp::Le), 3),
            Tok::Sym(Sym::Gt) => (Op::Bin(BinOp::Gt), 3),
            Tok::Sym(Sym::Ge) => (Op::Bin(BinOp::Ge), 3),
            Tok::Ident(s) if s == "in" => (Op::Bin(BinOp::In), 3),
            Tok::Sym(Sym::Plus) => (Op::Bin(BinOp::Add), 4),
            Tok::Sym(Sym::Minus) => (Op::Bin(BinOp::Sub), 4),
            Tok::Sym(Sym::Star) => (Op::Bin(BinOp::Mul), 5),
            Tok::Sym(Sym::Slash) => (Op::Bin(BinOp::Div), 5),
            Tok::Sym(Sym::Percent) => (Op::Bin(BinOp::Rem), 5),
            _ => return None,
        })
    }

    /// CEL's binary operators, all left-associative, by precedence
    /// (`||` < `&&` < relations and `in` < `+ -` < `* / %`), parsed with
    /// explicit stacks instead of one recursive function per level.
    fn binary(&mut self) -> Result<P, CaveatError> {
        let mut operands = vec![self.unary()?];
        let mut ops: Vec<(Op, u8)> = Vec::new();
        while let Some((op, prec)) = self.peek_op() {
            self.bump();
            while ops.last().is_some_and(|&(_, p)| p >= prec) {
                self.reduce(&mut operands, &mut ops)?;
            }
            ops.push((op, prec));
            operands.push(self.unary()?);
        }
        while !ops.is_empty() {
            self.reduce(&mut operands, &mut ops)?;
        }
        Ok(operands
            .pop()
            .expect("n operators reduce n + 1 operands to one"))
    }

    fn reduce(&self, operands: &mut Vec<P>, ops: &mut Vec<(Op, u8)>) -> Result<(), CaveatError> {
        let (op, _) = ops
            .pop()
            .expect("reduce is called only while an operator is pending");
        let r = operands
            .pop()
            .expect("each pending operator has two operands");
        let l = operands
            .pop()
            .expect("each pending operator has two operands");
        let at = l.at;
        let p = match (op, l.node) {
            // `a && b && c` is one node with three operands, as in CEL.
            (Op::And, Node::And(mut items)) => {
                items.push(r.node);
                self.mk(Node::And(items), l.h.max(r.h + 1), at)?
            }
            (Op::Or, Node::Or(mut items)) => {
                items.push(r.node);
                self.mk(Node::Or(items), l.h.max(r.h + 1), at)?
            }
            (Op::And, ln) => self.mk(Node::And(vec![ln, r.node]), 1 + l.h.max(r.h), at)?,
            (Op::Or, ln) => self.mk(Node::Or(vec![ln, r.node]), 1 + l.h.max(r.h), at)?,
            (Op::Bin(b), ln) => self.mk(
                Node::Bin(b, Box::new(ln), Box::new(r.node)),
                1 + l.h.max(r.h),
                at,
            )?,
        };
        operands.push(p);
        Ok(())
    }

    /// `!`+ and `-`+ as CEL's parser treats them: an even run cancels out,
    /// an odd run is one operator; a `-` right before a number is its sign.
    fn unary(&mut self) -> Result<P, CaveatError> {
        let at = self.at();
        if self.is(Sym::Not) {
            let mut k = 0usize;
            while self.eat(Sym::Not) {
                k += 1;
                self.unary_run(k)?;
            }
            let m = self.member()?;
            if k.is_multiple_of(2) {
                return Ok(m);
            }
            return self.mk(Node::Not(Box::new(m.node)), m.h + 1, at);
        }
        if self.is(Sym::Minus) {
            let mut k = 0usize;
            while self.is(Sym::Minus) && !matches!(self.peek_at(1), Tok::Int(_) | Tok::Double(_)) {
                self.bump();
                k += 1;
                self.unary_run(k)?;
            }
            let m = self.member()?;
            if k.is_multiple_of(2) {
                return Ok(m);
            }
            return self.mk(Node::Neg(Box::new(m.node)), m.h + 1, at);
        }
        self.member()
    }

    /// A run of prefix operators counts as nesting, even where CEL cancels
    /// pairs out, so `!!!!...` is bounded like `((((...`.
    fn unary_run(&self, k: usize) -> Result<(), CaveatError> {
        if self.depth + k > self.max_depth {
            return Err(CaveatError::TooDeep {
                max: self.max_depth,
            });
        }
        Ok(())
    }

    fn member(&mut self) -> Result<P, CaveatError> {
        let mut cur = self.primary()?;
        loop {
            cur = if self.is(Sym::Dot) {
                self.dot(cur)?
            } else if self.is(Sym::LBracket) {
                self.index(cur)?
            } else if self.is(Sym::LBrace) {
                return Err(unsupported(self.at(), "message construction (Type{...})"));
            } else {
                return Ok(cur);
            };
        }
    }

    /// `.field`, `` .`field` `` or `.method(...)` after `cur`.
    fn dot(&mut self, cur: P) -> Result<P, CaveatError> {
        let start = cur.at;
        let dot_at = self.at();
        self.bump();
        let name_at = self.at();
        let name = match self.bump().tok {
            Tok::Ident(name) if self.is(Sym::LParen) => return self.method(cur, &name, name_at),
            Tok::Ident(name) | Tok::Quoted(name) => name,
            Tok::Sym(Sym::Question) => {
                return Err(unsupported(dot_at, "optional field selection (.?)"))
            }
            other => {
                return Err(syntax(
                    name_at,
                    format!(
                        "expected a field name after '.' but found {}",
                        describe(&other)
                    ),
                ))
            }
        };
        let desc = self.text(start, dot_at);
        let h = cur.h + 1;
        self.mk(
            Node::Select(Box::new(cur.node), name.into(), desc),
            h,
            start,
        )
    }

    /// `[index]` after `cur`.
    fn index(&mut self, cur: P) -> Result<P, CaveatError> {
        let start = cur.at;
        let br_at = self.at();
        self.bump();
        if self.is(Sym::Question) {
            return Err(unsupported(br_at, "optional indexing ([?])"));
        }
        let idx = self.expr()?;
        self.expect(Sym::RBracket)?;
        let desc = self.text(start, br_at);
        let h = 1 + cur.h.max(idx.h);
        self.mk(
            Node::Index(Box::new(cur.node), Box::new(idx.node), desc),
            h,
            start,
        )
    }

    fn args(&mut self) -> Result<Vec<P>, CaveatError> {
        self.expect(Sym::LParen)?;
        let mut out = Vec::new();
        if self.eat(Sym::RParen) {
            return Ok(out);
        }
        loop {
            out.push(self.expr()?);
            if self.eat(Sym::RParen) {
                return Ok(out);
            }
            self.expect(Sym::Comma)?;
        }
    }

    fn method(&mut self, recv: P, name: &str, at: usize) -> Result<P, CaveatError> {
        const METHODS: [&str; 15] = [
            "getFullYear",
            "getMonth",
            "getDayOfYear",
            "getDayOfMonth",
            "getDate",
            "getDayOfWeek",
            "getHours",
            "getMinutes",
            "getSeconds",
            "getMilliseconds",
            "size",
            "startsWith",
            "endsWith",
            "contains",
            "matches",
        ];
        if matches!(
            name,
            "all" | "exists" | "exists_one" | "existsOne" | "transformList" | "transformMap"
        ) {
            return self.macro_call(recv, name, at);
        }
        if matches!(name, "map" | "filter") {
            return self.collect_call(recv, name, at);
        }
        if name == "sortBy" {
            return self.sort_by_call(recv, at);
        }
        if matches!(name, "find" | "findAll") {
            let args = self.args()?;
            return self.find(recv, name, args, at);
        }
        if let Some((f, lo, hi)) = super::ext::method(name) {
            let args = self.args()?;
            return self.ext_call(f, name, Some(recv), args, lo, hi, at);
        }
        if !METHODS.contains(&name) {
            return Err(refused_function(at, name));
        }
        let args = self.args()?;
        self.finish_method(recv, name, args, at)
    }

    /// The variable a macro binds, as its next argument.
    fn macro_var(&mut self, name: &str) -> Result<String, CaveatError> {
        let var_at = self.at();
        match self.bump().tok {
            Tok::Ident(v) if !RESERVED.contains(&v.as_str()) && v != "in" => Ok(v),
            _ => Err(syntax(
                var_at,
                format!("{name}() needs a variable name as its first argument"),
            )),
        }
    }

    /// `all`, `exists`, `exists_one` (one variable), and the two-variable
    /// macros of cel-go's comprehensions extension: `all`, `exists`,
    /// `existsOne`, `transformList`, `transformMap`.
    fn macro_call(&mut self, recv: P, name: &str, at: usize) -> Result<P, CaveatError> {
        let start = recv.at;
        let kind = match name {
            "all" => MacroKind::All,
            "exists" => MacroKind::Exists,
            _ => MacroKind::ExistsOne,
        };
        self.expect(Sym::LParen)?;
        let var = self.macro_var(name)?;
        self.expect(Sym::Comma)?;
        let two = matches!(self.peek(), Tok::Ident(_)) && self.peek_at(1) == &Tok::Sym(Sym::Comma);
        let two_only = matches!(name, "existsOne" | "transformList" | "transformMap");
        if name == "existsOne" && !two {
            return Err(unsupported(
                at,
                "the one-variable form of existsOne() (write exists_one(x, p))",
            ));
        }
        if two_only && !two {
            return Err(syntax(
                at,
                format!("{name}() takes two variables: {name}(i, v, ...)"),
            ));
        }
        if !two {
            let slot = self.scope.len();
            self.scope.push(var);
            let pred = self.expr();
            self.scope.pop();
            let pred = pred?;
            self.expect(Sym::RParen)?;
            let h = 1 + recv.h.max(pred.h);
            return self.mk(
                Node::Macro(kind, Box::new(recv.node), slot, Box::new(pred.node)),
                h,
                start,
            );
        }
        if name == "exists_one" {
            return Err(unsupported(
                at,
                "the two-variable form of exists_one() (write existsOne(i, v, p))",
            ));
        }
        let var2_at = self.at();
        let var2 = self.macro_var(name)?;
        if var2 == var {
            return Err(syntax(
                var2_at,
                format!("{name}(): the two variables must have different names, both are {var:?}"),
            ));
        }
        self.expect(Sym::Comma)?;
        let slot = self.scope.len();
        self.scope.push(var);
        self.scope.push(var2);
        let first = self.expr();
        let second = match first {
            Ok(_) if self.eat(Sym::Comma) => Some(self.expr()),
            _ => None,
        };
        self.scope.truncate(slot);
        let first = first?;
        let second = second.transpose()?;
        self.expect(Sym::RParen)?;
        let h = 1 + recv.h.max(first.h).max(second.as_ref().map_or(0, |s| s.h));
        let target = Box::new(recv.node);
        let node = match (name, second) {
            ("transformList" | "transformMap", None) => Node::Transform(
                name == "transformMap",
                target,
                slot,
                None,
                Box::new(first.node),
            ),
            ("transformList" | "transformMap", Some(t)) => Node::Transform(
                name == "transformMap",
                target,
                slot,
                Some(Box::new(first.node)),
                Box::new(t.node),
            ),
            (_, None) => Node::Macro2(kind, target, slot, Box::new(first.node)),
            (_, Some(_)) => {
                return Err(syntax(
                    at,
                    format!("{name}() takes two variables and a predicate"),
                ))
            }
        };
        self.mk(node, h, start)
    }

    fn finish_method(
        &self,
        recv: P,
        name: &str,
        args: Vec<P>,
        at: usize,
    ) -> Result<P, CaveatError> {
        let start = recv.at;
        match name {
            "getFullYear" | "getMonth" | "getDayOfYear" | "getDayOfMonth" | "getDate"
            | "getDayOfWeek" | "getHours" | "getMinutes" | "getSeconds" | "getMilliseconds" => {
                if !args.is_empty() {
                    return Err(unsupported(
                        at,
                        format!("{name}() with a time zone (only UTC, {name}(), is supported)"),
                    ));
                }
                let g = match name {
                    "getFullYear" => Getter::FullYear,
                    "getMonth" => Getter::Month,
                    "getDayOfYear" => Getter::DayOfYear,
                    "getDayOfMonth" => Getter::DayOfMonth,
                    "getDate" => Getter::Date,
                    "getDayOfWeek" => Getter::DayOfWeek,
                    "getHours" => Getter::Hours,
                    "getMinutes" => Getter::Minutes,
                    "getSeconds" => Getter::Seconds,
                    _ => Getter::Milliseconds,
                };
                let h = recv.h + 1;
                self.mk(Node::Call(Func::Get(g), vec![recv.node]), h, start)
            }
            "size" | "startsWith" | "endsWith" | "contains" | "matches" => {
                let want = usize::from(name != "size");
                if args.len() != want {
                    return Err(syntax(
                        at,
                        format!("{name}() takes {want} argument(s), got {}", args.len()),
                    ));
                }
                if name == "matches" {
                    let pat = args
                        .into_iter()
                        .next()
                        .expect("the argument count was checked");
                    return self.matches(recv, pat, start);
                }
                let f = match name {
                    "size" => Func::Size,
                    "startsWith" => Func::StartsWith,
                    "endsWith" => Func::EndsWith,
                    _ => Func::Contains,
                };
                let h = 1 + args.iter().map(|a| a.h).max().unwrap_or(0).max(recv.h);
                let mut nodes = vec![recv.node];
                nodes.extend(args.into_iter().map(|a| a.node));
                self.mk(Node::Call(f, nodes), h, start)
            }
            _ => Err(refused_function(at, name)),
        }
    }

    fn matches(&self, target: P, pat: P, start: usize) -> Result<P, CaveatError> {
        let re = self.pattern(&pat, "matches")?;
        let h = 1 + target.h;
        self.mk(Node::Matches(Box::new(target.node), re), h, start)
    }

    /// Compiles a pattern literal, charging its compile cost to the budget.
    fn pattern(&self, pat: &P, func: &str) -> Result<Arc<Pattern>, CaveatError> {
        let Node::Const(Const::Str(p)) = &pat.node else {
            return Err(unsupported(
                pat.at,
                format!("a {func}() pattern that is not a string literal"),
            ));
        };
        let compiled = if func == "matches" {
            super::regex::compile(p)
        } else {
            super::regex::compile_find(p)
        };
        let re = compiled.map_err(|e| match e {
            PatternError::Invalid(m) => syntax(pat.at, m),
            PatternError::TooLarge(msg) => CaveatError::PatternTooLarge { at: pat.at, msg },
        })?;
        // Compiling is paid from the caveat's step budget, counted here so a
        // caveat packed with patterns stops compiling as soon as it is over.
        let steps = self.compile_steps.get().saturating_add(re.compile_steps());
        self.compile_steps.set(steps);
        if steps > self.max_steps {
            return Err(CaveatError::PatternsTooLarge {
                at: pat.at,
                steps,
                max: self.max_steps,
            });
        }
        Ok(re)
    }

    fn global_call(&mut self, name: &str, at: usize) -> Result<P, CaveatError> {
        let f = match name {
            "size" => Func::Size,
            "int" => Func::Int,
            "uint" => Func::Uint,
            "double" => Func::Double,
            "string" => Func::String,
            "bool" => Func::Bool,
            "dyn" => Func::Dyn,
            "timestamp" => Func::Timestamp,
            "duration" => Func::Duration,
            "has" | "matches" => Func::Dyn,
            _ => {
                if let Some((f, lo, hi)) = super::kurl::global(name) {
                    let args = self.args()?;
                    return self.ext_call(super::ext::Ext::Kurl(f), name, None, args, lo, hi, at);
                }
                if let Some((f, lo, hi)) = super::net::global(name) {
                    let args = self.args()?;
                    return self.ext_call(super::ext::Ext::Net(f), name, None, args, lo, hi, at);
                }
                return Err(refused_function(at, name));
            }
        };
        let args = self.args()?;
        self.finish_global(name, f, args, at)
    }

    fn finish_global(
        &self,
        name: &str,
        f: Func,
        args: Vec<P>,
        at: usize,
    ) -> Result<P, CaveatError> {
        let want = if name == "matches" { 2 } else { 1 };
        if args.len() != want {
            return Err(syntax(
                at,
                format!("{name}() takes {want} argument(s), got {}", args.len()),
            ));
        }
        if name == "matches" {
            let mut it = args.into_iter();
            let target = it.next().expect("the argument count was checked");
            let pat = it.next().expect("the argument count was checked");
            return self.matches(target, pat, at);
        }
        let a = args
            .into_iter()
            .next()
            .expect("the argument count was checked");
        if name == "has" {
            return match a.node {
                Node::Select(operand, field, _) => self.mk(Node::Has(operand, field), a.h, at),
                _ => Err(syntax(
                    a.at,
                    "has() needs a field selection, like has(args.limit)",
                )),
            };
        }
        if let Node::Const(Const::Str(lit)) = &a.node {
            let folded = match f {
                Func::Timestamp => super::time::parse_timestamp(lit)
                    .ok()
                    .map(|(s, n)| Const::Ts(s, n)),
                Func::Duration => super::time::parse_duration(lit).ok().map(Const::Dur),
                _ => None,
            };
            if let Some(c) = folded {
                return self.mk(Node::Const(c), a.h + 1, at);
            }
        }
        self.mk(Node::Call(f, vec![a.node]), a.h + 1, at)
    }

    /// Dispatches on the first token; the cases that recurse get their own
    /// small functions so deep nesting costs little stack per level.
    fn primary(&mut self) -> Result<P, CaveatError> {
        let at = self.at();
        match self.peek() {
            Tok::Sym(Sym::LParen) => {
                self.bump();
                let e = self.expr()?;
                self.expect(Sym::RParen)?;
                Ok(P { at, ..e })
            }
            Tok::Sym(Sym::LBracket) => {
                self.bump();
                self.list_literal(at)
            }
            Tok::Sym(Sym::LBrace) => {
                self.bump();
                self.map_literal(at)
            }
            Tok::Ident(ns)
                if self.peek_at(1) == &Tok::Sym(Sym::Dot)
                    && matches!(self.peek_at(2), Tok::Ident(_))
                    && self.peek_at(3) == &Tok::Sym(Sym::LParen)
                    && super::ext::NAMESPACES.contains(&ns.as_str())
                    && !self.is_bound(ns) =>
            {
                let ns = ns.clone();
                self.bump();
                self.bump();
                let name_at = self.at();
                let Tok::Ident(name) = self.bump().tok else {
                    unreachable!("peeked an identifier")
                };
                self.namespaced_call(&ns, &name, at, name_at)
            }
            Tok::Ident(_) if self.peek_at(1) == &Tok::Sym(Sym::LParen) => {
                let Tok::Ident(name) = self.bump().tok else {
                    unreachable!("peeked an identifier")
                };
                self.global_call(&name, at)
            }
            _ => self.atom(),
        }
    }

    fn list_literal(&mut self, at: usize) -> Result<P, CaveatError> {
        let mut items = Vec::new();
        let mut h = 0;
        while !self.is(Sym::RBracket) {
            if self.is(Sym::Question) {
                return Err(unsupported(self.at(), "optional list elements (?x)"));
            }
            let e = self.expr()?;
            h = h.max(e.h);
            items.push(e.node);
            if !self.eat(Sym::Comma) {
                break;
            }
        }
        self.expect(Sym::RBracket)?;
        if !items.is_empty() && items.iter().all(|n| matches!(n, Node::Const(_))) {
            let consts = items
                .into_iter()
                .map(|n| match n {
                    Node::Const(c) => c,
                    _ => unreachable!("checked above"),
                })
                .collect();
            return self.mk(Node::ConstList(consts), h + 1, at);
        }
        self.mk(Node::List(items), h + 1, at)
    }

    fn map_literal(&mut self, at: usize) -> Result<P, CaveatError> {
        let mut items = Vec::new();
        let mut h = 0;
        while !self.is(Sym::RBrace) {
            if self.is(Sym::Question) {
                return Err(unsupported(self.at(), "optional map entries (?k: v)"));
            }
            let k = self.expr()?;
            self.expect(Sym::Colon)?;
            let v = self.expr()?;
            h = h.max(k.h).max(v.h);
            items.push((k.node, v.node));
            if !self.eat(Sym::Comma) {
                break;
            }
        }
        self.expect(Sym::RBrace)?;
        self.mk(Node::Map(items), h + 1, at)
    }

    /// Literals and names: nothing here recurses.
    fn atom(&mut self) -> Result<P, CaveatError> {
        let at = self.at();
        let t = self.bump();
        let node = match t.tok {
            Tok::Int(v) => Node::Const(Const::Int(int_lit(v, false, at)?)),
            Tok::Uint(v) => Node::Const(Const::Uint(v)),
            Tok::Double(v) => Node::Const(Const::Double(v)),
            Tok::Str(s) => Node::Const(Const::Str(s.into())),
            Tok::Sym(Sym::Minus) => match self.bump().tok {
                Tok::Int(v) => Node::Const(Const::Int(int_lit(v, true, at)?)),
                Tok::Double(v) => Node::Const(Const::Double(-v)),
                _ => return Err(syntax(at, "expected a number after '-'")),
            },
            Tok::Ident(name) => {
                if self.is(Sym::LBrace) {
                    return Err(unsupported(at, "message construction (Type{...})"));
                }
                match name.as_str() {
                    "true" => Node::Const(Const::Bool(true)),
                    "false" => Node::Const(Const::Bool(false)),
                    "null" => Node::Const(Const::Null),
                    _ => self.resolve(&name, at)?,
                }
            }
            Tok::Sym(Sym::Dot) => {
                return Err(unsupported(at, "leading-dot qualified names (.name)"));
            }
            Tok::Quoted(_) => {
                return Err(syntax(at, "a backquoted name can only follow '.'"));
            }
            other => {
                return Err(syntax(at, format!("unexpected {}", describe(&other))));
            }
        };
        self.mk(node, 1, at)
    }

    /// Whether `name` is a macro variable or a caveat variable (which then
    /// shadows a library namespace of the same name).
    fn is_bound(&self, name: &str) -> bool {
        self.scope.iter().any(|s| s == name) || self.vars.contains(&name)
    }

    fn namespaced_call(
        &mut self,
        ns: &str,
        name: &str,
        at: usize,
        name_at: usize,
    ) -> Result<P, CaveatError> {
        let Some((f, lo, hi)) = super::ext::namespaced(ns, name) else {
            return Err(refused_function(name_at, &format!("{ns}.{name}")));
        };
        let args = self.args()?;
        self.ext_call(f, &format!("{ns}.{name}"), None, args, lo, hi, at)
    }

    /// An extension function call: checks the argument count (besides the
    /// receiver) against `lo..=hi`.
    #[allow(clippy::too_many_arguments)]
    fn ext_call(
        &self,
        f: super::ext::Ext,
        name: &str,
        recv: Option<P>,
        args: Vec<P>,
        lo: usize,
        hi: usize,
        at: usize,
    ) -> Result<P, CaveatError> {
        if args.len() < lo || args.len() > hi {
            let want = if lo == hi {
                format!("{lo}")
            } else if hi == usize::MAX {
                format!("at least {lo}")
            } else {
                format!("{lo} to {hi}")
            };
            return Err(syntax(
                at,
                format!("{name}() takes {want} argument(s), got {}", args.len()),
            ));
        }
        let start = recv.as_ref().map_or(at, |r| r.at);
        let mut h = 0;
        let mut nodes = Vec::with_capacity(args.len() + 1);
        for a in recv.into_iter().chain(args) {
            h = h.max(a.h);
            nodes.push(a.node);
        }
        self.mk(Node::Ext(f, nodes), h + 1, start)
    }

    /// `l.sortBy(x, key)`.
    fn sort_by_call(&mut self, recv: P, at: usize) -> Result<P, CaveatError> {
        let start = recv.at;
        self.expect(Sym::LParen)?;
        let var = self.macro_var("sortBy")?;
        self.expect(Sym::Comma)?;
        let slot = self.scope.len();
        self.scope.push(var);
        let key = self.expr();
        self.scope.pop();
        let key = key?;
        if !self.eat(Sym::RParen) {
            return Err(syntax(at, "sortBy() takes a variable and a key expression"));
        }
        let h = 1 + recv.h.max(key.h);
        self.mk(
            Node::SortBy(Box::new(recv.node), slot, Box::new(key.node)),
            h,
            start,
        )
    }

    /// `map` (two and three arguments) and `filter`.
    fn collect_call(&mut self, recv: P, name: &str, at: usize) -> Result<P, CaveatError> {
        let start = recv.at;
        self.expect(Sym::LParen)?;
        let var_at = self.at();
        let var = match self.bump().tok {
            Tok::Ident(v) if !RESERVED.contains(&v.as_str()) && v != "in" => v,
            _ => {
                return Err(syntax(
                    var_at,
                    format!("{name}() needs a variable name as its first argument"),
                ))
            }
        };
        self.expect(Sym::Comma)?;
        if matches!(self.peek(), Tok::Ident(_))
            && self.peek_at(1) == &Tok::Sym(Sym::Comma)
            && name == "filter"
        {
            return Err(unsupported(at, "the two-variable form of filter()"));
        }
        let slot = self.scope.len();
        self.scope.push(var);
        let first = self.expr();
        let second = match first {
            Ok(_) if self.eat(Sym::Comma) => Some(self.expr()),
            _ => None,
        };
        self.scope.pop();
        let first = first?;
        let second = second.transpose()?;
        self.expect(Sym::RParen)?;
        let h = 1 + recv.h.max(first.h).max(second.as_ref().map_or(0, |s| s.h));
        let node = match (name, second) {
            ("filter", None) => {
                Node::Collect(Box::new(recv.node), slot, Some(Box::new(first.node)), None)
            }
            ("filter", Some(_)) => {
                return Err(syntax(at, "filter() takes a variable and a predicate"))
            }
            (_, None) => Node::Collect(Box::new(recv.node), slot, None, Some(Box::new(first.node))),
            (_, Some(t)) => Node::Collect(
                Box::new(recv.node),
                slot,
                Some(Box::new(first.node)),
                Some(Box::new(t.node)),
            ),
        };
        self.mk(node, h, start)
    }

    /// `s.find(re)`, `s.findAll(re)`, `s.findAll(re, n)`: the pattern is a
    /// string literal compiled now and charged like `matches`.
    fn find(&self, recv: P, name: &str, args: Vec<P>, at: usize) -> Result<P, CaveatError> {
        let max = if name == "find" { 1 } else { 2 };
        if args.is_empty() || args.len() > max {
            return Err(syntax(
                at,
                format!(
                    "{name}() takes 1{} argument(s), got {}",
                    if max == 2 { " or 2" } else { "" },
                    args.len()
                ),
            ));
        }
        let start = recv.at;
        let mut it = args.into_iter();
        let pat = it.next().expect("the argument count was checked");
        let limit = it.next();
        let re = self.pattern(&pat, name)?;
        let h = 1 + recv.h.max(limit.as_ref().map_or(0, |l| l.h));
        let all = name == "findAll";
        let limit = match (all, limit) {
            (true, Some(l)) => Some(Box::new(l.node)),
            (true, None) => Some(Box::new(Node::Const(Const::Int(-1)))),
            (false, _) => None,
        };
        self.mk(Node::Find(Box::new(recv.node), re, limit), h, start)
    }

    fn resolve(&self, name: &str, at: usize) -> Result<Node, CaveatError> {
        if let Some(slot) = self.scope.iter().rposition(|s| s == name) {
            return Ok(Node::Local(slot));
        }
        if let Some(slot) = self.vars.iter().position(|v| *v == name) {
            return Ok(Node::Var(slot));
        }
        if RESERVED.contains(&name) || name == "in" {
            return Err(syntax(at, format!("{name:?} is a reserved word")));
        }
        if TYPE_NAMES.contains(&name) {
            return Err(unsupported(at, format!("the type name {name}")));
        }
        Err(CaveatError::UnknownIdentifier {
            at,
            name: name.to_string(),
        })
    }
}

fn int_lit(v: u64, neg: bool, at: usize) -> Result<i64, CaveatError> {
    if neg {
        if v <= 1 << 63 {
            return Ok((v as i128).wrapping_neg() as i64);
        }
    } else if v <= i64::MAX as u64 {
        return Ok(v as i64);
    }
    Err(syntax(at, "integer literal out of range for int"))
}
