//! The `[risk]` table of a scenario: the uncertain inputs (any numeric scenario key, or a
//! project risk applied as a case), their rank correlations, the metal price processes,
//! the sampling and the precision stop. Validated against the scenario it belongs to.

use super::prices::{PriceProcess, Process, PRODUCTS};
use super::sample::{cholesky, correlation_problem, pearson_target, Sampling};
use des::input::{check_count, check_len, check_range, Invalid};
use des::Dist;
use serde::{Deserialize, Serialize};

/// Most iterations one study may ask for (the per-iteration table is kept in memory:
/// about 1.5 kB an iteration for El Boleo, so 10^6 iterations stay near 1.5 GB; split a
/// larger study into shards).
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// Most uncertain inputs.
pub const MAX_INPUTS: usize = 64;
/// Longest price path, years.
pub const MAX_PRICE_YEARS: usize = 80;

/// The `[risk]` table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskConfig {
    /// Iterations (`--iterations` overrides).
    #[serde(default = "default_iterations")]
    pub iterations: u64,
    /// `latin_hypercube` (default) or `monte_carlo` (`--sampling` overrides).
    #[serde(default)]
    pub sampling: Sampling,
    /// The date the study stands at (the information its priors use), e.g. "2007-06".
    #[serde(default)]
    pub dated: String,
    /// Fast path: counted days of section DES at each design point of the productivity
    /// surface (the section's rate over the drawn section inputs and seam heights).
    #[serde(default = "default_probe_days")]
    pub probe_days: u32,
    /// Fast path: design points of the productivity surface (0: eight per quadratic term).
    #[serde(default)]
    pub design_points: u32,
    /// Fast path: days of section DES pooled per distinct seam height at the base inputs,
    /// the shifts every iteration's life of mine is composed from.
    #[serde(default = "default_pool_days")]
    pub pool_days: u32,
    /// Years of the price paths (from each process's `start_year + 1`).
    #[serde(default = "default_price_years")]
    pub price_years: usize,
    /// The uncertain inputs.
    #[serde(default)]
    pub inputs: Vec<RiskInput>,
    /// Rank correlations among inputs (Iman–Conover).
    #[serde(default)]
    pub correlation: Option<Correlation>,
    /// Metal price processes.
    #[serde(default)]
    pub prices: Vec<PriceProcess>,
    /// Correlation of the annual price shocks across products.
    #[serde(default)]
    pub price_correlation: Option<Correlation>,
    /// Stop early once the chosen outputs are known precisely enough.
    #[serde(default)]
    pub precision: Option<Precision>,
}

fn default_iterations() -> u64 {
    1000
}
fn default_probe_days() -> u32 {
    120
}
fn default_pool_days() -> u32 {
    3650
}
fn default_price_years() -> usize {
    45
}

/// How a drawn value changes its key.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// The key takes the drawn value.
    #[default]
    Set,
    /// The key's value is multiplied by the draw (for a distribution: every parameter in
    /// the value's unit, and its offset, so the variable itself is scaled).
    Scale,
    /// The draw is added to the key's value (for a distribution: to its offset).
    Add,
}

/// One uncertain input (`[[risk.inputs]]`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    /// Name in tables and correlation lists.
    pub name: String,
    /// A scenario key path (`finance.capex.overrun_pct`, `section.bolters.bolt_min`,
    /// `deposit.mantos[0].thickness_m`) or a project risk applied as a case: one of
    /// [`CaseKey`]s.
    pub key: String,
    /// How the draw changes the key.
    #[serde(default)]
    pub how: How,
    /// The distribution drawn from (any manto distribution, with its offset).
    pub value: Dist,
    /// Where the prior comes from (a citation, or `assumption` and why).
    #[serde(default)]
    pub source: String,
}

/// A project risk applied through the finance model's case machinery rather than a key
/// (`key = "case.…"` in `[[risk.inputs]]`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CaseKey {
    /// `case.delay_quarters`.
    DelayQuarters,
    /// `case.ramp_up_shortfall_pct`.
    RampUpShortfallPct,
    /// `case.production_factor`.
    ProductionFactor,
    /// `case.opex_factor`.
    OpexFactor,
    /// `case.capex_factor`.
    CapexFactor,
    /// `case.price_factor`.
    PriceFactor,
}

