//! Distributions written in Rockwell Arena's expression notation, as simulation studies and
//! Arena's Input Analyzer print them: `EXPO(5)`, `28 + ERLA(3.63, 3)`,
//! `1.86 + GAMM(0.0987, 5.05)`, `TRIA(5, 7, 10)`, `-0.5 + 2 * BETA(1.2, 3.4)`.
//!
//! [`parse`] turns such a string into a [`Dist`] with Arena's own parameter conventions
//! (Rockwell Automation, *Arena User's Guide* / *Getting Started with Arena*, appendix
//! "Statistical Distributions"; also Rossetti, *Simulation Modeling and Arena*, appendix F):
//!
//! | Arena (aliases)            | parameters                  | manto                                             |
//! |----------------------------|-----------------------------|---------------------------------------------------|
//! | `BETA` (`BE`)              | Beta, Alpha (both shapes)   | beta, shape1 = Beta, shape2 = Alpha, on [0, 1]     |
//! | `CONT` (`CONTINUOUS`, `CO`)| CumP1, Val1, ..., CumPn, Valn | continuous (piecewise-linear distribution function) |
//! | `DISC` (`DISCRETE`, `DP`)  | CumP1, Val1, ..., CumPn, Valn | discrete                                        |
//! | `ERLA` (`ERLANG`, `ER`)    | ExpoMean, k                 | erlang, k, mean = k × ExpoMean                     |
//! | `EXPO` (`EXPONENTIAL`, `EX`)| Mean                       | exponential                                       |
//! | `GAMM` (`GAMMA`, `GA`)     | Beta (scale), Alpha (shape) | gamma, shape = Alpha, scale = Beta                 |
//! | `LOGN` (`LOGNORMAL`, `RL`) | LogMean, LogStd (mean and sd of the value itself) | lognormal, mean, sd        |
//! | `NORM` (`NORMAL`, `RN`)    | Mean, StdDev                | normal (truncated at zero: see [`crate::DistKind::Normal`]) |
//! | `POIS` (`POISSON`, `PO`)   | Mean                        | poisson                                           |
//! | `TRIA` (`TRIANGULAR`, `TR`)| Min, Mode, Max              | triangular                                        |
//! | `UNIF` (`UNIFORM`, `UN`)   | Min, Max                    | uniform                                           |
//! | `WEIB` (`WEIBULL`, `WE`)   | Beta (scale), Alpha (shape) | weibull, shape = Alpha, scale = Beta               |
//!
//! Around one distribution the expression may add or subtract constants (an offset) and
//! multiply or divide by a positive constant (a scale), with parentheses: `a + b * DIST(...)`
//! is what the Input Analyzer writes for a shifted, scaled fit. Names are case-insensitive.
//! Refused, each with a hint: Arena's optional random-number stream argument (manto's
//! streams are keyed, not numbered), `JOHN` (no Johnson family in manto), sums or products of
//! two distributions, a negated distribution, and anything else that is not one
//! distribution plus an offset times a scale.

use std::fmt;

use crate::dist::{Dist, DistKind};

/// Why an Arena expression was refused: a sentence for the user, ending with a hint.
#[derive(Clone, Debug, PartialEq)]
pub struct ArenaError(String);

impl fmt::Display for ArenaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for ArenaError {}

/// The most characters an expression may have (an Arena `DISC` with a few hundred points
/// fits; anything longer is not a hand-written distribution).
const MAX_LEN: usize = 20_000;

