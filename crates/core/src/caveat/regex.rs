//! `matches`: CEL patterns are RE2; Rust's `regex` is the same kind of
//! linear-time engine with nearly the same syntax. Where the two differ, the
//! pattern is translated (`\d`, `\w`, `\s`, `\b` are ASCII-only in RE2) or
//! refused, so an accepted pattern matches exactly what RE2 matches.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

use regex_automata::nfa::thompson::pikevm::{Cache, PikeVM};
use regex_automata::nfa::thompson::{self, State, WhichCaptures, NFA};
use regex_automata::util::pool::Pool;
use regex_syntax::ast::{self, Ast, ClassSetItem, Flag, FlagsItemKind};
use regex_syntax::hir::translate::TranslatorBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Largest compiled program one pattern may have, in program units (see
/// [`program_size`]). A count of the automaton, not of bytes of memory, so a
/// pattern is accepted or refused alike on every platform.
pub(crate) const MAX_PROGRAM: u64 = 1_000;
/// Steps every pattern costs to compile, whatever its size (parser, compiler
/// and engine set-up).
pub(crate) const COMPILE_BASE_STEPS: u64 = 512;
/// Steps each program unit costs to compile.
pub(crate) const COMPILE_STEPS_PER_UNIT: u64 = 8;
/// Program units times input positions that cost one step to match.
pub(crate) const MATCH_UNITS_PER_STEP: u64 = 2;
/// Heap bound handed to the NFA compiler, so that building a pattern far over
/// [`MAX_PROGRAM`] stops early instead of finishing first. Patterns within
/// [`MAX_PROGRAM`] need at most about 36 bytes per unit on a 64-bit target
/// (less on 32-bit), so the count, not this byte bound, decides what is
/// accepted; both refusals read the same.
const BUILD_HEAP_LIMIT: usize = 96 * MAX_PROGRAM as usize;
/// Program units charged for each Unicode property class (`\\pL`, `\\p{Greek}`)
/// before the automaton is built: the class is copied out of Unicode's tables.
pub(crate) const UNICODE_CLASS_UNITS: u64 = 64;
/// Code points of a case-insensitive class range (`(?i)[a-z]`) that cost one
/// program unit: folding visits every code point of the range.
pub(crate) const FOLD_CODE_POINTS_PER_UNIT: u64 = 2;
/// Nesting bound of groups and repetitions inside one pattern.
const NEST_LIMIT: u32 = 32;

type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// A compiled `matches()` pattern: a Pike VM (the regex crate's
/// always-linear engine) over a Thompson NFA, and the NFA's counted size.
pub(crate) struct Pattern {
    vm: PikeVM,
    caches: Pool<Cache, CacheFn>,
    size: u64,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pattern")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Pattern {
    /// The compiled program's size in program units.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Steps charged for compiling this pattern.
    pub(crate) fn compile_steps(&self) -> u64 {
        COMPILE_BASE_STEPS.saturating_add(self.size.saturating_mul(COMPILE_STEPS_PER_UNIT))
    }

    /// Steps charged for matching against `len` bytes: the Pike VM touches
    /// each program unit at most once per input position (and once more at
    /// the end), so (len + 1) x size bounds its work.
    pub(crate) fn match_steps(&self, len: usize) -> u64 {
        let positions = (len as u64).saturating_add(1);
        positions
            .saturating_mul(self.size)
            .div_ceil(MATCH_UNITS_PER_STEP)
    }

    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        let mut cache = self.caches.get();
        self.vm.is_match(&mut cache, haystack)
    }

    /// The leftmost-first match starting at or after byte `at` (RE2's and
    /// Go's default semantics), as byte offsets. Only a pattern compiled by
    /// [`compile_find`] reports offsets; any other reports none.
    pub(crate) fn find_at(&self, haystack: &str, at: usize) -> Option<(usize, usize)> {
        let mut cache = self.caches.get();
        let input = regex_automata::Input::new(haystack).range(at..);
        self.vm
            .find(&mut cache, input)
            .map(|m| (m.start(), m.end()))
    }
}

