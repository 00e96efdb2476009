//! The evaluator: a tree walk that charges every node against a step budget.
//! Recursion is bounded by the tree height the parser already checked.

use std::cmp::Ordering;
use std::rc::Rc;

use super::parser::{BinOp, Func, Getter, MacroKind, Node};
use super::regex::Pattern;
use super::time;
use super::value::{compare, equals, key_eq, List, Map, Val};
use super::{CaveatError, Context};
use crate::ErrorCode;

/// Where variables come from: a request's context, or (for the conformance
/// test) a list of values in slot order.
pub(crate) enum Vars<'a> {
    Ctx(&'a Context<'a>),
    Test(&'a [Val<'a>]),
}

pub(crate) fn run<'a>(
    root: &'a Node,
    vars: &Vars<'a>,
    spent: u64,
    max_steps: u64,
) -> Result<Val<'a>, CaveatError> {
    run_counted(root, vars, spent, max_steps).0
}

/// As [`run`], and the steps charged (for the fuzz targets and tests that check
/// the budget: a result that is not `StepsExhausted` never charged more than
/// `max_steps`).
pub(crate) fn run_counted<'a>(
    root: &'a Node,
    vars: &Vars<'a>,
    spent: u64,
    max_steps: u64,
) -> (Result<Val<'a>, CaveatError>, u64) {
    let mut ev = Ev {
        vars,
        steps: 0,
        max: max_steps,
        locals: Vec::new(),
    };
    // What compiling the caveat's patterns cost comes out of the same budget.
    let result = ev.charge(spent).and_then(|()| ev.eval(root));
    (result, ev.steps)
}

struct Ev<'v, 'a> {
    vars: &'v Vars<'a>,
    steps: u64,
    max: u64,
    locals: Vec<Val<'a>>,
}

fn err<T>(msg: impl Into<String>) -> Result<T, CaveatError> {
    Err(CaveatError::eval(msg))
}

/// Steps charged for touching `len` bytes of string.
fn str_cost(len: usize) -> u64 {
    (len / 64) as u64
}

fn is_limit(e: &CaveatError) -> bool {
    e.code() == ErrorCode::LimitExceeded
}

/// "an int", "a string": the value's CEL type with its article, for messages.
pub(crate) fn a_type(v: &Val<'_>) -> String {
    let t = v.type_name();
    let article = if t.starts_with(['a', 'e', 'i', 'o']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t}")
}

fn key_text(k: &Val<'_>) -> String {
    match k {
        Val::Str(s) => format!("{:?}", s.as_str()),
        Val::Int(i) => i.to_string(),
        Val::Uint(u) => format!("{u}u"),
        Val::Double(d) => format!("{d:?}"),
        Val::Bool(b) => b.to_string(),
        other => format!("({})", a_type(other)),
    }
}

impl super::ext::Meter for Ev<'_, '_> {
    fn charge(&mut self, n: u64) -> Result<(), CaveatError> {
        Ev::charge(self, n)
    }

    fn remaining(&self) -> u64 {
        Ev::remaining(self)
    }
}

/// The byte offset just after the code point at `at` (or one past the end).
fn next_char(s: &str, at: usize) -> usize {
    s[at..].chars().next().map_or(at + 1, |c| at + c.len_utf8())
}