/// Arena's names (and the aliases Arena also accepts), upper case.
const FUNCTIONS: [(&str, &[&str]); 13] = [
    ("BETA", &["BETA", "BE"]),
    ("CONT", &["CONT", "CONTINUOUS", "CO"]),
    ("DISC", &["DISC", "DISCRETE", "DP"]),
    ("ERLA", &["ERLA", "ERLANG", "ER"]),
    ("EXPO", &["EXPO", "EXPONENTIAL", "EX"]),
    ("GAMM", &["GAMM", "GAMMA", "GA"]),
    ("JOHN", &["JOHN", "JOHNSON", "JO"]),
    ("LOGN", &["LOGN", "LOGNORMAL", "RL"]),
    ("NORM", &["NORM", "NORMAL", "RN"]),
    ("POIS", &["POIS", "POISSON", "PO"]),
    ("TRIA", &["TRIA", "TRIANGULAR", "TR"]),
    ("UNIF", &["UNIF", "UNIFORM", "UN"]),
    ("WEIB", &["WEIB", "WEIBULL", "WE"]),
];

const EXAMPLE: &str = "write e.g. \"28 + ERLA(3.63, 3)\", \"TRIA(5, 7, 10)\" or \"2 * EXPO(1.5)\"";

/// Reads an Arena expression as a validated [`Dist`]; see the [module](self) documentation.
pub fn parse(text: &str) -> Result<Dist, ArenaError> {
    if text.len() > MAX_LEN {
        return Err(ArenaError(format!(
            "the Arena expression is {} characters long (at most {MAX_LEN})",
            text.len()
        )));
    }
    let mut p = Parser {
        text,
        chars: text.char_indices().collect(),
        at: 0,
        depth: 0,
    };
    let value = p.expr()?;
    p.skip_space();
    if p.at < p.chars.len() {
        return Err(p.error(&format!("unexpected `{}`", p.chars[p.at].1)));
    }
    match value {
        Value::Const(c) => Dist::fixed(c).map_err(|e| ArenaError(format!("`{text}`: {e}"))),
        Value::Dist(d) => Ok(d),
    }
}

/// A sub-expression: a constant or one distribution (offset and scale folded in).
enum Value {
    Const(f64),
    Dist(Dist),
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> ArenaError {
        let col = self.at + 1;
        ArenaError(format!(
            "cannot read the Arena expression `{}`: {what} at character {col}; {EXAMPLE}",
            self.text
        ))
    }

    fn refuse(&self, what: &str) -> ArenaError {
        ArenaError(format!("Arena expression `{}`: {what}", self.text))
    }