fn build(hir: &Hir, offsets: bool) -> Result<NFA, Box<thompson::BuildError>> {
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(if offsets {
                    WhichCaptures::Implicit
                } else {
                    WhichCaptures::None
                })
                .nfa_size_limit(Some(BUILD_HEAP_LIMIT)),
        )
        .build_from_hir(hir)
        .map_err(Box::new)
}

/// Program units of `hir` as the NFA compiler lays it out, counted from below:
/// `None` as soon as the count passes [`MAX_PROGRAM`]. A repetition `x{n,m}`
/// is m copies of x (`x{n,}` is max(n, 1)) plus a 3-unit union per optional
/// copy (one for an unbounded tail), a concatenation the sum of its parts, an
/// alternation the sum of its branches plus its union (one of plain literals,
/// which the compiler shares as a trie, only its longest branch), a literal 2
/// units per byte, and a class what it compiles to on its own. Assertions
/// count 0.
fn lower_bound(hir: &Hir) -> Option<u64> {
    let within = |n: u64| (n <= MAX_PROGRAM).then_some(n);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(l) => within(2 * l.0.len() as u64),
        HirKind::Class(c) => within(class_size(c)),
        HirKind::Capture(c) => lower_bound(&c.sub),
        HirKind::Repetition(r) => {
            let copies = u64::from(r.max.unwrap_or(r.min.max(1)));
            if copies == 0 {
                return Some(0);
            }
            // Each optional copy, and an unbounded tail, adds a two-way union.
            let unions = match r.max {
                Some(max) => u64::from(max - r.min.min(max)),
                None => 1,
            };
            within(
                lower_bound(&r.sub)?
                    .saturating_mul(copies)
                    .saturating_add(3 * unions),
            )
        }
        HirKind::Concat(parts) => parts
            .iter()
            .try_fold(0u64, |acc, p| within(acc.saturating_add(lower_bound(p)?))),
        HirKind::Alternation(parts) => {
            if parts
                .iter()
                .all(|p| matches!(p.kind(), HirKind::Literal(_)))
            {
                return parts
                    .iter()
                    .try_fold(0u64, |acc, p| Some(acc.max(lower_bound(p)?)));
            }
            // One union state with a transition to each branch.
            let union = 1 + parts.len() as u64;
            parts
                .iter()
                .try_fold(union, |acc, p| within(acc.saturating_add(lower_bound(p)?)))
        }
    }
}

/// Program units one class compiles to: a single state with one transition
/// per range when it is all ASCII, else what compiling it alone gives, less
/// the states every program has.
fn class_size(c: &Class) -> u64 {
    let ascii = match c {
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .all(|r| r.end() < 0x80)
            .then(|| b.ranges().len()),
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .all(|r| r.end() < '\u{80}')
            .then(|| u.ranges().len()),
    };
    if let Some(n) = ascii {
        return 1 + n as u64;
    }
    static BASE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(|| build(&Hir::empty(), false).map_or(0, |n| program_size(&n)));
    match build(&Hir::class(c.clone()), false) {
        Ok(nfa) => program_size(&nfa).saturating_sub(base),
        // Over the heap bound on its own: over the limit.
        Err(_) => u64::MAX,
    }
}

/// The counted size of a compiled program: one unit per NFA state plus one
/// per transition out of it (byte ranges, alternatives). This is what the
/// Pike VM can visit for one input position, so it is also the factor of the
/// matching cost.
fn program_size(nfa: &NFA) -> u64 {
    nfa.states()
        .iter()
        .map(|s| {
            let out = match s {
                State::Sparse(t) => t.transitions.len(),
                State::Dense(_) => 256,
                State::Union { alternates } => alternates.len(),
                State::BinaryUnion { .. } => 2,
                State::ByteRange { .. } | State::Look { .. } | State::Capture { .. } => 1,
                State::Fail | State::Match { .. } => 0,
            };
            1 + out as u64
        })
        .fold(0u64, u64::saturating_add)
}