impl CaseKey {
    /// Every case key, in the order the documentation lists them.
    pub const ALL: [CaseKey; 6] = [
        CaseKey::DelayQuarters,
        CaseKey::RampUpShortfallPct,
        CaseKey::ProductionFactor,
        CaseKey::OpexFactor,
        CaseKey::CapexFactor,
        CaseKey::PriceFactor,
    ];

    /// The key as written in a scenario.
    pub fn key(self) -> &'static str {
        match self {
            CaseKey::DelayQuarters => "case.delay_quarters",
            CaseKey::RampUpShortfallPct => "case.ramp_up_shortfall_pct",
            CaseKey::ProductionFactor => "case.production_factor",
            CaseKey::OpexFactor => "case.opex_factor",
            CaseKey::CapexFactor => "case.capex_factor",
            CaseKey::PriceFactor => "case.price_factor",
        }
    }

    /// What the drawn value means.
    pub fn description(self) -> &'static str {
        match self {
            CaseKey::DelayQuarters => "quarters of construction delay (rounded to whole quarters; capital as planned, start-up later)",
            CaseKey::RampUpShortfallPct => "production short of plan in operating year 1, %; the shortfall halves each year after",
            CaseKey::ProductionFactor => "factor on metal production",
            CaseKey::OpexFactor => "factor on every operating unit cost",
            CaseKey::CapexFactor => "factor on initial capital",
            CaseKey::PriceFactor => "factor on every product price",
        }
    }

    /// The case key written `key`, if any.
    pub fn parse(key: &str) -> Option<CaseKey> {
        CaseKey::ALL.into_iter().find(|c| c.key() == key)
    }

    /// True for a factor (neutral at 1); the others are neutral at 0.
    pub fn is_factor(self) -> bool {
        !matches!(self, CaseKey::DelayQuarters | CaseKey::RampUpShortfallPct)
    }

    /// The range a drawn value must stay in.
    pub fn range(self) -> (f64, f64) {
        match self {
            CaseKey::DelayQuarters => (0.0, 40.0),
            CaseKey::RampUpShortfallPct => (0.0, 100.0),
            _ => (0.0, 10.0),
        }
    }
}

/// A rank-correlation matrix over named inputs (or products).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// The inputs' names (or the products), in the matrix's order.
    pub names: Vec<String>,
    /// The matrix: symmetric, unit diagonal, positive definite.
    pub matrix: Vec<Vec<f64>>,
    /// Where the correlations come from.
    #[serde(default)]
    pub source: String,
}

/// The precision stop (`[risk.precision]`), as @RISK's convergence monitoring: iterations
/// run in blocks; after each block, stop once the 95% confidence interval half-width of
/// the mean of every listed output is within `tolerance_pct` of its mean.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Precision {
    /// Output names (see `manto risk --json`, `outputs[].name`).
    pub outputs: Vec<String>,
    /// Half-width of the 95% CI as a % of |mean|.
    pub tolerance_pct: f64,
    /// Iterations per block.
    #[serde(default = "default_check_every")]
    pub check_every: u64,
    /// Never stop before this many iterations.
    #[serde(default = "default_min_iterations")]
    pub min_iterations: u64,
}

fn default_check_every() -> u64 {
    100
}
fn default_min_iterations() -> u64 {
    200
}

/// Where an input's draw goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A scenario key path, as segments (key or index).
    Key(Vec<Seg>),
    /// A project risk applied as a case.
    Case(CaseKey),
}

pub use crate::overrides::{parse_path, Seg};

/// The value at `segs` in `v`, if any.
pub fn get<'a>(v: &'a toml::Value, segs: &[Seg]) -> Option<&'a toml::Value> {
    segs.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.as_table()?.get(k),
        Seg::Index(i) => v.as_array()?.get(*i),
    })
}

/// The value at `segs` in `v`, mutably.
pub fn get_mut<'a>(v: &'a mut toml::Value, segs: &[Seg]) -> Option<&'a mut toml::Value> {
    segs.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.as_table_mut()?.get_mut(k),
        Seg::Index(i) => v.as_array_mut()?.get_mut(*i),
    })
}

