//! The HTML report (`manto report --html`): one self-contained file, readable offline and
//! printable. Inline CSS (with a print stylesheet) and inline SVG charts drawn by
//! [`chart`]; no script, no font, no image and no link is fetched from anywhere.
//!
//! Layout: a one-page summary, then the mine, then the finance, then the risk study
//! ([`risk_section`]: its charts when the report ran it, else a note saying how to).
//! Every chart is a `<figure id="chart-ID">` with its title, axis labels with units, and
//! its numbers as a `<table>` beside it. Numbers of the summary carry `data-json` (the
//! path of the same number in `manto run --json`, `*` for every element of an array,
//! summed or maxed as `data-agg` says) and `data-value` (full precision), which
//! `scripts/check-reports.sh` compares with the JSON; the risk study's numbers carry
//! `data-risk-json` instead, their path in `manto risk --json` for the same scenario, seed
//! and iterations.

pub mod backtest;
pub mod chart;

use crate::Cell;
use chart::{Chart, Kind, Series};
use study::build::BuildResult;
use study::risk::RiskResult;
use study::ReportStudy;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Ids of every chart the report draws, in order (the browser check expects each).
pub const CHART_IDS: [&str; 11] = [
    "mined-by-source",
    "head-grades",
    "metal",
    "stockpile",
    "machine-states",
    "shift-gantt",
    "fleet-sizing",
    "sources-uses",
    "cfads-debt-service",
    "debt-balance",
    "cover-ratios",
];

/// Ids of the risk study's charts, drawn when the report ran it (`[risk]` or `--risk`).
pub const RISK_CHART_IDS: [&str; 7] = [
    "risk-npv-histogram",
    "risk-npv-s-curve",
    "risk-tornado-npv",
    "risk-tornado-dscr",
    "risk-fan-feed",
    "risk-fan-dscr",
    "risk-convergence",
];