impl<'a> Ev<'_, 'a> {
    fn charge(&mut self, n: u64) -> Result<(), CaveatError> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.max {
            return Err(CaveatError::StepsExhausted { max: self.max });
        }
        Ok(())
    }

    fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.steps)
    }

    fn var(&self, slot: usize) -> Result<Val<'a>, CaveatError> {
        match self.vars {
            Vars::Test(v) => Ok(v[slot].clone()),
            Vars::Ctx(c) => Ok(match slot {
                0 => Val::str(c.agent),
                1 => Val::str(c.action),
                2 => Val::from_json(c.args),
                3 => match c.resource {
                    Some(r) => Val::str(r),
                    None => return err(
                        "resource is not set for this request, so a caveat on resource cannot hold",
                    ),
                },
                4 => Val::str(c.audience),
                5 => {
                    time::ts_in_range(c.now).map_err(|_| {
                        CaveatError::eval("the verifier's clock (now) is outside years 1 to 9999")
                    })?;
                    Val::Ts(c.now, 0)
                }
                _ => match c.holder {
                    Some(h) => Val::str(h),
                    None => return Err(CaveatError::HolderUnbound),
                },
            }),
        }
    }

    /// Evaluates one node. Kept small: the work of each kind of node is in
    /// its own function, so the frame that recursion repeats stays small
    /// (debug builds give a function one slot per temporary of every arm).
    fn eval(&mut self, node: &'a Node) -> Result<Val<'a>, CaveatError> {
        self.charge(1)?;
        match node {
            Node::Const(c) => Ok(Val::from_const(c)),
            Node::ConstList(items) => Ok(Val::List(List::Const(items))),
            Node::Var(slot) => self.var(*slot),
            Node::Local(slot) => Ok(self.locals[*slot].clone()),
            Node::List(items) => self.list(items),
            Node::Map(items) => self.map_literal(items),
            Node::Select(operand, field, desc) => {
                let v = self.eval(operand)?;
                self.select(v, field, desc)
            }
            Node::Has(operand, field) => {
                let v = self.eval(operand)?;
                self.has(v, field)
            }
            Node::Index(operand, index, desc) => {
                let v = self.eval(operand)?;
                let k = self.eval(index)?;
                self.index(v, k, desc)
            }
            Node::Not(x) => {
                let v = self.eval(x)?;
                not(v)
            }
            Node::Neg(x) => {
                let v = self.eval(x)?;
                neg(v)
            }
            Node::Bin(op, l, r) => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                self.binary(*op, a, b)
            }
            Node::And(items) => self.logic(items, false),
            Node::Or(items) => self.logic(items, true),
            Node::Cond(c, t, e) => {
                let v = self.eval(c)?;
                match cond(v)? {
                    true => self.eval(t),
                    false => self.eval(e),
                }
            }
            Node::Call(f, args) => self.call_node(*f, args),
            Node::Matches(target, re) => {
                let v = self.eval(target)?;
                self.matches(v, re)
            }
            Node::Macro(kind, target, slot, pred) => self.comprehension(*kind, target, *slot, pred),
            Node::Macro2(kind, target, slot, pred) => {
                self.comprehension2(*kind, target, *slot, pred)
            }
            Node::SortBy(target, slot, key) => self.sort_by(target, *slot, key),
            Node::Transform(to_map, target, slot, filter, f) => {
                self.transform(*to_map, target, *slot, filter.as_deref(), f)
            }
            Node::Collect(target, slot, filter, transform) => {
                self.collect(target, *slot, filter.as_deref(), transform.as_deref())
            }
            Node::Ext(f, args) => self.ext_node(*f, args),
            Node::Find(target, re, limit) => {
                let v = self.eval(target)?;
                let n = match limit {
                    Some(l) => Some(self.eval(l)?),
                    None => None,
                };
                self.find(v, re, n)
            }
        }
    }

    #[inline(never)]
    fn ext_node(&mut self, f: super::ext::Ext, args: &'a [Node]) -> Result<Val<'a>, CaveatError> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        super::ext::call(self, f, vals)
    }

    /// `find` (`limit` none) and `findAll` (`limit` an int; negative: all).
    #[inline(never)]
    fn find(
        &mut self,
        v: Val<'a>,
        re: &Pattern,
        limit: Option<Val<'a>>,
    ) -> Result<Val<'a>, CaveatError> {
        let Val::Str(s) = v else {
            return err(format!(
                "{}() needs a string, got {}",
                if limit.is_some() { "findAll" } else { "find" },
                a_type(&v)
            ));
        };
        let s = s.as_str();
        let Some(limit) = limit else {
            self.charge(re.match_steps(s.len()))?;
            return Ok(match re.find_at(s, 0) {
                Some((b, e)) => Val::owned_str(s[b..e].to_string()),
                None => Val::owned_str(String::new()),
            });
        };
        let Val::Int(limit) = limit else {
            return err(format!(
                "findAll() needs an int limit, got {}",
                a_type(&limit)
            ));
        };
        let mut out = Vec::new();
        let mut at = 0usize;
        let mut last_end: Option<usize> = None;
        while limit < 0 || (out.len() as i64) < limit {
            if at > s.len() {
                break;
            }
            // Every search is charged for the rest of the input, before it runs.
            self.charge(re.match_steps(s.len() - at).saturating_add(1))?;
            let Some((b, e)) = re.find_at(s, at) else {
                break;
            };
            if b == e && last_end == Some(e) {
                // An empty match right after the previous match is skipped,
                // as RE2 and Go's FindAllString do.
                at = next_char(s, at);
                continue;
            }
            out.push(Val::owned_str(s[b..e].to_string()));
            last_end = Some(e);
            at = if e == b { next_char(s, e) } else { e };
        }
        Ok(Val::List(List::Own(Rc::new(out))))
    }

    /// The elements (a list) or keys (a map) a macro iterates over. Each
    /// iteration costs at least one step, so never more items are gathered
    /// than the budget can pay for.
    fn gather(&mut self, name: &str, target: &'a Node) -> Result<Vec<Val<'a>>, CaveatError> {
        let n = usize::try_from(self.remaining())
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        match self.eval(target)? {
            Val::List(l) => Ok((0..l.len().min(n)).map(|i| l.get(i)).collect()),
            Val::Map(m) => Ok(m.keys(n)),
            other => err(format!(
                "{name}() needs a list or map, got {}",
                a_type(&other)
            )),
        }
    }

    /// `map` and `filter`: errors are never absorbed (CEL folds them into
    /// the result), every iteration costs a step plus its expressions, and
    /// every element kept a step more.
    #[inline(never)]
    fn collect(
        &mut self,
        target: &'a Node,
        slot: usize,
        filter: Option<&'a Node>,
        transform: Option<&'a Node>,
    ) -> Result<Val<'a>, CaveatError> {
        let name = if transform.is_some() { "map" } else { "filter" };
        let items = self.gather(name, target)?;
        debug_assert_eq!(self.locals.len(), slot);
        self.locals.push(Val::Null);
        let r = self.collect_items(name, items, slot, filter, transform);
        self.locals.truncate(slot);
        r
    }

    fn collect_items(
        &mut self,
        name: &str,
        items: Vec<Val<'a>>,
        slot: usize,
        filter: Option<&'a Node>,
        transform: Option<&'a Node>,
    ) -> Result<Val<'a>, CaveatError> {
        let mut out = Vec::new();
        for item in items {
            self.charge(1)?;
            self.locals[slot] = item.clone();
            if let Some(p) = filter {
                match self.eval(p)? {
                    Val::Bool(true) => {}
                    Val::Bool(false) => continue,
                    other => {
                        return err(format!(
                            "the predicate of {name}() must be a bool, got {}",
                            a_type(&other)
                        ))
                    }
                }
            }
            let v = match transform {
                Some(t) => self.eval(t)?,
                None => item,
            };
            self.charge(1)?;
            out.push(v);
        }
        Ok(Val::List(List::Own(Rc::new(out))))
    }

    #[inline(never)]
    fn list(&mut self, items: &'a [Node]) -> Result<Val<'a>, CaveatError> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(self.eval(i)?);
        }
        Ok(Val::List(List::Own(Rc::new(out))))
    }

    #[inline(never)]
    fn select(&mut self, v: Val<'a>, field: &str, desc: &str) -> Result<Val<'a>, CaveatError> {
        match v {
            Val::Map(m) => {
                self.charge(1)?;
                m.get_str(field)
                    .ok_or_else(|| CaveatError::eval(format!("no such key {field:?} in {desc}")))
            }
            other => err(format!(
                "cannot select field {field:?} from {desc}, which is {}",
                a_type(&other)
            )),
        }
    }

    #[inline(never)]
    fn has(&mut self, v: Val<'a>, field: &str) -> Result<Val<'a>, CaveatError> {
        match v {
            Val::Map(m) => {
                self.charge(1)?;
                Ok(Val::Bool(m.get_str(field).is_some()))
            }
            other => err(format!(
                "has() needs a map to test for {field:?}, got {}",
                a_type(&other)
            )),
        }
    }

    /// Calls have one or two operands (receiver and argument); no allocation.
    #[inline(never)]
    fn call_node(&mut self, f: Func, args: &'a [Node]) -> Result<Val<'a>, CaveatError> {
        let x = self.eval(&args[0])?;
        let y = match args.get(1) {
            Some(a) => Some(self.eval(a)?),
            None => None,
        };
        self.call(f, x, y)
    }

    #[inline(never)]
    fn matches(&mut self, v: Val<'a>, re: &Pattern) -> Result<Val<'a>, CaveatError> {
        match v {
            Val::Str(s) => {
                // Charged before matching: input length x program size.
                self.charge(re.match_steps(s.as_str().len()))?;
                Ok(Val::Bool(re.is_match(s.as_str())))
            }
            other => err(format!("matches() needs a string, got {}", a_type(&other))),
        }
    }

    /// `&&` (`or == false`) and `||` (`or == true`) over any number of terms,
    /// with CEL's commutative error absorption: a deciding value anywhere
    /// wins over errors anywhere else. Limit errors are never absorbed.
    #[inline(never)]
    fn logic(&mut self, items: &'a [Node], or: bool) -> Result<Val<'a>, CaveatError> {
        let mut first_err: Option<CaveatError> = None;
        for item in items {
            match self.eval(item) {
                Ok(Val::Bool(b)) if b == or => return Ok(Val::Bool(or)),
                Ok(Val::Bool(_)) => {}
                Ok(other) => {
                    first_err.get_or_insert(CaveatError::eval(format!(
                        "{} needs bool operands, got {}",
                        if or { "||" } else { "&&" },
                        a_type(&other)
                    )));
                }
                Err(e) if is_limit(&e) => return Err(e),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(Val::Bool(!or)),
        }
    }

    #[inline(never)]
    fn map_literal(&mut self, items: &'a [(Node, Node)]) -> Result<Val<'a>, CaveatError> {
        let mut out: Vec<(Val<'a>, Val<'a>)> = Vec::with_capacity(items.len());
        for (kn, vn) in items {
            let k = self.eval(kn)?;
            if !matches!(k, Val::Int(_) | Val::Uint(_) | Val::Bool(_) | Val::Str(_)) {
                return err(format!(
                    "unsupported map key type {}; keys are int, uint, bool or string",
                    k.type_name()
                ));
            }
            let v = self.eval(vn)?;
            self.charge(out.len() as u64)?;
            if out.iter().any(|(e, _)| key_eq(e, &k)) {
                return err(format!("repeated key {} in map literal", key_text(&k)));
            }
            out.push((k, v));
        }
        Ok(Val::Map(Map::Own(Rc::new(out))))
    }

    #[inline(never)]
    fn index(&mut self, v: Val<'a>, k: Val<'a>, desc: &str) -> Result<Val<'a>, CaveatError> {
        match v {
            Val::List(l) => {
                let i: i128 = match k {
                    Val::Int(i) => i.into(),
                    Val::Uint(u) => u.into(),
                    Val::Double(d) if d.fract() == 0.0 && d.abs() < 1e18 => d as i128,
                    other => {
                        return err(format!(
                            "a list index must be an int, got {} for {desc}",
                            key_text(&other)
                        ))
                    }
                };
                if i < 0 || i >= l.len() as i128 {
                    return err(format!(
                        "index {i} out of range for {desc}, which has {} element(s)",
                        l.len()
                    ));
                }
                Ok(l.get(i as usize))
            }
            Val::Map(m) => {
                let (found, n) = m.get(&k);
                self.charge(n as u64)?;
                found.ok_or_else(|| {
                    CaveatError::eval(format!("no such key {} in {desc}", key_text(&k)))
                })
            }
            other => err(format!("cannot index {desc}, which is {}", a_type(&other))),
        }
    }

    #[inline(never)]
    fn binary(&mut self, op: BinOp, a: Val<'a>, b: Val<'a>) -> Result<Val<'a>, CaveatError> {
        use Val::*;
        let cmp = |want: fn(Ordering) -> bool| -> Result<Val<'a>, CaveatError> {
            Ok(Bool(compare(&a, &b)?.is_some_and(want)))
        };
        match op {
            BinOp::Eq | BinOp::Ne => {
                let mut cost = 0;
                let eq = equals(&a, &b, &mut cost, self.remaining(), 0)?;
                self.charge(cost)?;
                return Ok(Bool(eq == (op == BinOp::Eq)));
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if let (Str(x), Str(y)) = (&a, &b) {
                    self.charge(str_cost(x.as_str().len().min(y.as_str().len())))?;
                }
                return match op {
                    BinOp::Lt => cmp(|o| o == Ordering::Less),
                    BinOp::Le => cmp(|o| o != Ordering::Greater),
                    BinOp::Gt => cmp(|o| o == Ordering::Greater),
                    _ => cmp(|o| o != Ordering::Less),
                };
            }
            BinOp::In => {
                return match &b {
                    List(l) => {
                        let mut cost = 0;
                        let cap = self.remaining();
                        for i in 0..l.len() {
                            if equals(&a, &l.get(i), &mut cost, cap, 0)? {
                                self.charge(cost)?;
                                return Ok(Bool(true));
                            }
                            if cost > cap {
                                break;
                            }
                        }
                        self.charge(cost)?;
                        Ok(Bool(false))
                    }
                    Map(m) => {
                        let (found, n) = m.get(&a);
                        self.charge(n as u64)?;
                        Ok(Bool(found.is_some()))
                    }
                    other => err(format!(
                        "'in' needs a list or map on its right, got {}",
                        a_type(other)
                    )),
                };
            }
            _ => {}
        }
        let overflow = || CaveatError::eval("integer overflow");
        let range = |m: String| CaveatError::eval(m);
        let r = match (op, &a, &b) {
            (BinOp::Add, Int(x), Int(y)) => Int(x.checked_add(*y).ok_or_else(overflow)?),
            (BinOp::Sub, Int(x), Int(y)) => Int(x.checked_sub(*y).ok_or_else(overflow)?),
            (BinOp::Mul, Int(x), Int(y)) => Int(x.checked_mul(*y).ok_or_else(overflow)?),
            (BinOp::Div, Int(_), Int(0)) | (BinOp::Div, Uint(_), Uint(0)) => {
                return err("division by zero")
            }
            (BinOp::Rem, Int(_), Int(0)) | (BinOp::Rem, Uint(_), Uint(0)) => {
                return err("modulus by zero")
            }
            (BinOp::Div, Int(x), Int(y)) => Int(x.checked_div(*y).ok_or_else(overflow)?),
            (BinOp::Rem, Int(x), Int(y)) => Int(x.checked_rem(*y).ok_or_else(overflow)?),
            (BinOp::Add, Uint(x), Uint(y)) => Uint(x.checked_add(*y).ok_or_else(overflow)?),
            (BinOp::Sub, Uint(x), Uint(y)) => Uint(x.checked_sub(*y).ok_or_else(overflow)?),
            (BinOp::Mul, Uint(x), Uint(y)) => Uint(x.checked_mul(*y).ok_or_else(overflow)?),
            (BinOp::Div, Uint(x), Uint(y)) => Uint(x / y),
            (BinOp::Rem, Uint(x), Uint(y)) => Uint(x % y),
            (BinOp::Add, Double(x), Double(y)) => Double(x + y),
            (BinOp::Sub, Double(x), Double(y)) => Double(x - y),
            (BinOp::Mul, Double(x), Double(y)) => Double(x * y),
            (BinOp::Div, Double(x), Double(y)) => Double(x / y),
            (BinOp::Add, Str(x), Str(y)) => {
                self.charge(str_cost(x.as_str().len() + y.as_str().len()))?;
                Val::owned_str([x.as_str(), y.as_str()].concat())
            }
            (BinOp::Add, List(x), List(y)) => {
                self.charge((x.len() + y.len()) as u64)?;
                let mut v = Vec::with_capacity(x.len() + y.len());
                v.extend((0..x.len()).map(|i| x.get(i)));
                v.extend((0..y.len()).map(|i| y.get(i)));
                List(super::value::List::Own(Rc::new(v)))
            }
            (BinOp::Add, Ts(s, n), Dur(d)) | (BinOp::Add, Dur(d), Ts(s, n)) => {
                let (s, n) = time::ts_add(*s, *n, i128::from(*d)).map_err(range)?;
                Ts(s, n)
            }
            (BinOp::Sub, Ts(s, n), Dur(d)) => {
                let (s, n) = time::ts_add(*s, *n, -i128::from(*d)).map_err(range)?;
                Ts(s, n)
            }
            (BinOp::Sub, Ts(s1, n1), Ts(s2, n2)) => {
                Dur(time::ts_sub((*s1, *n1), (*s2, *n2)).map_err(range)?)
            }
            (BinOp::Add, Dur(x), Dur(y)) => Dur(x
                .checked_add(*y)
                .ok_or_else(|| range("duration overflow".into()))?),
            (BinOp::Sub, Dur(x), Dur(y)) => Dur(x
                .checked_sub(*y)
                .ok_or_else(|| range("duration overflow".into()))?),
            _ => {
                let sym = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                    _ => "%",
                };
                let hint = if matches!(
                    (&a, &b),
                    (Int(_) | Uint(_) | Double(_), Int(_) | Uint(_) | Double(_))
                ) {
                    "; CEL does not mix int, uint and double in arithmetic, convert with int(), uint() or double()"
                } else {
                    ""
                };
                return err(format!(
                    "no operator {} {sym} {}{hint}",
                    a.type_name(),
                    b.type_name()
                ));
            }
        };
        Ok(r)
    }

    #[inline(never)]
    fn call(&mut self, f: Func, x: Val<'a>, y: Option<Val<'a>>) -> Result<Val<'a>, CaveatError> {
        use Val::*;
        let bad = |what: &str, v: &Val<'_>| -> Result<Val<'a>, CaveatError> {
            err(format!("{what} does not accept {}", a_type(v)))
        };
        let two = |y: Option<Val<'a>>, name: &str| -> Result<Val<'a>, CaveatError> {
            match y {
                Some(v @ Str(_)) => Ok(v),
                Some(v) => err(format!(
                    "{name}() needs a string argument, got {}",
                    a_type(&v)
                )),
                None => err(format!("{name}() needs an argument")),
            }
        };
        Ok(match f {
            Func::Dyn => x,
            Func::Get(g) => match (&x, g) {
                (Ts(_, n), Getter::Milliseconds) => Int(i64::from(*n / 1_000_000)),
                (Ts(s, _), g) => {
                    let [y, mo, doy, dom, dow, h, mi, se] = time::fields(*s);
                    Int(match g {
                        Getter::FullYear => y,
                        Getter::Month => mo,
                        Getter::DayOfYear => doy,
                        Getter::DayOfMonth => dom,
                        Getter::Date => dom + 1,
                        Getter::DayOfWeek => dow,
                        Getter::Hours => h,
                        Getter::Minutes => mi,
                        Getter::Seconds => se,
                        Getter::Milliseconds => unreachable!("handled above"),
                    })
                }
                // Durations: whole hours, minutes and seconds in total, and the
                // milliseconds within the second, truncated toward zero.
                (Dur(d), Getter::Hours) => Int(d / 3_600_000_000_000),
                (Dur(d), Getter::Minutes) => Int(d / 60_000_000_000),
                (Dur(d), Getter::Seconds) => Int(d / 1_000_000_000),
                (Dur(d), Getter::Milliseconds) => Int(d % 1_000_000_000 / 1_000_000),
                _ => {
                    return err(format!(
                        "{} has no such accessor (timestamps have getFullYear() to getMilliseconds(); durations getHours() to getMilliseconds())",
                        a_type(&x)
                    ))
                }
            },
            Func::Size => match &x {
                Str(s) => {
                    self.charge(str_cost(s.as_str().len()))?;
                    Int(s.as_str().chars().count() as i64)
                }
                List(l) => Int(l.len() as i64),
                Map(m) => Int(m.len() as i64),
                _ => return bad("size()", &x),
            },
            Func::StartsWith | Func::EndsWith | Func::Contains => {
                let name = match f {
                    Func::StartsWith => "startsWith",
                    Func::EndsWith => "endsWith",
                    _ => "contains",
                };
                let Str(s) = &x else {
                    return err(format!(
                        "{name}() needs a string receiver, got {}",
                        a_type(&x)
                    ));
                };
                let p = two(y, name)?;
                let Str(p) = &p else { unreachable!() };
                let (s, p) = (s.as_str(), p.as_str());
                self.charge(str_cost(if f == Func::Contains {
                    s.len() + p.len()
                } else {
                    p.len()
                }))?;
                Bool(match f {
                    Func::StartsWith => s.starts_with(p),
                    Func::EndsWith => s.ends_with(p),
                    _ => s.contains(p),
                })
            }
            Func::Int => match &x {
                Int(_) => x,
                Uint(u) => Int(i64::try_from(*u).map_err(|_| {
                    CaveatError::eval(format!("int() range error: {u}u does not fit in an int"))
                })?),
                Double(d) => {
                    if d.is_nan() || *d <= i64::MIN as f64 || *d >= -(i64::MIN as f64) {
                        return err(format!("int() range error: {d} does not fit in an int"));
                    }
                    Int(*d as i64)
                }
                Str(s) => {
                    self.charge(str_cost(s.as_str().len()))?;
                    Int(s.as_str().parse().map_err(|_| {
                        CaveatError::eval(format!("int() cannot convert {:?}", s.as_str()))
                    })?)
                }
                Ts(s, _) => Int(*s),
                _ => return bad("int()", &x),
            },
            Func::Uint => match &x {
                Uint(_) => x,
                Int(i) => Uint(u64::try_from(*i).map_err(|_| {
                    CaveatError::eval(format!("uint() range error: {i} is negative"))
                })?),
                Double(d) => {
                    if d.is_nan() || *d < 0.0 || *d >= u64::MAX as f64 {
                        return err(format!("uint() range error: {d} does not fit in a uint"));
                    }
                    Uint(*d as u64)
                }
                Str(s) => {
                    self.charge(str_cost(s.as_str().len()))?;
                    let t = s.as_str();
                    let v = if t.starts_with('+') {
                        None
                    } else {
                        t.parse().ok()
                    };
                    Uint(
                        v.ok_or_else(|| CaveatError::eval(format!("uint() cannot convert {t:?}")))?,
                    )
                }
                _ => return bad("uint()", &x),
            },
            Func::Double => match &x {
                Double(_) => x,
                Int(i) => Double(*i as f64),
                Uint(u) => Double(*u as f64),
                Str(s) => {
                    self.charge(str_cost(s.as_str().len()))?;
                    Double(parse_double(s.as_str())?)
                }
                _ => return bad("double()", &x),
            },
            Func::String => match &x {
                Str(_) => x,
                Int(i) => Val::owned_str(i.to_string()),
                Uint(u) => Val::owned_str(u.to_string()),
                Double(d) => Val::owned_str(format_double(*d)),
                Bool(b) => Val::owned_str(b.to_string()),
                Ts(s, n) => Val::owned_str(time::format_timestamp(*s, *n)),
                Dur(d) => Val::owned_str(time::format_duration(*d)),
                Ip(a) => Val::owned_str(a.to_string()),
                Cidr(a, n) => Val::owned_str(format!("{a}/{n}")),
                _ => return bad("string()", &x),
            },
            Func::Bool => match &x {
                Bool(_) => x,
                Str(s) => Bool(match s.as_str() {
                    "1" | "t" | "true" | "TRUE" | "True" => true,
                    "0" | "f" | "false" | "FALSE" | "False" => false,
                    other => return err(format!("bool() cannot convert {other:?}")),
                }),
                _ => return bad("bool()", &x),
            },
            Func::Timestamp => match &x {
                Ts(..) => x,
                Str(s) => {
                    self.charge(1)?;
                    let (s, n) = time::parse_timestamp(s.as_str()).map_err(CaveatError::eval)?;
                    Ts(s, n)
                }
                Int(i) => {
                    time::ts_in_range(*i).map_err(CaveatError::eval)?;
                    Ts(*i, 0)
                }
                _ => return bad("timestamp()", &x),
            },
            Func::Duration => match &x {
                Dur(_) => x,
                Str(s) => {
                    self.charge(str_cost(s.as_str().len()))?;
                    Dur(time::parse_duration(s.as_str()).map_err(CaveatError::eval)?)
                }
                _ => return bad("duration()", &x),
            },
        })
    }

    #[inline(never)]
    fn comprehension(
        &mut self,
        kind: MacroKind,
        target: &'a Node,
        slot: usize,
        pred: &'a Node,
    ) -> Result<Val<'a>, CaveatError> {
        let name = match kind {
            MacroKind::All => "all",
            MacroKind::Exists => "exists",
            MacroKind::ExistsOne => "exists_one",
        };
        let items = self.gather(name, target)?;
        debug_assert_eq!(self.locals.len(), slot);
        self.locals.push(Val::Null);
        let items = items.into_iter().map(|v| (v, None)).collect();
        let r = self.iterate(kind, name, items, slot, pred);
        self.locals.truncate(slot);
        r
    }

    /// `l.sortBy(x, key)`: every element's key (one step each plus the
    /// key's cost), then cel-go's sort by those keys.
    #[inline(never)]
    fn sort_by(
        &mut self,
        target: &'a Node,
        slot: usize,
        key: &'a Node,
    ) -> Result<Val<'a>, CaveatError> {
        let items = match self.eval(target)? {
            Val::List(l) => {
                let n = usize::try_from(self.remaining())
                    .unwrap_or(usize::MAX)
                    .saturating_add(1);
                (0..l.len().min(n)).map(|i| l.get(i)).collect::<Vec<_>>()
            }
            other => return err(format!("sortBy() needs a list, got {}", a_type(&other))),
        };
        debug_assert_eq!(self.locals.len(), slot);
        self.locals.push(Val::Null);
        let mut keys = Vec::with_capacity(items.len());
        let mut r = Ok(());
        for item in &items {
            r = self.charge(1);
            if r.is_err() {
                break;
            }
            self.locals[slot] = item.clone();
            match self.eval(key) {
                Ok(k) => keys.push(k),
                Err(e) => {
                    r = Err(e);
                    break;
                }
            }
        }
        self.locals.truncate(slot);
        r?;
        let sorted = super::ext::sort_by_keys(self, "sortBy", items, &keys)?;
        Ok(Val::List(List::Own(Rc::new(sorted))))
    }

    /// The (index, element) pairs of a list or (key, value) pairs of a map
    /// a two-variable macro iterates over; never more than the budget can
    /// pay for (each iteration costs at least a step).
    fn gather2(
        &mut self,
        name: &str,
        target: &'a Node,
    ) -> Result<Vec<(Val<'a>, Val<'a>)>, CaveatError> {
        let n = usize::try_from(self.remaining())
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        match self.eval(target)? {
            Val::List(l) => Ok((0..l.len().min(n))
                .map(|i| (Val::Int(i as i64), l.get(i)))
                .collect()),
            Val::Map(Map::Json(m)) => Ok(m
                .iter()
                .take(n)
                .map(|(k, v)| (Val::str(k.as_str()), Val::from_json(v)))
                .collect()),
            Val::Map(Map::Own(m)) => Ok(m.iter().take(n).cloned().collect()),
            other => err(format!(
                "{name}() needs a list or map, got {}",
                a_type(&other)
            )),
        }
    }

    /// Two-variable `all`, `exists`, `existsOne`: as the one-variable
    /// macros, with the index (key) and the element (value) bound.
    #[inline(never)]
    fn comprehension2(
        &mut self,
        kind: MacroKind,
        target: &'a Node,
        slot: usize,
        pred: &'a Node,
    ) -> Result<Val<'a>, CaveatError> {
        let name = match kind {
            MacroKind::All => "all",
            MacroKind::Exists => "exists",
            MacroKind::ExistsOne => "existsOne",
        };
        let items = self.gather2(name, target)?;
        debug_assert_eq!(self.locals.len(), slot);
        self.locals.push(Val::Null);
        self.locals.push(Val::Null);
        let items = items.into_iter().map(|(k, v)| (k, Some(v))).collect();
        let r = self.iterate(kind, name, items, slot, pred);
        self.locals.truncate(slot);
        r
    }

    /// `transformList` (a list of `f` for every pair `p` keeps) and
    /// `transformMap` (the same keys, each with its `f`); errors are never
    /// absorbed, each iteration costs a step plus its expressions, each
    /// element kept a step more.
    #[inline(never)]
    fn transform(
        &mut self,
        to_map: bool,
        target: &'a Node,
        slot: usize,
        filter: Option<&'a Node>,
        f: &'a Node,
    ) -> Result<Val<'a>, CaveatError> {
        let name = if to_map {
            "transformMap"
        } else {
            "transformList"
        };
        let items = self.gather2(name, target)?;
        debug_assert_eq!(self.locals.len(), slot);
        self.locals.push(Val::Null);
        self.locals.push(Val::Null);
        let r = self.transform_items(name, to_map, items, slot, filter, f);
        self.locals.truncate(slot);
        r
    }

    fn transform_items(
        &mut self,
        name: &str,
        to_map: bool,
        items: Vec<(Val<'a>, Val<'a>)>,
        slot: usize,
        filter: Option<&'a Node>,
        f: &'a Node,
    ) -> Result<Val<'a>, CaveatError> {
        let mut out = Vec::new();
        for (k, v) in items {
            self.charge(1)?;
            self.locals[slot] = k.clone();
            self.locals[slot + 1] = v;
            if let Some(p) = filter {
                match self.eval(p)? {
                    Val::Bool(true) => {}
                    Val::Bool(false) => continue,
                    other => {
                        return err(format!(
                            "the predicate of {name}() must be a bool, got {}",
                            a_type(&other)
                        ))
                    }
                }
            }
            let t = self.eval(f)?;
            self.charge(1)?;
            out.push((k, t));
        }
        Ok(if to_map {
            // The keys are those of the target (or a list's indexes), so
            // they are distinct already.
            Val::Map(Map::Own(Rc::new(out)))
        } else {
            Val::List(List::Own(Rc::new(
                out.into_iter().map(|(_, t)| t).collect(),
            )))
        })
    }

    #[inline(never)]
    fn iterate(
        &mut self,
        kind: MacroKind,
        name: &str,
        items: Vec<(Val<'a>, Option<Val<'a>>)>,
        slot: usize,
        pred: &'a Node,
    ) -> Result<Val<'a>, CaveatError> {
        let mut first_err: Option<CaveatError> = None;
        let mut count = 0u64;
        for (item, second) in items {
            self.charge(1)?;
            self.locals[slot] = item;
            if let Some(v) = second {
                self.locals[slot + 1] = v;
            }
            let r = self.eval(pred);
            match (kind, r) {
                (_, Err(e)) if is_limit(&e) => return Err(e),
                (MacroKind::ExistsOne, Err(e)) => return Err(e),
                (MacroKind::ExistsOne, Ok(Val::Bool(b))) => count += u64::from(b),
                (MacroKind::All, Ok(Val::Bool(false))) => return Ok(Val::Bool(false)),
                (MacroKind::Exists, Ok(Val::Bool(true))) => return Ok(Val::Bool(true)),
                (_, Ok(Val::Bool(_))) => {}
                (_, Ok(other)) => {
                    let e = CaveatError::eval(format!(
                        "the predicate of {name}() must be a bool, got {}",
                        a_type(&other)
                    ));
                    if kind == MacroKind::ExistsOne {
                        return Err(e);
                    }
                    first_err.get_or_insert(e);
                }
                (_, Err(e)) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_err {
            return Err(e);
        }
        Ok(Val::Bool(match kind {
            MacroKind::All => true,
            MacroKind::Exists => false,
            MacroKind::ExistsOne => count == 1,
        }))
    }
}