    fn skip_space(&mut self) {
        while self.at < self.chars.len() && self.chars[self.at].1.is_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.at).map(|c| c.1)
    }

    fn expect(&mut self, want: char) -> Result<(), ArenaError> {
        match self.peek() {
            Some(c) if c == want => {
                self.at += 1;
                Ok(())
            }
            Some(c) => Err(self.error(&format!("expected `{want}`, found `{c}`"))),
            None => Err(self.error(&format!("expected `{want}`, found the end"))),
        }
    }

    /// expr := term (('+' | '-') term)*
    fn expr(&mut self) -> Result<Value, ArenaError> {
        let mut left = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.at += 1;
            let right = self.term()?;
            left = self.add(left, right, op == '-')?;
        }
        Ok(left)
    }

    /// term := factor (('*' | '/') factor)*
    fn term(&mut self) -> Result<Value, ArenaError> {
        let mut left = self.factor()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.at += 1;
            let right = self.factor()?;
            left = self.mul(left, right, op == '/')?;
        }
        Ok(left)
    }

    /// factor := number | '-' factor | '+' factor | '(' expr ')' | NAME '(' args ')'
    fn factor(&mut self) -> Result<Value, ArenaError> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.error("too deeply nested"));
        }
        let out = match self.peek() {
            None => Err(self.error("expected a number or a distribution, found the end")),
            Some('-') => {
                self.at += 1;
                match self.factor()? {
                    Value::Const(c) => Ok(Value::Const(-c)),
                    Value::Dist(_) => Err(self.refuse(
                        "a negated distribution is not a manto distribution; write the \
                         distribution of the positive quantity",
                    )),
                }
            }
            Some('+') => {
                self.at += 1;
                self.factor()
            }
            Some('(') => {
                self.at += 1;
                let v = self.expr()?;
                self.expect(')')?;
                Ok(v)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number().map(Value::Const),
            Some(c) if c.is_ascii_alphabetic() => self.call(),
            Some(c) => Err(self.error(&format!("unexpected `{c}`"))),
        };
        self.depth -= 1;
        out
    }

    fn number(&mut self) -> Result<f64, ArenaError> {
        let start = self.at;
        while self.at < self.chars.len() {
            let c = self.chars[self.at].1;
            let exp_sign = (c == '+' || c == '-')
                && self.at > start
                && matches!(self.chars[self.at - 1].1, 'e' | 'E');
            if c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || exp_sign {
                self.at += 1;
            } else {
                break;
            }
        }
        let from = self.chars[start].0;
        let to = self.chars.get(self.at).map_or(self.text.len(), |c| c.0);
        let s = &self.text[from..to];
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => {
                self.at = start;
                Err(self.error(&format!("`{s}` is not a number")))
            }
        }
    }

    fn call(&mut self) -> Result<Value, ArenaError> {
        let start = self.at;
        while self.at < self.chars.len() && self.chars[self.at].1.is_ascii_alphanumeric() {
            self.at += 1;
        }
        let from = self.chars[start].0;
        let to = self.chars.get(self.at).map_or(self.text.len(), |c| c.0);
        let name = self.text[from..to].to_ascii_uppercase();
        let Some(&(canon, _)) = FUNCTIONS.iter().find(|(_, al)| al.contains(&name.as_str())) else {
            self.at = start;
            let known: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
            let near = known
                .iter()
                .min_by_key(|k| strsim::levenshtein(k, &name))
                .filter(|k| strsim::levenshtein(k, &name) <= 2)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(self.error(&format!(
                "unknown distribution `{}`{near}; Arena's are {}",
                &self.text[from..to],
                known.join(", ")
            )));
        };
        self.expect('(')?;
        let mut args = Vec::new();
        if self.peek() != Some(')') {
            loop {
                match self.expr()? {
                    Value::Const(c) => args.push(c),
                    Value::Dist(_) => {
                        return Err(self.refuse(&format!(
                            "a distribution as a parameter of {canon} is not supported; give \
                             numbers"
                        )))
                    }
                }
                match self.peek() {
                    Some(',') => self.at += 1,
                    _ => break,
                }
            }
        }
        self.expect(')')?;
        self.build(canon, &args).map(Value::Dist)
    }

    /// The manto distribution for Arena's `canon(args)`.
    fn build(&self, canon: &str, args: &[f64]) -> Result<Dist, ArenaError> {
        let (want, names): (usize, &str) = match canon {
            "BETA" => (2, "Beta, Alpha"),
            "ERLA" => (2, "ExpoMean, k"),
            "EXPO" | "POIS" => (1, "Mean"),
            "GAMM" | "WEIB" => (2, "Beta, Alpha"),
            "LOGN" => (2, "LogMean, LogStd"),
            "NORM" => (2, "Mean, StdDev"),
            "TRIA" => (3, "Min, Mode, Max"),
            "UNIF" => (2, "Min, Max"),
            "CONT" | "DISC" => (0, "CumP1, Val1, ..., CumPn, Valn"),
            _ => {
                return Err(self.refuse(
                    "JOHN (Johnson) has no manto equivalent; refit with another family (the \
                     Input Analyzer lists the next best fits)",
                ))
            }
        };
        if want == 0 {
            if args.is_empty() || !args.len().is_multiple_of(2) {
                return Err(self.refuse(&format!(
                    "{canon} takes pairs {names}; got {} number(s)",
                    args.len()
                )));
            }
        } else if args.len() == want + 1 {
            return Err(self.refuse(&format!(
                "{canon}({names}) got {} parameters: the last looks like Arena's random-number \
                 stream, which manto does not take (its streams are keyed by what they draw); \
                 drop it",
                args.len()
            )));
        } else if args.len() != want {
            return Err(self.refuse(&format!(
                "{canon} takes {want} parameter(s) ({names}); got {}",
                args.len()
            )));
        }
        let kind = match canon {
            "BETA" => DistKind::Beta {
                shape1: args[0],
                shape2: args[1],
                min: 0.0,
                max: 1.0,
            },
            "ERLA" => {
                let k = args[1];
                if !(k >= 1.0 && k.fract() == 0.0 && k <= f64::from(u32::MAX)) {
                    return Err(self.refuse(&format!(
                        "ERLA(ExpoMean, k) needs a whole number k >= 1; got {k}"
                    )));
                }
                DistKind::Erlang {
                    k: k as u32,
                    mean: k * args[0],
                }
            }
            "EXPO" => DistKind::Exponential { mean: args[0] },
            "POIS" => DistKind::Poisson { mean: args[0] },
            "GAMM" => DistKind::Gamma {
                shape: args[1],
                scale: args[0],
            },
            "WEIB" => DistKind::Weibull {
                shape: args[1],
                scale: args[0],
            },
            "LOGN" => DistKind::LogNormal {
                mean: args[0],
                sd: args[1],
            },
            "NORM" => DistKind::Normal {
                mean: args[0],
                sd: args[1],
            },
            "TRIA" => DistKind::Triangular {
                min: args[0],
                mode: args[1],
                max: args[2],
            },
            "UNIF" => DistKind::Uniform {
                min: args[0],
                max: args[1],
            },
            _ => {
                let cum_probs = args.iter().step_by(2).copied().collect();
                let values = args.iter().skip(1).step_by(2).copied().collect();
                if canon == "CONT" {
                    DistKind::Continuous { cum_probs, values }
                } else {
                    DistKind::Discrete { cum_probs, values }
                }
            }
        };
        Dist::new(kind, 0.0).map_err(|e| self.refuse(&format!("{canon}({names}): {e}")))
    }

    fn add(&self, left: Value, right: Value, minus: bool) -> Result<Value, ArenaError> {
        let sign = if minus { -1.0 } else { 1.0 };
        match (left, right) {
            (Value::Const(a), Value::Const(b)) => Ok(Value::Const(a + sign * b)),
            (Value::Dist(d), Value::Const(c)) => self.shift(d, sign * c),
            (Value::Const(c), Value::Dist(d)) if !minus => self.shift(d, c),
            (Value::Const(_), Value::Dist(_)) => Err(self.refuse(
                "a constant minus a distribution is a negated distribution, which manto does not \
                 have; write the distribution of the quantity itself",
            )),
            (Value::Dist(_), Value::Dist(_)) => Err(self.refuse(
                "the sum of two distributions is not one manto distribution; fit one \
                 distribution to the total (or give the parts as separate inputs)",
            )),
        }
    }

    fn shift(&self, d: Dist, by: f64) -> Result<Value, ArenaError> {
        let offset = d.offset() + by;
        d.with_offset(offset)
            .map(Value::Dist)
            .map_err(|e| self.refuse(&e.to_string()))
    }

    fn mul(&self, left: Value, right: Value, divide: bool) -> Result<Value, ArenaError> {
        let factor = |c: f64| if divide { 1.0 / c } else { c };
        match (left, right) {
            (Value::Const(a), Value::Const(b)) => {
                let v = if divide { a / b } else { a * b };
                if v.is_finite() {
                    Ok(Value::Const(v))
                } else {
                    Err(self.refuse("division by zero"))
                }
            }
            (Value::Dist(d), Value::Const(c)) => d
                .scaled(factor(c))
                .map(Value::Dist)
                .map_err(|e| self.refuse(&e.to_string())),
            (Value::Const(c), Value::Dist(d)) if !divide => d
                .scaled(c)
                .map(Value::Dist)
                .map_err(|e| self.refuse(&e.to_string())),
            _ => Err(self.refuse(
                "a product or quotient involving two distributions (or a constant divided by a \
                 distribution) is not one manto distribution; fit one distribution to the result",
            )),
        }
    }
}