const CSS: &str = r#"
:root { --ink: #1b1b1b; --muted: #555; --rule: #ccc; --accent: #0072b2; --bad: #b00020; --ok: #00734d; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 1.5rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.lede { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; font-size: .82rem; font-variant-numeric: tabular-nums; }
th, td { padding: .15rem .5rem; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; }
th[scope=row], td.text, th.text { text-align: left; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
.summary-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 2rem; }
table.kpi { width: 100%; }
table.kpi td.value { font-weight: 600; white-space: nowrap; }
.pass { color: var(--ok); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
figure.chart { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem;
               margin: 1rem 0 1.5rem; break-inside: avoid; }
figure.chart figcaption { grid-column: 1 / -1; font-weight: 600; }
figure.chart.wide { grid-template-columns: minmax(0, 1fr); }
figure.chart.wide .plot svg { max-width: 820px; }
figure.chart .plot svg { width: 100%; height: auto; display: block; }
figure.chart .data { max-height: 380px; overflow: auto; border: 1px solid var(--rule); }
figure.chart .data table { width: 100%; }
figure.chart p.note { grid-column: 1 / -1; margin: 0; color: var(--muted); font-size: .85rem; }
.placeholder { border: 2px dashed var(--rule); padding: 1rem; color: var(--muted); }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
.print-only { display: none; }
@media (max-width: 800px) { .summary-grid, figure.chart { grid-template-columns: 1fr; } }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  section.page { break-before: page; }
  #summary { break-after: page; }
  figure.chart { grid-template-columns: 1fr; }
  figure.chart .data { max-height: none; overflow: visible; border: none; }
  figure.chart .data.long { display: none; }
  .print-only { display: block; }
  h2 { break-after: avoid; }
}
"#;

/// Renders the report without a risk study.
pub fn render(r: &ReportStudy) -> Result<String, String> {
    render_with_risk(r, None)
}

/// Renders the report; with `risk`, the summary gains its percentiles, probabilities and
/// largest risks and the risk section its charts.
pub fn render_with_risk(r: &ReportStudy, risk: Option<&RiskResult>) -> Result<String, String> {
    render_report(r, risk, None)
}

/// Renders the report; with `build` (the scenario's `[construction]` schedule), a build
/// section with the milestones, the Gantt with percentile bars and the cost S-curve.
pub fn render_report(
    r: &ReportStudy,
    risk: Option<&RiskResult>,
    build: Option<&BuildResult>,
) -> Result<String, String> {
    let run = &r.run;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing may be fetched: no script, no font, no image, no connection.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str(&format!(
        "<title>manto report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&run.scenario)
    ));
    out.push_str(&summary(r, risk));
    out.push_str(&mine(r)?);
    out.push_str(&finance(r)?);
    if let Some(b) = build {
        out.push_str(&build_section(b)?);
    }
    out.push_str(&risk_section(r, risk)?);
    out.push_str(&format!(
        "<footer>Generated by manto {} from scenario <code>{}</code>, seed {}. Every number is in \
         <code>manto run --json</code> / <code>manto cases --json</code>{} for the same scenario and seed.</footer>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&run.scenario),
        run.section.seed,
        match risk {
            Some(k) => format!(
                " / <code>manto risk --json --iterations {}</code> (the risk study)",
                k.iterations_planned
            ),
            None => String::new(),
        }
    ));
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

/// One row of the summary's key figures: label, shown value, unit, and where the number
/// is in `manto run --json`.
struct Kpi {
    label: String,
    value: Cell,
    unit: &'static str,
    json: Option<(String, &'static str, f64)>,
}

fn kpi(label: impl Into<String>, value: Cell, unit: &'static str) -> Kpi {
    Kpi {
        label: label.into(),
        value,
        unit,
        json: None,
    }
}

impl Kpi {
    /// The shown value comes from `path` (aggregated by `agg`: `""`, `sum` or `max`) in the
    /// run JSON; `raw` is that number at full precision, and `scale` divides it for display.
    fn json(mut self, path: &str, agg: &'static str, raw: f64) -> Kpi {
        self.json = Some((path.to_string(), agg, raw));
        self
    }

    fn html(&self) -> String {
        let attrs = match &self.json {
            Some((path, agg, raw)) => {
                // The shown number is raw / scale at `decimals`: say which, so a reader
                // (and the browser check) can tie the text to the JSON.
                let (scale, decimals) = match self.value {
                    Cell::Num(x, d) if x != 0.0 && raw.is_finite() => {
                        (10f64.powi((raw / x).abs().log10().round() as i32), d)
                    }
                    Cell::Num(_, d) => (1.0, d),
                    _ => (1.0, 0),
                };
                format!(
                    " data-json=\"{}\"{} data-value=\"{raw}\" data-scale=\"{scale}\" data-decimals=\"{decimals}\"",
                    esc(path),
                    if agg.is_empty() {
                        String::new()
                    } else {
                        format!(" data-agg=\"{agg}\"")
                    }
                )
            }
            None => String::new(),
        };
        format!(
            "<tr><th scope=\"row\">{}</th><td class=\"value\"{attrs}>{}</td><td class=\"text\">{}</td></tr>\n",
            esc(&self.label),
            esc(&self.value.display()),
            esc(self.unit)
        )
    }
}

fn kpi_table(caption: &str, id: &str, rows: &[Kpi]) -> String {
    let mut out = format!("<table class=\"kpi\" id=\"{id}\"><caption>{}</caption>\n<thead><tr><th scope=\"col\" class=\"text\">item</th><th scope=\"col\">value</th><th scope=\"col\" class=\"text\">unit</th></tr></thead><tbody>\n", esc(caption));
    for r in rows {
        out.push_str(&r.html());
    }
    out.push_str("</tbody></table>\n");
    out
}

fn opt_num(v: Option<f64>, d: usize) -> Cell {
    Cell::opt(v, d)
}

fn summary(r: &ReportStudy, risk: Option<&RiskResult>) -> String {
    let run = &r.run;
    let s = &run.schedule;
    let sec = &run.section;
    let m = &run.finance.metrics;
    let cov = &r.finance.covenants;
    let mut out = String::from("<section id=\"summary\">\n");
    out.push_str(&format!(
        "<h1>{}: mine plan and debt cover</h1>\n<p class=\"lede\">{}</p>\n",
        esc(&run.scenario),
        esc(&r.description)
    ));
    let source = if run.production_source == "schedule" {
        format!(
            "the mean of {} simulated life-of-mine schedules",
            s.replications
        )
    } else {
        "the scenario's production table".to_string()
    };
    out.push_str(&format!(
        "<p><strong>What was studied.</strong> One continuous-miner section simulated event by event \
         ({} replications of {} days after {} warm-up days, seed {}); the life of mine of {} years \
         worked panel by panel by that section model ({} replications); the project-finance model \
         valued on {source}, with the debt sized once on the lenders' banking case; {} bank cases \
         holding that debt fixed.</p>\n",
        sec.replications,
        sec.days,
        sec.warmup_days,
        sec.seed,
        s.years.len(),
        s.replications,
        r.cases.cases.len()
    ));
    out.push_str("<div class=\"summary-grid\">\n");
    // Mine.
    let peak = s.years.iter().map(|p| p.sections).fold(0.0, f64::max);
    let feed: f64 = s.years.iter().map(|p| p.plant_feed_dry_t).sum();
    let target: f64 = s.years.iter().map(|p| p.plant_target_dry_t).sum();
    let cu: f64 = s.years.iter().map(|p| p.cu_cathode_t).sum();
    let co: f64 = s.years.iter().map(|p| p.co_cathode_t).sum();
    let zn: f64 = s.years.iter().map(|p| p.znso4_t).sum();
    let mn: f64 = s.years.iter().map(|p| p.mnco3_t).sum();
    let mine_rows = vec![
        kpi("sections at peak", Cell::Num(peak, 1), "sections").json(
            "schedule.years.*.sections",
            "max",
            peak,
        ),
        kpi(
            "roof bolters per section",
            Cell::Num(f64::from(s.bolters_per_section), 0),
            "machines",
        )
        .json(
            "schedule.bolters_per_section",
            "",
            f64::from(s.bolters_per_section),
        ),
        kpi(
            "haulers per section",
            Cell::Num(f64::from(s.haulers_per_section), 0),
            "machines",
        )
        .json(
            "schedule.haulers_per_section",
            "",
            f64::from(s.haulers_per_section),
        ),
        kpi(
            "section rate",
            Cell::Num(sec.dry_tonnes_per_shift.mean, 0),
            "dry t per shift",
        )
        .json(
            "section.dry_tonnes_per_shift.mean",
            "",
            sec.dry_tonnes_per_shift.mean,
        ),
        kpi(
            format!("section bottleneck: {}", sec.bottleneck.label),
            Cell::Num(100.0 * sec.bottleneck.active_fraction, 0),
            "% active",
        ),
        kpi(
            "plant feed, life of mine",
            Cell::Num(feed / 1e6, 2),
            "Mt dry",
        )
        .json("schedule.years.*.plant_feed_dry_t", "sum", feed),
        kpi(
            "plant feed short of target",
            Cell::Num((target - feed) / 1e3, 0),
            "kt dry",
        ),
        kpi("copper cathode, life of mine", Cell::Num(cu / 1e3, 1), "kt").json(
            "schedule.years.*.cu_cathode_t",
            "sum",
            cu,
        ),
        kpi(
            "copper cathode, first four years",
            Cell::Num(m.first_four_years_cu_t_per_year, 0),
            "t per year",
        )
        .json(
            "finance.metrics.first_four_years_cu_t_per_year",
            "",
            m.first_four_years_cu_t_per_year,
        ),
        kpi("cobalt cathode, life of mine", Cell::Num(co, 0), "t").json(
            "schedule.years.*.co_cathode_t",
            "sum",
            co,
        ),
        kpi("zinc sulphate, life of mine", Cell::Num(zn / 1e3, 1), "kt").json(
            "schedule.years.*.znso4_t",
            "sum",
            zn,
        ),
        kpi(
            if mn == 0.0 {
                "manganese carbonate, life of mine (none: the plant recovers no manganese, plant.recovery.mn_pct = 0, as the 2007 base case sold none)"
            } else {
                "manganese carbonate, life of mine"
            },
            Cell::Num(mn / 1e3, 1),
            "kt",
        )
        .json("schedule.years.*.mnco3_t", "sum", mn),
    ];
    out.push_str(&kpi_table("Mine", "summary-mine", &mine_rows));
    // Finance.
    let mut fin_rows = Vec::new();
    for (i, n) in m.npv.iter().enumerate() {
        fin_rows.push(
            kpi(
                format!("project NPV after tax at {}%", n.discount_rate_pct),
                Cell::Num(n.project_after_tax_usd / 1e6, 1),
                "US$ M",
            )
            .json(
                &format!("finance.metrics.npv.{i}.project_after_tax_usd"),
                "",
                n.project_after_tax_usd,
            ),
        );
    }
    let irr = kpi(
        "project IRR after tax",
        opt_num(m.project_irr_after_tax_pct, 1),
        "%",
    );
    fin_rows.push(match m.project_irr_after_tax_pct {
        Some(v) => irr.json("finance.metrics.project_irr_after_tax_pct", "", v),
        None => irr,
    });
    let v = &run.trial_valuations;
    if v.trials > 1 {
        // The headline rate (8%) when the scenario has it, else its first rate.
        let pick = v
            .npv
            .iter()
            .find(|n| n.discount_rate_pct == 8.0)
            .or(v.npv.first());
        if let Some(n) = pick {
            let p = &n.project_after_tax_usd;
            fin_rows.push(kpi(
                format!(
                    "NPV at {}% over {} replications, 95% CI",
                    n.discount_rate_pct, v.trials
                ),
                Cell::Text(format!(
                    "{:.1} to {:.1}",
                    p.ci95_low / 1e6,
                    p.ci95_high / 1e6
                )),
                "US$ M",
            ));
        }
    }
    let dscr = kpi("minimum DSCR", opt_num(m.min_dscr, 2), "x");
    fin_rows.push(match m.min_dscr {
        Some(v) => dscr.json("finance.metrics.min_dscr", "", v),
        None => dscr,
    });
    let llcr = kpi("minimum LLCR", opt_num(m.min_llcr, 2), "x");
    fin_rows.push(match m.min_llcr {
        Some(v) => llcr.json("finance.metrics.min_llcr", "", v),
        None => llcr,
    });
    fin_rows.push(
        kpi(
            "initial capital",
            Cell::Num(m.initial_capex_usd / 1e6, 1),
            "US$ M",
        )
        .json("finance.metrics.initial_capex_usd", "", m.initial_capex_usd),
    );
    fin_rows.push(
        kpi(
            "peak funding",
            Cell::Num(m.peak_funding_usd / 1e6, 1),
            "US$ M",
        )
        .json("finance.metrics.peak_funding_usd", "", m.peak_funding_usd),
    );
    fin_rows.push(
        kpi(
            "funding shortfall",
            Cell::Num(m.funding_shortfall_usd / 1e6, 1),
            "US$ M",
        )
        .json(
            "finance.metrics.funding_shortfall_usd",
            "",
            m.funding_shortfall_usd,
        ),
    );
    fin_rows.push(
        kpi(
            "quarters below the default covenant",
            Cell::Num(m.default_quarters as f64, 0),
            "quarters",
        )
        .json(
            "finance.metrics.default_quarters",
            "",
            m.default_quarters as f64,
        ),
    );
    out.push_str(&kpi_table("Finance", "summary-finance", &fin_rows));
    out.push_str("</div>\n");
    // Covenants.
    let verdict = |v: Option<f64>, limit: f64| match v {
        Some(x) if x >= limit => "<span class=\"pass\">met</span>",
        Some(_) => "<span class=\"fail\">breached</span>",
        None => "n/a",
    };
    out.push_str("<table id=\"summary-covenants\"><caption>Debt cover against the covenants</caption>\n<thead><tr><th scope=\"col\" class=\"text\">test</th><th scope=\"col\">covenant, x</th><th scope=\"col\">minimum, x</th><th scope=\"col\" class=\"text\">result</th></tr></thead><tbody>\n");
    for (label, limit) in [
        ("senior DSCR, event of default", cov.min_dscr),
        ("senior DSCR, distribution lock-up", cov.lock_up_dscr),
    ] {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{label}</th><td>{limit:.2}</td><td>{}</td><td class=\"text\">{}</td></tr>\n",
            opt_num(m.min_dscr, 2).display(),
            verdict(m.min_dscr, limit)
        ));
    }
    out.push_str(&format!(
        "<tr><th scope=\"row\">LLCR</th><td>none</td><td>{}</td><td class=\"text\">no LLCR covenant in the scenario</td></tr>\n",
        opt_num(m.min_llcr, 2).display()
    ));
    out.push_str("</tbody></table>\n");
    let funded = if m.funded {
        "The project is fully funded by the sized debt and the sponsors' equity.".to_string()
    } else {
        format!(
            "<span class=\"fail\">The project is not funded: a shortfall of US$ {:.1} M from {}.</span>",
            m.funding_shortfall_usd / 1e6,
            esc(m.first_shortfall.as_deref().unwrap_or("?"))
        )
    };
    match risk {
        Some(k) => {
            out.push_str(&format!("<p>{funded}</p>\n"));
            out.push_str(&risk_summary(k, cov.lock_up_dscr));
        }
        None => out.push_str(&format!(
            "<p>{funded} No risk study in this report (the scenario has no <code>[risk]</code> table): \
             see <a href=\"#risk\">Risk</a>.</p>\n"
        )),
    }
    out.push_str("</section>\n");
    out
}

/// A number of the risk study: shown as `raw / scale` at `decimals`, with its path in
/// `manto risk --json` and its full-precision value.
fn risk_td(path: &str, raw: f64, scale: f64, decimals: usize) -> String {
    let cell = if raw.is_finite() {
        Cell::Num(raw / scale, decimals)
    } else {
        Cell::Missing
    };
    format!(
        "<td class=\"value\" data-risk-json=\"{}\" data-value=\"{raw}\" data-scale=\"{scale}\" data-decimals=\"{decimals}\">{}</td>",
        esc(path),
        esc(&cell.display())
    )
}

/// "NPV8" for `npv8_usd`.
fn npv_label(name: &str) -> String {
    name.trim_end_matches("_usd").to_uppercase()
}

/// The risk study on the summary page: NPV and IRR P10-P50-P90, the lenders'
/// probabilities and the three largest risks of the NPV tornado.
fn risk_summary(k: &RiskResult, lock_up: f64) -> String {
    let npv = npv_label(&k.headline_npv);
    let mut out = format!(
        "<p><strong>Risk.</strong> {} Monte Carlo iterations ({}, seed {}{}): every iteration draws the uncertain inputs and metal \
         price paths, simulates the mine and values it with the debt sized once on the banking case and held fixed.</p>\n",
        k.iterations,
        esc(&k.sampling.replace('_', " ")),
        k.seed,
        if k.dated.is_empty() {
            String::new()
        } else {
            format!(", dated {}", esc(&k.dated))
        }
    );
    out.push_str("<div class=\"summary-grid\">\n");
    out.push_str("<table class=\"kpi\" id=\"summary-risk\"><caption>Risk: percentiles over the iterations</caption>\n<thead><tr><th scope=\"col\" class=\"text\">item</th><th scope=\"col\">P10</th><th scope=\"col\">P50</th><th scope=\"col\">P90</th><th scope=\"col\" class=\"text\">unit</th></tr></thead><tbody>\n");
    for (name, label, scale, decimals, unit) in [
        (
            k.headline_npv.as_str(),
            format!("{npv} after tax"),
            1e6,
            1,
            "US$ M",
        ),
        (
            "project_irr_pct",
            "project IRR after tax".to_string(),
            1.0,
            1,
            "%",
        ),
        ("equity_irr_pct", "equity IRR".to_string(), 1.0, 1, "%"),
        ("min_dscr", "minimum senior DSCR".to_string(), 1.0, 2, "x"),
        ("min_llcr", "minimum LLCR".to_string(), 1.0, 2, "x"),
    ] {
        if let Some(i) = k.outputs.iter().position(|o| o.name == name) {
            let o = &k.outputs[i];
            out.push_str(&format!(
                "<tr><th scope=\"row\">{}</th>{}{}{}<td class=\"text\">{unit}</td></tr>\n",
                esc(&label),
                risk_td(&format!("outputs.{i}.p10"), o.p10, scale, decimals),
                risk_td(&format!("outputs.{i}.p50"), o.p50, scale, decimals),
                risk_td(&format!("outputs.{i}.p90"), o.p90, scale, decimals),
            ));
        }
    }
    out.push_str("</tbody></table>\n");
    out.push_str("<table class=\"kpi\" id=\"summary-risk-probabilities\"><caption>Risk: what a lender asks</caption>\n<thead><tr><th scope=\"col\" class=\"text\">probability of</th><th scope=\"col\">%</th><th scope=\"col\">95% interval, %</th></tr></thead><tbody>\n");
    for (name, label) in [
        ("npv_negative", format!("{npv} below zero")),
        (
            "dscr_below_lock_up",
            format!("lock-up: the covenant's DSCR below {lock_up:.2}x in a quarter"),
        ),
        ("funding_shortfall", "a funding shortfall".to_string()),
        (
            "event_of_default",
            "an event of default (covenant or payment)".to_string(),
        ),
    ] {
        if let Some(i) = k.probabilities.iter().position(|p| p.name == name) {
            let p = &k.probabilities[i];
            // The covenant's basis (trailing twelve months or the quarter) is in the
            // event's description; the summary's label keeps it short.
            let label = match name {
                "dscr_below_lock_up" | "event_of_default" => p.description.clone(),
                _ => label,
            };
            out.push_str(&format!(
                "<tr><th scope=\"row\">{}</th>{}<td>{:.1} to {:.1}</td></tr>\n",
                esc(&label),
                risk_td(&format!("probabilities.{i}.p"), p.p, 0.01, 1),
                100.0 * p.ci95_low,
                100.0 * p.ci95_high
            ));
        }
    }
    out.push_str("</tbody></table>\n</div>\n");
    if let Some(t) = k.tornado.iter().position(|t| t.output == k.headline_npv) {
        let tor = &k.tornado[t];
        out.push_str(&format!(
            "<table class=\"kpi\" id=\"summary-largest-risks\"><caption>The three largest risks: the {npv} tornado (each input at its P10 and P90, the others at base; base {npv} US$ {:.1} M)</caption>\n\
             <thead><tr><th scope=\"col\">rank</th><th scope=\"col\" class=\"text\">input</th><th scope=\"col\">{npv} at the input's P10, US$ M</th><th scope=\"col\">at its P90, US$ M</th><th scope=\"col\">swing, US$ M</th></tr></thead><tbody>\n",
            tor.base / 1e6
        ));
        for (b, bar) in tor.bars.iter().enumerate().take(3) {
            let path = format!("tornado.{t}.bars.{b}");
            out.push_str(&format!(
                "<tr><td>{}</td><th scope=\"row\" class=\"text\">{}</th>{}{}{}</tr>\n",
                b + 1,
                esc(&bar.input),
                risk_td(&format!("{path}.output_at_p10"), bar.output_at_p10, 1e6, 1),
                risk_td(&format!("{path}.output_at_p90"), bar.output_at_p90, 1e6, 1),
                risk_td(&format!("{path}.swing"), bar.swing, 1e6, 1),
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    out
}

/// Per-year x axis labels (`1`, `2`, ...) and their positions.
fn years_axis(years: &[mine::schedule::Period]) -> (Vec<String>, Vec<f64>) {
    (
        years.iter().map(|p| p.year.to_string()).collect(),
        years.iter().map(|p| f64::from(p.year)).collect(),
    )
}

fn mine(r: &ReportStudy) -> Result<String, String> {
    let run = &r.run;
    let s = &run.schedule;
    let mut out = String::from("<section class=\"page\" id=\"mine\">\n<h2>Mine</h2>\n");
    let (cats, xs) = years_axis(&s.years);
    // Mined by source against the plant's feed and target.
    let mut series: Vec<Series> = s
        .mines
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Series::new(
                format!("{name} (underground)"),
                s.years
                    .iter()
                    .map(|p| p.by_mine_dry_t.get(i).copied().unwrap_or(0.0) / 1e6)
                    .collect(),
            )
        })
        .collect();
    series.push(Series::new(
        "open pit",
        s.years.iter().map(|p| p.open_pit_dry_t / 1e6).collect(),
    ));
    let feed = Chart {
        id: "mined-by-source",
        title: "Ore mined by source, plant feed and target".into(),
        x_label: "operating year".into(),
        y_label: "Mt dry per year".into(),
        categories: cats.clone(),
        x: xs.clone(),
        series,
        kind: Kind::Bars {
            horizontal: false,
            overlay: vec![
                Series::new(
                    "plant feed",
                    s.years.iter().map(|p| p.plant_feed_dry_t / 1e6).collect(),
                ),
                Series::new(
                    "plant target",
                    s.years.iter().map(|p| p.plant_target_dry_t / 1e6).collect(),
                ),
            ],
        },
        decimals: 3,
        note: format!(
            "Mean of {} simulated schedules. Bars: ore mined by source; lines: what the plant was fed \
             (from the run-of-mine stockpile) and its target.",
            s.replications
        ),
    };
    out.push_str("<h3>Production</h3>\n");
    out.push_str(&feed.html()?);
    let grades = Chart {
        id: "head-grades",
        title: "Plant head grades".into(),
        x_label: "operating year".into(),
        y_label: "grade, % of dry mass".into(),
        categories: cats.clone(),
        x: xs.clone(),
        series: vec![
            Series::new(
                "Cu %",
                s.years
                    .iter()
                    .map(|p| fed(p, p.head_grade.cu_pct))
                    .collect(),
            ),
            Series::new(
                "Co %",
                s.years
                    .iter()
                    .map(|p| fed(p, p.head_grade.co_pct))
                    .collect(),
            ),
            Series::new(
                "Zn %",
                s.years
                    .iter()
                    .map(|p| fed(p, p.head_grade.zn_pct))
                    .collect(),
            ),
            Series::new(
                "Mn %",
                s.years
                    .iter()
                    .map(|p| fed(p, p.head_grade.mn_pct))
                    .collect(),
            ),
        ],
        kind: Kind::Lines { hlines: vec![] },
        decimals: 3,
        note: "Feed-weighted head grade of the year's plant feed.".into(),
    };
    out.push_str(&grades.html()?);
    let metal = Chart {
        id: "metal",
        title: "Metal and products by year".into(),
        x_label: "operating year".into(),
        y_label: "product, kt per year".into(),
        categories: cats.clone(),
        x: xs.clone(),
        series: vec![
            Series::new(
                "copper cathode",
                s.years.iter().map(|p| p.cu_cathode_t / 1e3).collect(),
            ),
            Series::new(
                "cobalt cathode",
                s.years.iter().map(|p| p.co_cathode_t / 1e3).collect(),
            ),
            Series::new(
                "zinc sulphate",
                s.years.iter().map(|p| p.znso4_t / 1e3).collect(),
            ),
            Series::new(
                "manganese carbonate",
                s.years.iter().map(|p| p.mnco3_t / 1e3).collect(),
            ),
        ],
        kind: Kind::Lines { hlines: vec![] },
        decimals: 3,
        note: if s.years.iter().all(|p| p.mnco3_t == 0.0) {
            "Products = feed × head grade × recovery, after the plant's ramp-up. Manganese carbonate is zero: the scenario's plant \
             recovers no manganese (plant.recovery.mn_pct = 0; the 2007 base case sold none)."
                .into()
        } else {
            "Products = feed × head grade × recovery, after the plant's ramp-up.".into()
        },
    };
    out.push_str(&metal.html()?);
    let q = &s.quarters;
    let stock = Chart {
        id: "stockpile",
        title: "Run-of-mine stockpile at quarter end".into(),
        x_label: "operating year".into(),
        y_label: "stockpile, kt dry".into(),
        categories: q.iter().map(|p| p.label.clone()).collect(),
        x: q.iter()
            .map(|p| f64::from(p.year) - 1.0 + f64::from(p.quarter) / 4.0)
            .collect(),
        series: vec![Series::new(
            "stockpile",
            q.iter().map(|p| p.stockpile_closing_dry_t / 1e3).collect(),
        )],
        kind: Kind::Lines { hlines: vec![] },
        decimals: 1,
        note: "Closing stockpile each quarter (mean of the schedules).".into(),
    };
    out.push_str(&stock.html()?);
    // Machine states.
    out.push_str("<h3>The section: where the time goes</h3>\n");
    let sec = &run.section;
    let states = mine::section::State::ALL;
    let names: Vec<String> = sec.machines.iter().map(|m| m.name.clone()).collect();
    let state_series: Vec<Series> = states
        .iter()
        .map(|st| {
            Series::new(
                st.name().replace('_', " "),
                sec.machines
                    .iter()
                    .map(|m| 100.0 * m.state_fractions.get(st.name()).copied().unwrap_or(0.0))
                    .collect(),
            )
        })
        .collect();
    let machine_states = Chart {
        id: "machine-states",
        title: "Machine state breakdown, share of scheduled time".into(),
        x_label: "share of scheduled time, %".into(),
        y_label: "machine".into(),
        categories: names,
        x: vec![],
        series: state_series,
        kind: Kind::Bars {
            horizontal: true,
            overlay: vec![],
        },
        decimals: 1,
        note: format!(
            "Mean over {} replications of {} days. Bottleneck: {} ({:.0}% active).",
            sec.replications,
            sec.days,
            sec.bottleneck.label,
            100.0 * sec.bottleneck.active_fraction
        ),
    };
    out.push_str(&machine_states.html()?);
    out.push_str(&gantt(r)?);
    out.push_str(&fleet_sizing(r)?);
    out.push_str("<p>The section study's own estimate, from the mean and the 95% low section rate alone:</p>\n");
    out.push_str("<table id=\"sections-needed\"><thead><tr><th scope=\"col\">plant feed target, dry t/y</th><th scope=\"col\">underground, dry t/y</th><th scope=\"col\">sections (mean rate)</th><th scope=\"col\">sections (95% low rate)</th></tr></thead><tbody>\n");
    for n in &sec.sections_needed {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            Cell::Num(n.plant_feed_dry_t_per_year, 0).display(),
            Cell::Num(n.underground_dry_t_per_year, 0).display(),
            n.sections.map_or("n/a".into(), |v| v.to_string()),
            n.sections_at_ci95_low
                .map_or("n/a".into(), |v| v.to_string()),
        ));
    }
    out.push_str("</tbody></table>\n");
    out.push_str(&ground(r));
    out.push_str("</section>\n");
    Ok(out)
}

/// The ground (`[ground]` only): class shares along the panels with their support, falls
/// and time lost (from the section study), and the fall record by year (the schedule).
fn ground(r: &ReportStudy) -> String {
    let run = &r.run;
    let Some(classes) = &run.section.ground else {
        return String::new();
    };
    let mut out = String::from("<h3>Ground</h3>\n<p>Roof classes met along the headings of the section study (docs/ground.md): share of the metres driven, support, roof falls and time lost, by class.</p>\n");
    out.push_str("<table id=\"ground-classes\"><thead><tr><th scope=\"col\" class=\"text\">class</th><th scope=\"col\">share of advance</th><th scope=\"col\">bolting min/m</th><th scope=\"col\">falls/km</th><th scope=\"col\">falls/100 kt</th><th scope=\"col\">fall clean-up min/shift</th><th scope=\"col\">bogging min/shift</th><th scope=\"col\">waste dry t/shift</th><th scope=\"col\">ore lost dry t/shift</th><th scope=\"col\">support US$/m</th></tr></thead><tbody>\n");
    for c in classes {
        out.push_str(&format!(
            "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&c.class),
            Cell::Num(100.0 * c.advance_share, 1).display(),
            Cell::Num(c.support_min_per_m, 2).display(),
            Cell::Num(c.falls_per_km, 2).display(),
            Cell::Num(c.falls_per_100kt, 2).display(),
            Cell::Num(c.fall_min_per_shift, 1).display(),
            Cell::Num(c.bog_min_per_shift, 1).display(),
            Cell::Num(c.waste_dry_t_per_shift, 1).display(),
            Cell::Num(c.ore_lost_dry_t_per_shift, 1).display(),
            Cell::Num(c.support_usd_per_m, 1).display(),
        ));
    }
    out.push_str("</tbody></table>\n");
    out.push_str("<p>The fall record of the life of mine (mean of the simulated schedules):</p>\n");
    out.push_str("<table id=\"ground-falls\"><thead><tr><th scope=\"col\" class=\"text\">year</th><th scope=\"col\">roof falls</th><th scope=\"col\">clean-up h</th><th scope=\"col\">waste dilution, dry t</th><th scope=\"col\">ore lost, dry t</th><th scope=\"col\">support consumables, US$</th></tr></thead><tbody>\n");
    for p in &run.schedule.years {
        out.push_str(&format!(
            "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&p.label),
            Cell::Num(p.ground.falls, 1).display(),
            Cell::Num(p.ground.fall_min / 60.0, 0).display(),
            Cell::Num(p.waste_dilution_t, 0).display(),
            Cell::Num(p.ore_lost_t, 0).display(),
            Cell::Num(p.ground.support_cost_usd, 0).display(),
        ));
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The fleet-sizing curve: probability of meeting each target against the number of
/// sections, for the per-section fleet `manto size` chose at that target.
fn fleet_sizing(r: &ReportStudy) -> Result<String, String> {
    let mut out = String::from("<h3>Fleet sizing: sections needed</h3>\n");
    let studies = match &r.sizing {
        Ok(s) if s.iter().any(|x| !x.curve.is_empty()) => s,
        Ok(_) => {
            out.push_str("<p id=\"chart-fleet-sizing\">No fleet of up to 200 sections meets the plant-feed targets: no sizing curve to draw.</p>\n");
            return Ok(out);
        }
        Err(e) => {
            out.push_str(&format!(
                "<p id=\"chart-fleet-sizing\">Fleet sizing not run: {}</p>\n",
                esc(e)
            ));
            return Ok(out);
        }
    };
    let mut xs: Vec<u32> = studies
        .iter()
        .flat_map(|s| s.curve.iter().map(|p| p.sections))
        .collect();
    xs.sort_unstable();
    xs.dedup();
    let series: Vec<Series> = studies
        .iter()
        .map(|s| {
            Series::new(
                format!("target {:.2} Mt/y", s.plant_feed_dry_t_per_year / 1e6),
                xs.iter()
                    .map(|&x| {
                        s.curve
                            .iter()
                            .find(|p| p.sections == x)
                            .map_or(f64::NAN, |p| 100.0 * p.probability)
                    })
                    .collect(),
            )
        })
        .collect();
    let confidence = studies.first().map_or(0.9, |s| s.confidence);
    let chosen: Vec<String> = studies
        .iter()
        .map(|s| {
            format!(
                "{} sections of {} bolters and {} haulers at {:.2} Mt/y (P = {:.3}, {} dry t/y underground)",
                s.sections,
                s.bolters_per_section,
                s.haulers_per_section,
                s.plant_feed_dry_t_per_year / 1e6,
                s.probability,
                Cell::Num(s.underground_dry_t_per_year, 0).display()
            )
        })
        .collect();
    let chart = Chart {
        id: "fleet-sizing",
        title: "Probability of meeting the plant-feed target against the number of sections".into(),
        x_label: "sections (continuous miners), each with the chosen bolters and haulers".into(),
        y_label: "probability of meeting the underground target, %".into(),
        categories: xs.iter().map(u32::to_string).collect(),
        x: xs.iter().map(|&x| f64::from(x)).collect(),
        series,
        kind: Kind::Lines {
            hlines: vec![(
                format!("required confidence {:.0}%", 100.0 * confidence),
                100.0 * confidence,
            )],
        },
        decimals: 1,
        note: format!(
            "manto size with its defaults: every per-section fleet (1-{} bolters, 1-{} haulers) simulated for {} section-years \
             of {} days after {} days of warm-up; a fleet-year of n sections is the sum of n section-years drawn from those, \
             2,000 fleet-years per point. Chosen: {}.",
            max_of(studies, |o| o.bolters_per_section),
            max_of(studies, |o| o.haulers_per_section),
            r.run.section.replications,
            study::SizeOptions::DEFAULT.days,
            study::SizeOptions::DEFAULT.warmup_days,
            chosen.join("; ")
        ),
    };
    out.push_str(&chart.html()?);
    Ok(out)
}

/// The largest per-section count evaluated in any study.
fn max_of(studies: &[mine::fleet::Sizing], f: fn(&mine::fleet::FleetOption) -> u32) -> u32 {
    studies
        .iter()
        .flat_map(|s| s.options.iter().map(f))
        .max()
        .unwrap_or(0)
}

/// A grade only where the plant was fed (NaN elsewhere, drawn as a gap).
fn fed(p: &mine::schedule::Period, v: f64) -> f64 {
    if p.plant_feed_dry_t > 0.0 {
        v
    } else {
        f64::NAN
    }
}

fn gantt(r: &ReportStudy) -> Result<String, String> {
    let Some(t) = &r.shift else {
        return Ok("<p id=\"chart-shift-gantt\">No production shift in the first day after the warm-up: no shift to draw.</p>\n".into());
    };
    let states = mine::section::State::ALL;
    let index = |name: &str| states.iter().position(|s| s.name() == name).unwrap_or(0);
    let spells: Vec<(usize, usize, f64, f64)> = t
        .spells
        .iter()
        .map(|s| (s.machine, index(s.state), s.start_min, s.end_min))
        .collect();
    let mut used: Vec<usize> = spells.iter().map(|s| s.1).collect();
    used.sort_unstable();
    used.dedup();
    let chart = Chart {
        id: "shift-gantt",
        title: "One simulated shift, machine by machine".into(),
        x_label: "minutes from the start of the shift".into(),
        y_label: "machine".into(),
        categories: t.machines.clone(),
        x: vec![],
        series: vec![],
        kind: Kind::Gantt {
            spells,
            legend: used
                .iter()
                .map(|&i| (i, states[i].name().replace('_', " ")))
                .collect(),
        },
        decimals: 1,
        note: format!(
            "The first counted production shift of section replication 1 (same seed and random streams as the section study), \
             from the simulation's own trace of state changes; {:.0} minutes from hour {:.1} of the run. \
             It delivered {:.0} dry t in {} car loads, {} cuts and {} roof bolts.",
            t.shift_length_min, t.shift_start_h, t.tally.dry_t, t.tally.loads, t.tally.cuts, t.tally.bolts
        ),
    };
    chart.html()
}

fn finance(r: &ReportStudy) -> Result<String, String> {
    let f = &r.run.finance;
    let mut out = String::from("<section class=\"page\" id=\"finance\">\n<h2>Finance</h2>\n");
    // Sources and uses.
    let fu = &f.funding;
    out.push_str("<h3>Sources and uses of funds</h3>\n");
    let mut series = Vec::new();
    for line in &fu.uses {
        series.push(Series::new(
            format!("use: {}", line.name),
            vec![line.usd / 1e6, 0.0],
        ));
    }
    for line in &fu.sources {
        series.push(Series::new(
            format!("source: {}", line.name),
            vec![0.0, line.usd / 1e6],
        ));
    }
    let su = Chart {
        id: "sources-uses",
        title: "Sources and uses of funds to completion".into(),
        x_label: "".into(),
        y_label: "US$ M".into(),
        categories: vec!["uses".into(), "sources".into()],
        x: vec![],
        series,
        kind: Kind::Bars {
            horizontal: false,
            overlay: vec![],
        },
        decimals: 1,
        note: format!(
            "Total US$ {:.1} M; gearing {:.1}% debt.{}",
            fu.total_usd / 1e6,
            fu.gearing_pct,
            if fu.funded {
                String::new()
            } else {
                format!(
                    " Not funded: shortfall from {}.",
                    fu.first_shortfall.as_deref().unwrap_or("?")
                )
            }
        ),
    };
    out.push_str(&su.html()?);
    // Waterfall by quarter, operating quarters with debt service or CFADS.
    let q = &f.quarterly;
    let x: Vec<f64> = q
        .iter()
        .map(|p| f64::from(p.year) + (f64::from(p.quarter) - 1.0) / 4.0)
        .collect();
    let cats: Vec<String> = q.iter().map(|p| p.label.clone()).collect();
    out.push_str("<h3>Cash available for debt service</h3>\n");
    let cf = Chart {
        id: "cfads-debt-service",
        title: "CFADS and senior debt service by quarter".into(),
        x_label: "calendar year".into(),
        y_label: "US$ M per quarter".into(),
        categories: cats.clone(),
        x: x.clone(),
        series: vec![
            Series::new("CFADS", q.iter().map(|p| p.cfads_usd / 1e6).collect()),
            Series::new(
                "senior debt service",
                q.iter().map(|p| p.senior_debt_service_usd / 1e6).collect(),
            ),
            Series::new(
                "senior interest",
                q.iter().map(|p| p.senior_interest_usd / 1e6).collect(),
            ),
        ],
        kind: Kind::Lines { hlines: vec![] },
        decimals: 3,
        note: "From the quarterly waterfall of the finance model (manto finance --json: quarterly[].cfads_usd, senior_debt_service_usd).".into(),
    };
    out.push_str(&cf.html()?);
    // Debt only: equity's "balance" is the equity contributed to date, not debt. One line
    // per facility on a calendar-year axis (bars per quarter stacked the facilities and
    // crowded 150 quarter labels onto the axis).
    let is_debt = |i: usize| f.facilities.get(i).is_none_or(|fs| fs.kind != "equity");
    let bal = Chart {
        id: "debt-balance",
        title: "Debt outstanding by facility at quarter end (equity not included)".into(),
        x_label: "calendar year".into(),
        y_label: "US$ M".into(),
        categories: cats.clone(),
        x: x.clone(),
        series: f
            .facility_names
            .iter()
            .enumerate()
            .filter(|(i, _)| is_debt(*i))
            .map(|(i, name)| {
                Series::new(
                    name.clone(),
                    q.iter()
                        .map(|p| {
                            p.facilities.get(i).map_or(0.0, |fr| fr.closing_balance_usd) / 1e6
                        })
                        .collect(),
                )
            })
            .collect(),
        kind: Kind::Lines { hlines: vec![] },
        decimals: 3,
        note: "Closing balance of each debt facility (drawdowns and capitalised interest in, principal and prepayments out); each facility is its own line, not stacked.".into(),
    };
    out.push_str(&bal.html()?);
    let cov = &r.finance.covenants;
    let ratios = Chart {
        id: "cover-ratios",
        title: "DSCR and LLCR by quarter against the covenants".into(),
        x_label: "calendar year".into(),
        y_label: "cover ratio, x".into(),
        categories: cats,
        x,
        series: vec![
            Series::new(
                "DSCR",
                q.iter().map(|p| p.dscr.unwrap_or(f64::NAN)).collect(),
            ),
            Series::new(
                "LLCR",
                q.iter().map(|p| p.llcr.unwrap_or(f64::NAN)).collect(),
            ),
        ],
        kind: Kind::Lines {
            hlines: vec![
                (
                    format!("default covenant {:.2}x", cov.min_dscr),
                    cov.min_dscr,
                ),
                (
                    format!("lock-up {:.2}x", cov.lock_up_dscr),
                    cov.lock_up_dscr,
                ),
            ],
        },
        decimals: 4,
        note: "Quarters without senior debt service have no ratio (gaps).".into(),
    };
    out.push_str(&ratios.html()?);
    // Bank cases.
    out.push_str(&format!(
        "<h3>Bank cases</h3>\n<p>Every case holds the base case's sized debt (<code>manto cases</code>). The minimum DSCR is the lowest \
         single quarter's; the default quarters count the covenant's own test, on the {} DSCR (<code>finance.covenants.test_on</code>), \
         so a case whose worst quarter is below the {:.2}x minimum can have no default quarter.</p>\n",
        esc(&r.cases.covenant_test),
        cov.min_dscr
    ));
    out.push_str("<table id=\"bank-cases\"><thead><tr><th scope=\"col\" class=\"text\">case</th><th scope=\"col\" class=\"text\">what</th>");
    let rate = r.cases.cases.first().map_or(8.0, |c| c.npv_rate_pct);
    out.push_str(&format!("<th scope=\"col\">NPV{rate} after tax, US$ M</th><th scope=\"col\">IRR, %</th><th scope=\"col\">min DSCR, x</th><th scope=\"col\">min LLCR, x</th><th scope=\"col\">funded</th><th scope=\"col\">shortfall, US$ M</th><th scope=\"col\">default quarters</th></tr></thead><tbody>\n"));
    for c in &r.cases.cases {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&c.name),
            esc(&c.description),
            Cell::Num(c.npv_usd / 1e6, 1).display(),
            opt_num(c.irr_pct, 1).display(),
            opt_num(c.min_dscr, 2).display(),
            opt_num(c.min_llcr, 2).display(),
            if c.funded { "yes" } else { "<span class=\"fail\">no</span>" },
            Cell::Num(c.funding_shortfall_usd / 1e6, 1).display(),
            c.default_quarters
        ));
    }
    out.push_str("</tbody></table>\n");
    let b = &r.cases.breakevens;
    out.push_str("<table id=\"breakevens\"><caption>Breakevens (base case's sized debt)</caption><thead><tr><th scope=\"col\" class=\"text\">breakeven</th><th scope=\"col\">value</th><th scope=\"col\" class=\"text\">unit</th></tr></thead><tbody>\n");
    for (label, v, unit) in [
        (
            "copper price, base case".to_string(),
            Some(b.base_cu_price_usd_per_lb),
            "US$/lb",
        ),
        (
            "copper price at NPV after tax = 0".to_string(),
            b.cu_price_npv_zero_usd_per_lb,
            "US$/lb",
        ),
        (
            "copper price at minimum DSCR = 1.00".to_string(),
            b.cu_price_min_dscr_1_usd_per_lb,
            "US$/lb",
        ),
        (
            format!(
                "copper price at minimum DSCR = {:.2} (lock-up)",
                b.lock_up_dscr
            ),
            b.cu_price_lock_up_usd_per_lb,
            "US$/lb",
        ),
        (
            "capital overrun the funding absorbs".to_string(),
            b.capex_overrun_absorbed_pct,
            "%",
        ),
    ] {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"text\">{unit}</td></tr>\n",
            esc(&label),
            opt_num(v, 3).display()
        ));
    }
    out.push_str("</tbody></table>\n</section>\n");
    Ok(out)
}