/// `double(string)`: decimal notation, `inf`, `infinity`, `nan`; a finite
/// number too large for a double is an error (as Go's `ParseFloat` reports).
fn parse_double(s: &str) -> Result<f64, CaveatError> {
    let bad = || CaveatError::eval(format!("double() cannot convert {s:?}"));
    let v: f64 = s.parse().map_err(|_| bad())?;
    if v.is_infinite() {
        let t = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if t != "inf" && t != "infinity" {
            return Err(CaveatError::eval(format!(
                "double() range error: {s:?} is too large"
            )));
        }
    }
    Ok(v)
}

fn not(v: Val<'_>) -> Result<Val<'_>, CaveatError> {
    match v {
        Val::Bool(b) => Ok(Val::Bool(!b)),
        other => err(format!("! needs a bool, got {}", a_type(&other))),
    }
}

fn neg(v: Val<'_>) -> Result<Val<'_>, CaveatError> {
    match v {
        Val::Int(i) => i
            .checked_neg()
            .map(Val::Int)
            .ok_or_else(|| CaveatError::eval("integer overflow in negation")),
        Val::Double(d) => Ok(Val::Double(-d)),
        other => err(format!(
            "unary - needs an int or double, got {}",
            a_type(&other)
        )),
    }
}

fn cond(v: Val<'_>) -> Result<bool, CaveatError> {
    match v {
        Val::Bool(b) => Ok(b),
        other => err(format!(
            "the condition of ?: must be a bool, got {}",
            a_type(&other)
        )),
    }
}

/// `string(double)`: Go's `strconv.FormatFloat(d, 'g', -1, 64)`, as cel-go
/// prints doubles (shortest digits; exponent form below 1e-4 or from 1e6).
pub(crate) fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let e = format!("{:e}", d.abs());
    let (mant, exp) = e.split_once('e').expect("LowerExp has an exponent");
    let exp: i32 = exp
        .parse()
        .expect("LowerExp writes the exponent as a decimal integer");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let nd = digits.len() as i32;
    let sign = if d < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if nd > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    let dp = exp + 1;
    let body = if dp <= 0 {
        format!("0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{body}")
}