/// Scenario tables a risk input may not touch, and why.
const FORBIDDEN: [(&str, &str); 6] = [
    ("simulation", "run options are not uncertain inputs"),
    ("targets", "sizing targets are not uncertain inputs"),
    ("schedule", "run options are not uncertain inputs"),
    ("risk", "the risk study cannot draw its own settings"),
    ("name", "not a number"),
    ("description", "not a number"),
];

impl RiskInput {
    /// Where the draw goes (the key is validated).
    pub fn target(&self) -> Target {
        match CaseKey::parse(&self.key) {
            Some(c) => Target::Case(c),
            None => Target::Key(parse_path(&self.key).unwrap_or_default()),
        }
    }

    /// True when the draw changes the section DES (the fast path measures its effect).
    pub fn drives_section(&self) -> bool {
        self.key.starts_with("section.")
            || self.key.starts_with("ground.")
            || is_thickness(&self.key)
    }
}

/// True for a manto's seam height key (`deposit.mantos[i].thickness_m`).
pub(crate) fn is_thickness(key: &str) -> bool {
    key.starts_with("deposit.mantos[") && key.ends_with(".thickness_m")
}

/// True for a TOML value a distribution reads from: a number or an inline `dist` table.
fn is_dist_table(v: &toml::Value) -> bool {
    v.as_table().is_some_and(|t| t.contains_key("dist"))
}

impl RiskConfig {
    /// Problems with the `[risk]` table of a scenario whose other tables serialise to `doc`.
    pub fn validate(&self, doc: &toml::Value) -> Vec<Invalid> {
        let mut out = Vec::new();
        check_count(
            &mut out,
            "risk.iterations".into(),
            "iterations",
            self.iterations,
            1,
            MAX_ITERATIONS,
        );
        check_count(
            &mut out,
            "risk.probe_days".into(),
            "probe days",
            u64::from(self.probe_days),
            1,
            365,
        );
        check_count(
            &mut out,
            "risk.design_points".into(),
            "design points",
            u64::from(self.design_points),
            0,
            2000,
        );
        check_count(
            &mut out,
            "risk.pool_days".into(),
            "pool days",
            u64::from(self.pool_days),
            7,
            3650,
        );
        check_count(
            &mut out,
            "risk.price_years".into(),
            "price years",
            self.price_years as u64,
            1,
            MAX_PRICE_YEARS as u64,
        );
        if check_len(
            &mut out,
            "risk.inputs".into(),
            self.inputs.len(),
            MAX_INPUTS,
        ) {
            for (i, inp) in self.inputs.iter().enumerate() {
                self.validate_input(i, inp, doc, &mut out);
            }
        }
        if let Some(c) = &self.correlation {
            let names: Vec<&str> = self.inputs.iter().map(|i| i.name.as_str()).collect();
            validate_correlation(c, "risk.correlation", "input", &names, &mut out);
        }
        if check_len(
            &mut out,
            "risk.prices".into(),
            self.prices.len(),
            PRODUCTS.len(),
        ) {
            for (i, p) in self.prices.iter().enumerate() {
                validate_price(i, p, &self.prices[..i], doc, &mut out);
            }
        }
        if let Some(c) = &self.price_correlation {
            let names: Vec<&str> = self.prices.iter().map(|p| p.product.as_str()).collect();
            validate_correlation(
                c,
                "risk.price_correlation",
                "price process",
                &names,
                &mut out,
            );
        }
        if let Some(p) = &self.precision {
            if p.outputs.is_empty() {
                out.push(Invalid::new(
                    "risk.precision.outputs",
                    "name at least one output",
                ));
            }
            for (i, name) in p.outputs.iter().enumerate() {
                if !super::output_names(doc).iter().any(|n| n == name) {
                    out.push(Invalid::new(
                        format!("risk.precision.outputs[{i}]"),
                        format!(
                            "no output `{name}` (outputs: {})",
                            super::output_names(doc).join(", ")
                        ),
                    ));
                }
            }
            check_range(
                &mut out,
                "risk.precision.tolerance_pct".into(),
                "tolerance",
                p.tolerance_pct,
                (1e-6, 100.0),
                "%",
            );
            check_count(
                &mut out,
                "risk.precision.check_every".into(),
                "block",
                p.check_every,
                10,
                MAX_ITERATIONS,
            );
            check_count(
                &mut out,
                "risk.precision.min_iterations".into(),
                "minimum iterations",
                p.min_iterations,
                2,
                MAX_ITERATIONS,
            );
        }
        out
    }