/// Most activities drawn in the percentile Gantt (the table and JSON keep them all).
const GANTT_ROWS: usize = 60;

/// The build schedule: milestones, the Gantt with percentile bars, the cost S-curve.
pub fn build_section(b: &BuildResult) -> Result<String, String> {
    let mut out = String::from("<section class=\"page\" id=\"build\">\n<h2>Build schedule</h2>\n");
    out.push_str(&format!(
        "<p class=\"lede\">The CPM of the <code>[construction]</code> network <code>{}</code> from {} and {} Monte Carlo \
         iterations of its durations, risk drivers, register and financing window (seed {}; docs/build.md). Every number \
         below is in <code>manto build --json</code> for the same scenario and seed.</p>\n",
        esc(&b.name),
        esc(&b.start_date),
        b.iterations,
        b.seed
    ));
    out.push_str("<table id=\"build-milestones\"><caption>Milestones: planned (CPM) and drawn dates</caption>\n<thead><tr>\
        <th scope=\"col\" class=\"text\">milestone</th><th scope=\"col\">planned</th><th scope=\"col\">P10</th>\
        <th scope=\"col\">P50</th><th scope=\"col\">P80</th><th scope=\"col\">P90</th><th scope=\"col\">on time, %</th></tr></thead><tbody>\n");
    for m in &b.milestones {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td>{}<td data-value=\"{}\">{}</td></tr>\n",
            esc(&m.name.replace('_', " ")),
            esc(&m.planned_date),
            m.percentile_dates
                .iter()
                .map(|d| format!("<td>{}</td>", esc(d)))
                .collect::<String>(),
            m.on_time_pct,
            Cell::Num(m.on_time_pct, 1).display()
        ));
    }
    out.push_str("</tbody></table>\n");
    let shown = &b.activities[..b.activities.len().min(GANTT_ROWS)];
    let col =
        |f: fn(&study::build::ActivityResult) -> f64| shown.iter().map(f).collect::<Vec<f64>>();
    let gantt = Chart {
        id: "build-gantt",
        title: "Activities: the plan and the P10, P50 and P90 of their dates".into(),
        x_label: format!("days from {}", b.start_date),
        y_label: "activity".into(),
        categories: shown
            .iter()
            .map(|a| {
                let name: String = a.name.chars().take(28).collect();
                if name.is_empty() { a.id.clone() } else { format!("{} {name}", a.id) }
            })
            .collect(),
        x: vec![],
        series: vec![
            Series::new("plan start, d", col(|a| a.early_start_days)),
            Series::new("plan finish, d", col(|a| a.early_finish_days)),
            Series::new("start P10, d", col(|a| a.start_p10_days)),
            Series::new("start P90, d", col(|a| a.start_p90_days)),
            Series::new("finish P10, d", col(|a| a.finish_p10_days)),
            Series::new("finish P50, d", col(|a| a.finish_p50_days)),
            Series::new("finish P90, d", col(|a| a.finish_p90_days)),
        ],
        kind: Kind::Ranges,
        decimals: 0,
        note: format!(
            "Elapsed days from day 0 ({}). Bars: the plan's early start to early finish; light band: the start's P10 to the \
             finish's P90 over the iterations; dark band and tick: the finish's P10 to P90 and its P50. {}",
            b.start_date,
            if b.activities.len() > GANTT_ROWS {
                format!("The first {GANTT_ROWS} of {} activities are drawn; all are in the JSON.", b.activities.len())
            } else {
                String::new()
            }
        ),
    };
    out.push_str(&gantt.html()?);
    if !b.s_curve.is_empty() {
        let m = |f: fn(&study::build::SCurvePoint) -> f64| {
            b.s_curve.iter().map(|p| f(p) / 1e6).collect::<Vec<f64>>()
        };
        let s_curve = Chart {
            id: "build-cost-s-curve",
            title: "Cumulative cost of the schedule (S-curve)".into(),
            x_label: format!("month from {}", b.start_date),
            y_label: "cumulative cost, US$ M".into(),
            categories: b.s_curve.iter().map(|p| p.month.to_string()).collect(),
            x: b.s_curve.iter().map(|p| p.month as f64).collect(),
            series: vec![
                Series::new("P10", m(|p| p.percentile_usd[0])),
                Series::new("P50", m(|p| p.percentile_usd[1])),
                Series::new("P90", m(|p| p.percentile_usd[2])),
                Series::new("plan", m(|p| p.planned_usd)),
            ],
            kind: Kind::Fan { hlines: vec![], y_max: None },
            decimals: 1,
            note: format!(
                "Fixed costs spread over each activity's drawn dates, time-dependent costs per month, risk events and the \
                 standby of a financing suspension, cumulated by month; P10 to P90 shaded. Total: plan US$ {:.1} M, mean {:.1}, \
                 P50 {:.1}, P90 {:.1}.",
                b.cost.planned_usd / 1e6,
                b.cost.mean_usd / 1e6,
                b.cost.percentile_usd[1] / 1e6,
                b.cost.percentile_usd[3] / 1e6
            ),
        };
        out.push_str(&s_curve.html()?);
    }
    out.push_str("</section>\n");
    Ok(out)
}