/// Program units for the class work done while translating the syntax tree:
/// Unicode property classes, and case folding of class ranges. Case
/// insensitivity is assumed for every class when `i` is set anywhere in the
/// pattern (an overestimate for `(?i:a)[b-z]`, never an underestimate).
/// Folding a Unicode property class is counted as folding every code point.
fn class_units(ast: &Ast) -> u64 {
    struct Count {
        fold: bool,
        classes: u64,
        code_points: u64,
    }
    impl Count {
        fn flags(&mut self, f: &ast::Flags) {
            let mut negated = false;
            for item in &f.items {
                match item.kind {
                    FlagsItemKind::Negation => negated = true,
                    FlagsItemKind::Flag(Flag::CaseInsensitive) if !negated => self.fold = true,
                    FlagsItemKind::Flag(_) => {}
                }
            }
        }
    }
    impl ast::Visitor for Count {
        type Output = Count;
        type Err = std::convert::Infallible;
        fn finish(self) -> Result<Count, Self::Err> {
            Ok(self)
        }
        fn visit_pre(&mut self, a: &Ast) -> Result<(), Self::Err> {
            match a {
                Ast::Flags(f) => self.flags(&f.flags),
                Ast::Group(g) => {
                    if let ast::GroupKind::NonCapturing(f) = &g.kind {
                        self.flags(f)
                    }
                }
                Ast::ClassUnicode(_) => self.classes += 1,
                _ => {}
            }
            Ok(())
        }
        fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), Self::Err> {
            match item {
                ClassSetItem::Unicode(_) => self.classes += 1,
                ClassSetItem::Range(r) => {
                    let span = u64::from(r.end.c).saturating_sub(u64::from(r.start.c)) + 1;
                    self.code_points = self.code_points.saturating_add(span);
                }
                _ => {}
            }
            Ok(())
        }
    }
    let start = Count {
        fold: false,
        classes: 0,
        code_points: 0,
    };
    let probe = match ast::visit(ast, start) {
        Ok(c) => c,
        Err(never) => match never {},
    };
    let classes = probe.classes.saturating_mul(UNICODE_CLASS_UNITS);
    if !probe.fold {
        return classes;
    }
    let folded = probe
        .code_points
        .saturating_add(probe.classes.saturating_mul(0x11_0000));
    classes.saturating_add(folded / FOLD_CODE_POINTS_PER_UNIT)
}

fn too_large(pattern: &str) -> String {
    format!(
        "regular expression {pattern:?} compiles to more than {MAX_PROGRAM} program units, \
         the limit; use smaller repetition counts (a{{1000}} is 1000 copies of a), ASCII \
         classes such as [a-z] instead of . or [^x] (each spans 1.1 million code points), \
         and no (?i) on large classes"
    )
}

/// Why a pattern was refused.
#[derive(Debug)]
pub(crate) enum PatternError {
    /// Not RE2 syntax, or RE2 syntax Charter cannot give RE2's meaning.
    Invalid(String),
    /// Its program is over [`MAX_PROGRAM`].
    TooLarge(String),
}

pub(crate) fn compile(pattern: &str) -> Result<Arc<Pattern>, PatternError> {
    compile_with(pattern, false)
}

/// As [`compile`], for `find` and `findAll`: the program also records where
/// the match starts and ends (two capture states more, counted in its size).
pub(crate) fn compile_find(pattern: &str) -> Result<Arc<Pattern>, PatternError> {
    compile_with(pattern, true)
}