    fn validate_input(&self, i: usize, inp: &RiskInput, doc: &toml::Value, out: &mut Vec<Invalid>) {
        let path = format!("risk.inputs[{i}]");
        if inp.name.trim().is_empty() {
            out.push(Invalid::new(format!("{path}.name"), "needs a name"));
        }
        if self.inputs[..i].iter().any(|o| o.name == inp.name) {
            out.push(Invalid::new(
                format!("{path}.name"),
                format!("`{}` is already the name of an earlier input", inp.name),
            ));
        }
        if self.inputs[..i].iter().any(|o| o.key == inp.key) {
            out.push(Invalid::new(
                format!("{path}.key"),
                format!("`{}` is already drawn by an earlier input", inp.key),
            ));
        }
        if let Err(e) = inp.value.validate() {
            out.push(Invalid::new(format!("{path}.value"), e.to_string()));
            return;
        }
        if inp.key == "case.delay_quarters" && doc.get("construction").is_some() {
            out.push(Invalid::new(
                format!("{path}.key"),
                "the scenario has a [construction] schedule, which sets each iteration's delay to commercial production: remove this flat delay prior (or the [construction] table)",
            ));
        }
        if inp.key.starts_with("case.") {
            let Some(case) = CaseKey::parse(&inp.key) else {
                let keys: Vec<&str> = CaseKey::ALL.iter().map(|c| c.key()).collect();
                out.push(Invalid::new(
                    format!("{path}.key"),
                    format!(
                        "no project risk `{}` (case keys: {})",
                        inp.key,
                        keys.join(", ")
                    ),
                ));
                return;
            };
            if inp.how != How::Set {
                out.push(Invalid::new(
                    format!("{path}.how"),
                    "a case key takes the drawn value: leave `how` unset",
                ));
            }
            let (lo, hi) = inp.value.support();
            let (min, max) = case.range();
            if lo < min || hi > max {
                out.push(Invalid::new(
                    format!("{path}.value"),
                    format!(
                        "`{}` must lie in {min} to {max}, but this distribution reaches {lo} to {hi}: bound it (a triangular, PERT, uniform or empirical) or offset it",
                        inp.key
                    ),
                ));
            }
            return;
        }
        let Some(segs) = parse_path(&inp.key) else {
            out.push(Invalid::new(
                format!("{path}.key"),
                format!("`{}` is not a key path (a.b.c or a.b[0].c)", inp.key),
            ));
            return;
        };
        if let Some(Seg::Key(first)) = segs.first() {
            if let Some((_, why)) = FORBIDDEN.iter().find(|(k, _)| k == first) {
                out.push(Invalid::new(
                    format!("{path}.key"),
                    format!("`{}` cannot be drawn: {why}", inp.key),
                ));
                return;
            }
        }
        match get(doc, &segs) {
            None => out.push(Invalid::new(
                format!("{path}.key"),
                format!(
                    "the scenario has no key `{}` (write it as `manto scenario show` prints it; a key left to its default must be written in the file first)",
                    inp.key
                ),
            )),
            Some(v) if v.is_float() || v.is_integer() => {}
            Some(v) if is_dist_table(v) && inp.how != How::Set => {}
            Some(v) if is_dist_table(v) => out.push(Invalid::new(
                format!("{path}.how"),
                format!(
                    "`{}` is a distribution: `how = \"scale\"` scales it, `how = \"add\"` shifts it; setting it to a number would remove its randomness",
                    inp.key
                ),
            )),
            Some(_) => out.push(Invalid::new(
                format!("{path}.key"),
                format!("`{}` is not a number", inp.key),
            )),
        }
    }
}