/// The risk section: the risk study's charts when the report ran it (the NPV histogram and
/// S-curve, the tornadoes of the NPV and of the minimum DSCR, the fan charts of plant feed
/// and of annual DSCR, the convergence of the mean NPV), else a note saying how to run it.
pub fn risk_section(r: &ReportStudy, risk: Option<&RiskResult>) -> Result<String, String> {
    let Some(k) = risk else {
        return Ok("<section class=\"page\" id=\"risk\">\n<h2>Risk</h2>\n\
     <div class=\"placeholder\" id=\"risk-placeholder\">No risk study in this report: the scenario has no <code>[risk]</code> table. \
     <code>manto report boleo-risk</code> reports the bundled El Boleo risk study (docs/risk.md shows how to write a <code>[risk]</code> table). \
     The bank cases above are deterministic downsides, not probabilities.</div>\n</section>\n"
        .into());
    };
    let npv = npv_label(&k.headline_npv);
    let npv_axis = format!("{npv} after tax, US$ M");
    let mut out = String::from("<section class=\"page\" id=\"risk\">\n<h2>Risk</h2>\n");
    out.push_str(&format!(
        "<p class=\"lede\">{} of {} planned iterations{} ({} sampling, mine by the {} path, seed {}{}). Every iteration draws the \
         scenario's uncertain inputs and a metal price path per product, simulates the mine at those inputs and values it \
         with the debt sized once on the banking case and held fixed. Every number below is in <code>manto risk --json</code> \
         for the same scenario, seed and iterations. Sampling: {}.</p>\n",
        k.iterations,
        k.iterations_planned,
        if k.stopped_early { " (the precision stop ended the run)" } else { "" },
        esc(&k.sampling.replace('_', " ")),
        esc(&k.mine_path),
        k.seed,
        if k.dated.is_empty() { String::new() } else { format!(", dated {}", esc(&k.dated)) },
        esc(&k.sampling_note)
    ));
    if !k.correlations.is_empty() {
        out.push_str("<table id=\"risk-correlations\"><caption>Rank correlations of the drawn inputs: the target and what the draws reached (Spearman; Iman–Conover with the target corrected to the normal scores' Pearson correlation, 2 sin(πρ/6); ties in an empirical input keep its correlations below target)</caption>\n<thead><tr><th scope=\"col\" class=\"text\">inputs</th><th scope=\"col\">target</th><th scope=\"col\">achieved</th></tr></thead><tbody>\n");
        for (i, c) in k.correlations.iter().enumerate() {
            out.push_str(&format!(
                "<tr><th scope=\"row\">{} and {}</th>{}{}</tr>\n",
                esc(&c.a),
                esc(&c.b),
                risk_td(&format!("correlations.{i}.target"), c.target, 1.0, 2),
                risk_td(&format!("correlations.{i}.achieved"), c.achieved, 1.0, 3),
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    let head = k.outputs.iter().find(|o| o.name == k.headline_npv);
    let p_neg = k.probabilities.iter().find(|p| p.name == "npv_negative");
    // Distribution of the NPV.
    out.push_str(&format!("<h3>Distribution of {npv}</h3>\n"));
    if let Some(h) = k.histograms.iter().find(|h| h.output == k.headline_npv) {
        let mut marks = vec![("zero".to_string(), 0.0)];
        if let Some(o) = head {
            marks.push(("base case".to_string(), o.base / 1e6));
        }
        let chart = Chart {
            id: "risk-npv-histogram",
            title: format!("{npv} after tax over the iterations"),
            x_label: npv_axis.clone(),
            y_label: "iterations".into(),
            categories: h
                .bins
                .iter()
                .map(|b| format!("{} to {}", Cell::Num(b.0 / 1e6, 1).display(), Cell::Num(b.1 / 1e6, 1).display()))
                .collect(),
            x: vec![],
            series: vec![Series::new("iterations", h.bins.iter().map(|b| b.2 as f64).collect())],
            kind: Kind::Histogram {
                bins: h.bins.iter().map(|b| (b.0 / 1e6, b.1 / 1e6)).collect(),
                marks,
            },
            decimals: 0,
            note: match (head, p_neg) {
                (Some(o), Some(p)) => format!(
                    "20 equal bins from the smallest to the largest {npv}. Mean US$ {:.1} M (95% CI {:.1} to {:.1}), \
                     P10 {:.1}, P50 {:.1}, P90 {:.1}; base case {:.1}; P({npv} < 0) = {:.1}%.",
                    o.mean.mean / 1e6, o.mean.ci95_low / 1e6, o.mean.ci95_high / 1e6,
                    o.p10 / 1e6, o.p50 / 1e6, o.p90 / 1e6, o.base / 1e6, 100.0 * p.p
                ),
                _ => "20 equal bins from the smallest to the largest value.".into(),
            },
        };
        out.push_str(&chart.html()?);
    }
    if let Some(c) = k.s_curves.iter().find(|c| c.output == k.headline_npv) {
        let chart = Chart {
            id: "risk-npv-s-curve",
            title: format!("{npv} after tax: cumulative probability (S-curve)"),
            x_label: npv_axis.clone(),
            y_label: "cumulative probability, %".into(),
            categories: c.points.iter().map(|p| Cell::Num(p.1 / 1e6, 1).display()).collect(),
            x: c.points.iter().map(|p| p.1 / 1e6).collect(),
            series: vec![Series::new(
                "cumulative probability, %",
                c.points.iter().map(|p| p.0).collect(),
            )],
            kind: Kind::Lines {
                hlines: vec![("P50".into(), 50.0)],
            },
            decimals: 0,
            note: format!(
                "The {npv} at every 1% of cumulative probability (percentiles interpolated between order statistics, as Excel's PERCENTILE.INC): \
                 read the chance of an {npv} at or below a value off the curve."
            ),
        };
        out.push_str(&chart.html()?);
    }
    // Tornadoes.
    out.push_str("<h3>What drives it: tornadoes</h3>\n");
    for (id, output, label, scale, decimals, unit) in [
        (
            "risk-tornado-npv",
            k.headline_npv.as_str(),
            format!("{npv} after tax"),
            1e6,
            1,
            "US$ M",
        ),
        (
            "risk-tornado-dscr",
            "min_dscr",
            "minimum DSCR".to_string(),
            1.0,
            3,
            "x",
        ),
    ] {
        let Some(t) = k.tornado.iter().find(|t| t.output == output) else {
            continue;
        };
        let bars: Vec<_> = t.bars.iter().take(TORNADO_BARS).collect();
        let chart = Chart {
            id,
            title: format!("Tornado of the {label}: each input at its P10 and P90"),
            x_label: format!("{label}, {unit}"),
            y_label: "input".into(),
            categories: bars.iter().map(|b| b.input.clone()).collect(),
            x: vec![],
            series: vec![
                Series::new("input at its P10", bars.iter().map(|b| b.output_at_p10 / scale).collect()),
                Series::new("input at its P90", bars.iter().map(|b| b.output_at_p90 / scale).collect()),
            ],
            kind: Kind::Tornado {
                base: t.base / scale,
                base_label: format!("base case {}", Cell::Num(t.base / scale, decimals).display()),
            },
            decimals,
            note: format!(
                "Each input set to its P10 and then its P90 with every other input at base (a price: every year at its P10 or P90 \
                 marginal) and the mine on fixed streams; bars start at the base case ({} {unit}), largest swing at the top{}.",
                Cell::Num(t.base / scale, decimals).display(),
                if t.bars.len() > TORNADO_BARS {
                    format!("; the {} largest of {} inputs", TORNADO_BARS, t.bars.len())
                } else {
                    String::new()
                }
            ),
        };
        out.push_str(&chart.html()?);
    }
    // Fan charts.
    out.push_str("<h3>By year: P10, P50 and P90 across the iterations</h3>\n");
    let years: Vec<String> = k.by_year.iter().map(|y| y.year.to_string()).collect();
    let xs: Vec<f64> = k.by_year.iter().map(|y| f64::from(y.year)).collect();
    let fan_series = |f: &dyn Fn(&study::risk::FanYear) -> [f64; 3], scale: f64| -> Vec<Series> {
        ["P10", "P50", "P90"]
            .iter()
            .enumerate()
            .map(|(q, name)| {
                Series::new(*name, k.by_year.iter().map(|y| f(y)[q] / scale).collect())
            })
            .collect()
    };
    let feed = Chart {
        id: "risk-fan-feed",
        title: "Plant feed by year: fan chart".into(),
        x_label: "calendar year".into(),
        y_label: "plant feed, kt dry per year".into(),
        categories: years.clone(),
        x: xs.clone(),
        series: fan_series(&|y| y.feed_dry_t, 1e3),
        kind: Kind::Fan {
            hlines: vec![],
            y_max: None,
        },
        decimals: 0,
        note: "Shaded: P10 to P90 of the year's plant feed over the iterations (a delayed iteration feeds nothing in its early years).".into(),
    };
    out.push_str(&feed.html()?);
    let cov = &r.finance.covenants;
    // The years with debt service in some iteration; the scale is capped so one year with
    // little debt service left (a huge ratio) does not flatten the rest.
    let served: Vec<usize> = (0..k.by_year.len())
        .filter(|&i| k.by_year[i].dscr.iter().any(|v| v.is_finite()))
        .collect();
    let span = match (served.first(), served.last()) {
        (Some(&a), Some(&b)) => a..b + 1,
        _ => 0..k.by_year.len(),
    };
    let mut p50: Vec<f64> = k.by_year[span.clone()]
        .iter()
        .map(|y| y.dscr[1])
        .filter(|v| v.is_finite())
        .collect();
    p50.sort_by(f64::total_cmp);
    let p50_median = p50.get(p50.len() / 2).copied().unwrap_or(0.0);
    let cap = (4.0 * cov.lock_up_dscr).max(2.0 * p50_median);
    let mut series = fan_series(&|y| y.dscr, 1.0);
    for s in &mut series {
        s.values = s.values[span.clone()].to_vec();
    }
    let capped = series
        .iter()
        .any(|s| s.values.iter().any(|v| v.is_finite() && *v > cap));
    let dscr = Chart {
        id: "risk-fan-dscr",
        title: "Annual DSCR by year against the covenants: fan chart".into(),
        x_label: "calendar year".into(),
        y_label: "DSCR, x".into(),
        categories: years[span.clone()].to_vec(),
        x: xs[span].to_vec(),
        series,
        kind: Kind::Fan {
            hlines: vec![
                (format!("default covenant {:.2}x", cov.min_dscr), cov.min_dscr),
                (format!("lock-up {:.2}x", cov.lock_up_dscr), cov.lock_up_dscr),
            ],
            y_max: Some(cap),
        },
        decimals: 3,
        note: format!(
            "Shaded: P10 to P90 of the year's senior DSCR over the iterations with debt service that year (years without \
             debt service have none: gaps).{}",
            if capped {
                format!(" Ratios above {cap:.1}x (a year with little debt service left) are drawn at {cap:.1}x; the table has them.")
            } else {
                String::new()
            }
        ),
    };
    out.push_str(&dscr.html()?);
    // Convergence.
    out.push_str("<h3>Convergence</h3>\n");
    let conv = &k.convergence;
    let half =
        |c: &study::risk::Convergence| c.npv_ci_half_width_pct / 100.0 * c.npv_mean_usd.abs();
    let chart = Chart {
        id: "risk-convergence",
        title: format!("Mean {npv} and its 95% confidence interval as iterations accumulate"),
        x_label: "iterations".into(),
        y_label: format!("mean {npv}, US$ M"),
        categories: conv.iter().map(|c| c.iterations.to_string()).collect(),
        x: conv.iter().map(|c| c.iterations as f64).collect(),
        series: vec![
            Series::new("95% CI low", conv.iter().map(|c| (c.npv_mean_usd - half(c)) / 1e6).collect()),
            Series::new(format!("mean {npv}"), conv.iter().map(|c| c.npv_mean_usd / 1e6).collect()),
            Series::new("95% CI high", conv.iter().map(|c| (c.npv_mean_usd + half(c)) / 1e6).collect()),
        ],
        kind: Kind::Fan {
            hlines: vec![],
            y_max: None,
        },
        decimals: 1,
        note: "The mean after the first 50, 100, 200, ... iterations and after all of them, with its Student-t 95% confidence interval (shaded).".into(),
    };
    out.push_str(&chart.html()?);
    // The lenders' probabilities in full.
    out.push_str("<table id=\"risk-probabilities\"><caption>Probabilities over the iterations (Wilson 95% interval)</caption>\n<thead><tr><th scope=\"col\" class=\"text\">event</th><th scope=\"col\">probability, %</th><th scope=\"col\">95% interval, %</th><th scope=\"col\">iterations</th></tr></thead><tbody>\n");
    for p in &k.probabilities {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{:.1}</td><td>{:.1} to {:.1}</td><td>{}</td></tr>\n",
            esc(&p.description),
            100.0 * p.p,
            100.0 * p.ci95_low,
            100.0 * p.ci95_high,
            p.count
        ));
    }
    out.push_str("</tbody></table>\n</section>\n");
    Ok(out)
}

/// Bars a tornado chart shows (largest swing first).
const TORNADO_BARS: usize = 10;