fn compile_with(pattern: &str, offsets: bool) -> Result<Arc<Pattern>, PatternError> {
    use PatternError::{Invalid, TooLarge};
    let translated = translate(pattern).map_err(Invalid)?;
    let invalid = |e: &dyn std::fmt::Display| {
        let text = e.to_string();
        let last = text
            .lines()
            .last()
            .unwrap_or("invalid pattern")
            .trim()
            .to_string();
        Invalid(format!(
            "regular expression {pattern:?} is not valid: {last}"
        ))
    };
    let ast = ast::parse::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(&translated)
        .map_err(|e| invalid(&e))?;
    // What translating the syntax tree costs is counted before doing it.
    let before = class_units(&ast);
    if before > MAX_PROGRAM {
        return Err(TooLarge(too_large(pattern)));
    }
    let hir = TranslatorBuilder::new()
        .build()
        .translate(&translated, &ast)
        .map_err(|e| invalid(&e))?;
    // A lower bound of the program from the syntax tree (copies x size), so
    // that a pattern far over the limit is refused without being built.
    if before.saturating_add(lower_bound(&hir).unwrap_or(u64::MAX)) > MAX_PROGRAM {
        return Err(TooLarge(too_large(pattern)));
    }
    let nfa = build(&hir, offsets).map_err(|e| match e.size_limit() {
        Some(_) => TooLarge(too_large(pattern)),
        None => Invalid(format!(
            "regular expression {pattern:?} cannot be compiled: {e}"
        )),
    })?;
    let size = before.saturating_add(program_size(&nfa));
    if size > MAX_PROGRAM {
        return Err(TooLarge(too_large(pattern)));
    }
    let vm = PikeVM::new_from_nfa(nfa).map_err(|e| {
        Invalid(format!(
            "regular expression {pattern:?} cannot be compiled: {e}"
        ))
    })?;
    let for_pool = vm.clone();
    let create: CacheFn = Box::new(move || for_pool.create_cache());
    Ok(Arc::new(Pattern {
        vm,
        caches: Pool::new(create),
        size,
    }))
}