pub(crate) fn validate_correlation(
    c: &Correlation,
    path: &str,
    what: &str,
    known: &[&str],
    out: &mut Vec<Invalid>,
) {
    if c.names.len() < 2 {
        out.push(Invalid::new(
            format!("{path}.names"),
            format!("name at least two of the {what}s"),
        ));
        return;
    }
    for (i, n) in c.names.iter().enumerate() {
        if !known.contains(&n.as_str()) {
            out.push(Invalid::new(
                format!("{path}.names[{i}]"),
                format!("no {what} `{n}` (known: {})", known.join(", ")),
            ));
        }
        if c.names[..i].contains(n) {
            out.push(Invalid::new(
                format!("{path}.names[{i}]"),
                format!("`{n}` is listed twice"),
            ));
        }
    }
    if c.matrix.len() != c.names.len() {
        out.push(Invalid::new(
            format!("{path}.matrix"),
            format!("has {} rows for {} names", c.matrix.len(), c.names.len()),
        ));
        return;
    }
    if let Some(why) = correlation_problem(&c.matrix) {
        out.push(Invalid::new(
            format!("{path}.matrix"),
            format!("not a valid correlation matrix: {why}"),
        ));
    } else if what == "input" && cholesky(&pearson_target(&c.matrix)).is_none() {
        out.push(Invalid::new(
            format!("{path}.matrix"),
            "these rank correlations need a Pearson matrix on the normal scores (2 sin(pi r / 6) entry by entry) that is not positive definite: weaken the largest correlations",
        ));
    }
}

fn validate_price(
    i: usize,
    p: &PriceProcess,
    earlier: &[PriceProcess],
    doc: &toml::Value,
    out: &mut Vec<Invalid>,
) {
    let path = format!("risk.prices[{i}]");
    if !PRODUCTS.contains(&p.product.as_str()) {
        out.push(Invalid::new(
            format!("{path}.product"),
            format!(
                "no product `{}` (products: {})",
                p.product,
                PRODUCTS.join(", ")
            ),
        ));
        return;
    }
    if earlier.iter().any(|e| e.product == p.product) {
        out.push(Invalid::new(
            format!("{path}.product"),
            format!("`{}` already has a price process", p.product),
        ));
    }
    if price_key(doc, &p.product).is_none() {
        out.push(Invalid::new(
            format!("{path}.product"),
            format!(
                "the scenario gives no price for `{}` (finance.revenue.{}.price_usd_per_lb or price_usd_per_t)",
                p.product, p.product
            ),
        ));
    }
    check_range(
        out,
        format!("{path}.start"),
        "start price",
        p.start,
        (1e-9, 1e9),
        "",
    );
    check_range(
        out,
        format!("{path}.volatility_pct"),
        "volatility",
        p.volatility_pct,
        (0.0, 200.0),
        "%",
    );
    check_range(
        out,
        format!("{path}.drift_pct"),
        "drift",
        p.drift_pct,
        (-50.0, 50.0),
        "%",
    );
    let (lo, hi) = finance::limits::FINANCE_YEARS;
    check_range(
        out,
        format!("{path}.start_year"),
        "start year",
        f64::from(p.start_year),
        (f64::from(lo), f64::from(hi - MAX_PRICE_YEARS as i32 - 1)),
        "",
    );
    if p.process == Process::MeanReverting {
        check_range(
            out,
            format!("{path}.long_run"),
            "long-run price",
            p.long_run,
            (1e-9, 1e9),
            "",
        );
        check_range(
            out,
            format!("{path}.reversion_per_year"),
            "reversion speed",
            p.reversion_per_year,
            (0.0, 20.0),
            "/y",
        );
    }
}

/// The price key of `product` in the scenario: (`price_usd_per_lb` or `price_usd_per_t`).
pub fn price_key(doc: &toml::Value, product: &str) -> Option<&'static str> {
    let t = get(
        doc,
        &[
            Seg::Key("finance".into()),
            Seg::Key("revenue".into()),
            Seg::Key(product.into()),
        ],
    )?
    .as_table()?;
    ["price_usd_per_lb", "price_usd_per_t"]
        .into_iter()
        .find(|k| t.contains_key(*k))
}