fn translate(p: &str) -> Result<String, String> {
    let refuse = |what: &str| {
        Err(format!("regular expression {p:?} uses {what}, which RE2 (CEL's regex syntax) reads differently; rewrite it without"))
    };
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err(format!(
                        "regular expression {p:?} ends with a lone backslash"
                    ));
                };
                match (e, in_class) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('D', false) => out.push_str("[^0-9]"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('W', false) => out.push_str("[^0-9A-Za-z_]"),
                    ('s', false) => out.push_str("[\\t\\n\\f\\r ]"),
                    ('S', false) => out.push_str("[^\\t\\n\\f\\r ]"),
                    ('d', true) => out.push_str("0-9"),
                    ('w', true) => out.push_str("0-9A-Za-z_"),
                    ('s', true) => out.push_str("\\t\\n\\f\\r "),
                    ('D' | 'W' | 'S', true) => {
                        return refuse("a negated class escape inside [...]")
                    }
                    ('b', false) => out.push_str("(?-u:\\b)"),
                    ('B', false) => out.push_str("(?-u:\\B)"),
                    ('p' | 'P' | 'x', _) => {
                        out.push('\\');
                        out.push(e);
                    }
                    ('A' | 'z' | 'a' | 'f' | 't' | 'n' | 'r' | 'v', _) => {
                        out.push('\\');
                        out.push(e);
                    }
                    ('<' | '>', _) => return refuse(&format!("the escape \\{e}")),
                    (e, _) if e.is_ascii_punctuation() => {
                        out.push('\\');
                        out.push(e);
                    }
                    _ => return refuse(&format!("the escape \\{e}")),
                }
            }
            '[' if in_class => {
                // Only POSIX classes like [:alpha:] nest in RE2; Rust would read
                // any other `[` as a nested class.
                if chars.peek() != Some(&':') {
                    return refuse("'[' inside a character class");
                }
                out.push('[');
                for c2 in chars.by_ref() {
                    out.push(c2);
                    if c2 == ']' {
                        break;
                    }
                }
            }
            '[' => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    // A leading ']' is literal in both dialects.
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                return refuse("'&&', '--' or '~~' inside a character class");
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                out.push('(');
                out.push(chars.next().unwrap_or('?'));
                // Flags RE2 knows: i, m, s, U; and named groups `(?P<`, `(?<`.
                let mut rest = String::new();
                while let Some(&f) = chars.peek() {
                    if f == ':' || f == ')' || f == '<' || f == 'P' {
                        break;
                    }
                    if !matches!(f, 'i' | 'm' | 's' | 'U' | '-') {
                        return refuse(&format!("the flag {f:?}"));
                    }
                    rest.push(f);
                    chars.next();
                }
                out.push_str(&rest);
            }
            '{' if !in_class => {
                // RE2 refuses repetition counts above 1000; Rust would accept
                // them (up to its size limit).
                let digits: String = chars
                    .clone()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .collect();
                if digits
                    .split(',')
                    .any(|d| d.len() > 4 || d.parse::<u32>().is_ok_and(|n| n > 1000))
                {
                    return refuse("a repetition count above 1000");
                }
                out.push('{');
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hir(p: &str) -> Hir {
        let ast = ast::parse::Parser::new().parse(p).unwrap();
        TranslatorBuilder::new().build().translate(p, &ast).unwrap()
    }

    /// The syntax bound refuses early only what the program count would
    /// refuse: it never exceeds the size of the program actually built.
    #[test]
    fn lower_bound_never_exceeds_the_program() {
        for p in [
            "a",
            "abc",
            "[a-z]",
            "[a-z]{100}!",
            "[^X]",
            "[^X]{39}",
            ".",
            ".{30}",
            r"\p{Greek}",
            r"\p{Greek}{6}",
            "(?:a|b|c)",
            "(?:abc|abd|xyz)",
            "(?:[^a]|[^b]){20}",
            "(?:a[^b]|c){20}",
            "a*",
            "a+",
            "a?",
            "(?:[^X]x){2,20}",
            "(?:[^X]){3,}",
            "^orders/[A-Z]-[0-9]+$",
            r"(?i)hello",
            r"(?i)[a-z]{50}",
            r"\bfoo\b",
            "(?:^$){9}",
            "(a+)+$",
            "[[:alpha:]]{20}",
            "é{30}",
            "(?:é|ü){30}",
            "x{0}",
            "(?:){100}",
            "^a",
            "^(?:a|b[^c])*$",
            "^[^/]+/[^/]+$",
            r"(?s).{10}",
            "(?:a{2,5}){3}",
        ] {
            let h = hir(p);
            let program = program_size(&build(&h, false).unwrap());
            let bound = lower_bound(&h).unwrap_or(u64::MAX);
            assert!(bound <= program, "{p}: bound {bound} > program {program}");
            // And it is close: the early refusal is not much weaker than the count.
            assert!(
                program <= 2 * bound + 8,
                "{p}: bound {bound}, program {program}"
            );
        }
    }

    fn pattern() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atom = prop_oneof![
            Just("a".to_string()),
            Just("é".to_string()),
            Just("[a-z]".to_string()),
            Just("[^X]".to_string()),
            Just(".".to_string()),
            Just(r"\d".to_string()),
            Just(r"\p{Greek}".to_string()),
            Just(r"\b".to_string()),
            Just("^".to_string()),
            Just("$".to_string()),
            Just("(?i)k".to_string()),
        ];
        atom.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                proptest::collection::vec(inner.clone(), 2..4)
                    .prop_map(|v| format!("(?:{})", v.join("|"))),
                (inner.clone(), 0u32..6, 0u32..4)
                    .prop_map(|(x, n, extra)| format!("(?:{x}){{{n},{}}}", n + extra)),
                (inner.clone(), 0u32..5).prop_map(|(x, n)| format!("(?:{x}){{{n},}}")),
                (inner.clone(), 0usize..3)
                    .prop_map(|(x, k)| format!("(?:{x}){}", ["*", "+", "?"][k])),
            ]
        })
    }

    proptest::proptest! {
        /// On random patterns: the syntax bound never exceeds the program.
        #[test]
        fn lower_bound_never_exceeds_random_programs(p in pattern()) {
            let h = hir(&p);
            if let Ok(nfa) = build(&h, false) {
                let program = program_size(&nfa);
                if let Some(bound) = lower_bound(&h) {
                    proptest::prop_assert!(bound <= program, "{}: bound {} > program {}", p, bound, program);
                }
            }
        }
    }

    #[test]
    fn far_over_the_limit_is_refused_before_building() {
        for p in [
            "[^X]{1000}",
            ".{1000}",
            "(?:[^X]{100}){10}",
            r"\pL",
            r"\pL{500}",
        ] {
            assert!(lower_bound(&hir(p)).is_none(), "{p}");
        }
    }
}
