//! The `Risk` sheet: manto's Monte Carlo risk study (`study::risk::run`, the same numbers
//! `manto risk --json` writes) laid out as a FAST output sheet. Values, not formulas: the
//! study is thousands of simulations the workbook cannot recalculate, so every number here
//! is manto's, in black (an output), never blue on yellow (an input).
//!
//! The sheet is written from data ([`blocks`]): one block per part of the `RiskResult`,
//! each a title row, a header row (units in the header or in column B), a field row and its
//! data rows. Column D of a data row names the row's JSON path in `manto risk --json`
//! (`outputs.0`); the field row (column D [`FIELD_MARK`]) names each numeric column's field
//! under it (`p10`, `mean.mean`; empty: the row's path is the value itself), so each number's
//! path is `D.field`. The report tests tie every cell to the `RiskResult` through those
//! paths and `scripts/check_reports.py xlsx-risk` ties LibreOffice's reading of the sheet to
//! `manto risk --json`.

use super::{unit_of, Formats};

/// First column of the data blocks (A label, B unit, C how, D JSON path).
const FIRST: u16 = 4;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};
use study::risk::RiskResult;

/// Column D of a block's field row.
pub const FIELD_MARK: &str = "JSON field:";

/// How a number is shown (every one black: manto's output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFmt {
    /// US$, thousands separated.
    Usd,
    /// A cover ratio or a coefficient, 3 decimals.
    Ratio,
    /// A share (0.25), shown as a percentage (25.0%).
    Share,
    /// A number already in % (12.5), 2 decimals.
    Percent,
    /// A count or a tonnage, thousands separated.
    Count,
    /// A calendar year or a seed, no separator.
    Plain,
    /// As Excel shows it.
    General,
}

/// One cell right of column D.
#[derive(Clone, Debug, PartialEq)]
pub enum RiskCell {
    /// A number (NaN: undefined, written "n/a").
    Num(f64, NumFmt),
    /// Text.
    Text(String),
    /// A yes/no.
    Bool(bool),
}

/// One data row: label (A), unit (B), detail (C), JSON path of the row (D), cells from E.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskRow {
    /// Column A.
    pub label: String,
    /// Column B.
    pub unit: String,
    /// Column C.
    pub detail: String,
    /// Column D: the row's path in `manto risk --json`.
    pub path: String,
    /// Columns E on, one per [`RiskBlock::columns`].
    pub cells: Vec<RiskCell>,
}

impl RiskRow {
    /// The JSON path of cell `k`: the row's path, then the column's field.
    pub fn cell_path(&self, block: &RiskBlock, k: usize) -> String {
        match block.columns.get(k).map(|(_, f)| f.as_str()) {
            None | Some("") => self.path.clone(),
            Some(f) => format!("{}.{f}", self.path),
        }
    }
}

/// One block of the sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskBlock {
    /// Title row.
    pub title: String,
    /// The part of the `RiskResult` it shows (`histograms.0`).
    pub path: String,
    /// Headers of columns A, B, C.
    pub heads: [String; 3],
    /// Columns E on: (header with unit, JSON field under the row's path).
    pub columns: Vec<(String, String)>,
    /// Data rows.
    pub rows: Vec<RiskRow>,
}

/// The unit of an output by its name (manto's names end in their unit).
fn output_unit(name: &str) -> &'static str {
    if name.ends_with("_usd") {
        "US$"
    } else if name.ends_with("_pct") {
        "%"
    } else if name.ends_with("dscr") || name.ends_with("llcr") {
        "x"
    } else if name.ends_with("_quarters") {
        "quarters"
    } else if name.ends_with("_years") {
        "years"
    } else if name.ends_with("_dry_t") {
        "dry t"
    } else if name.ends_with("_t") {
        "t"
    } else if name.ends_with("_factor") {
        "ratio"
    } else {
        ""
    }
}

fn unit_fmt(unit: &str) -> NumFmt {
    match unit {
        "US$" => NumFmt::Usd,
        "%" => NumFmt::Percent,
        "x" | "ratio" => NumFmt::Ratio,
        "t" | "dry t" => NumFmt::Count,
        _ => NumFmt::General,
    }
}

fn cols(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(h, f)| ((*h).to_string(), (*f).to_string()))
        .collect()
}

fn heads(a: &str, b: &str, c: &str) -> [String; 3] {
    [a.into(), b.into(), c.into()]
}

fn row(label: &str, unit: &str, detail: &str, path: String, cells: Vec<RiskCell>) -> RiskRow {
    RiskRow {
        label: label.into(),
        unit: unit.into(),
        detail: detail.into(),
        path,
        cells,
    }
}

/// The unit of a risk input (a scale factor, or the unit its key names).
fn input_unit(risk: &RiskResult, name: &str) -> String {
    match risk.inputs.iter().find(|i| i.name == name) {
        Some(i) if i.how == "scale" => "× base".into(),
        Some(i) if i.key.ends_with("_factor") => "factor".into(),
        Some(i) => unit_of(&i.key).into(),
        None => String::new(),
    }
}

/// The sheet's blocks, in order: the rows exactly as written, every number manto's.
pub fn blocks(risk: &RiskResult) -> Vec<RiskBlock> {
    use NumFmt::*;
    use RiskCell::{Bool, Num, Text};
    let mut out = Vec::new();

    // Study facts: one value per row, the row's path is the value's.
    let mut facts = vec![
        row(
            "scenario",
            "text",
            "",
            "scenario".into(),
            vec![Text(risk.scenario.clone())],
        ),
        row(
            "dated",
            "date",
            "the date the study stands at",
            "dated".into(),
            vec![Text(risk.dated.clone())],
        ),
        row(
            "seed",
            "integer",
            "base seed",
            "seed".into(),
            vec![Num(risk.seed as f64, Plain)],
        ),
        row(
            "sampling",
            "text",
            "latin_hypercube or monte_carlo",
            "sampling".into(),
            vec![Text(risk.sampling.clone())],
        ),
        row(
            "what is stratified",
            "text",
            "Latin hypercube stratifies the drawn inputs; the price shocks are plain Monte Carlo",
            "sampling_note".into(),
            vec![Text(risk.sampling_note.clone())],
        ),
        row(
            "mine path",
            "text",
            "fast (shift pool + DES probe), exact (full DES per iteration) or table",
            "mine_path".into(),
            vec![Text(risk.mine_path.clone())],
        ),
        row(
            "iterations planned",
            "count",
            "",
            "iterations_planned".into(),
            vec![Num(risk.iterations_planned as f64, Count)],
        ),
        row(
            "iterations run",
            "count",
            "",
            "iterations".into(),
            vec![Num(risk.iterations as f64, Count)],
        ),
        row(
            "stopped early",
            "yes/no",
            "the precision stop ended the run",
            "stopped_early".into(),
            vec![Bool(risk.stopped_early)],
        ),
        row(
            "headline NPV",
            "name",
            "the output the histogram, S-curve and convergence follow",
            "headline_npv".into(),
            vec![Text(risk.headline_npv.clone())],
        ),
    ];
    for (i, (name, usd)) in risk.sized_debt_usd.iter().enumerate() {
        facts.push(row(
            &format!("sized debt: {name}"),
            "US$",
            "sized once on the banking case, held fixed in every iteration",
            format!("sized_debt_usd.{i}.1"),
            vec![Num(*usd, Usd)],
        ));
    }
    for (t, tor) in risk.tornado.iter().enumerate() {
        let unit = output_unit(&tor.output);
        facts.push(row(
            &format!("{} at the base case (tornado centre)", tor.output),
            unit,
            "every input at its base value",
            format!("tornado.{t}.base"),
            vec![Num(tor.base, unit_fmt(unit))],
        ));
    }
    out.push(RiskBlock {
        title: "Study".into(),
        path: String::new(),
        heads: heads("fact", "unit", "what"),
        columns: cols(&[("value", "")]),
        rows: facts,
    });

    // Inputs.
    out.push(RiskBlock {
        title: "Uncertain inputs: the distribution as written and the draws".into(),
        path: "inputs".into(),
        heads: heads("input", "unit", "distribution (as written)"),
        columns: cols(&[
            ("base", "base"),
            ("mean of draws", "mean"),
            ("P10 of draws", "p10"),
            ("P50 of draws", "p50"),
            ("P90 of draws", "p90"),
            ("scenario key", "key"),
            ("how (set, scale, add)", "how"),
            ("source", "source"),
        ]),
        rows: risk
            .inputs
            .iter()
            .enumerate()
            .map(|(j, i)| {
                let u = input_unit(risk, &i.name);
                let f = if i.how == "scale" { Ratio } else { General };
                row(
                    &i.name,
                    &u,
                    &i.distribution,
                    format!("inputs.{j}"),
                    vec![
                        Num(i.base, f),
                        Num(i.mean, f),
                        Num(i.p10, f),
                        Num(i.p50, f),
                        Num(i.p90, f),
                        Text(i.key.clone()),
                        Text(i.how.clone()),
                        Text(i.source.clone()),
                    ],
                )
            })
            .collect(),
    });

    // Rank correlations: target and achieved.
    if !risk.correlations.is_empty() {
        out.push(RiskBlock {
            title: "Rank correlations of the drawn inputs: the target and the Spearman correlation the draws reached".into(),
            path: "correlations".into(),
            heads: heads("input", "unit", "with input"),
            columns: cols(&[("target", "target"), ("achieved", "achieved")]),
            rows: risk
                .correlations
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    row(
                        &c.a,
                        "Spearman ρ",
                        &c.b,
                        format!("correlations.{i}"),
                        vec![Num(c.target, Ratio), Num(c.achieved, Ratio)],
                    )
                })
                .collect(),
        });
    }

    // Price processes.
    out.push(RiskBlock {
        title: "Metal price processes (prices in the unit of the scenario's price deck)".into(),
        path: "prices".into(),
        heads: heads("product", "unit", "process"),
        columns: cols(&[
            ("start price", "start"),
            ("start year", "start_year"),
            ("long-run median", "long_run"),
            ("reversion κ, per year", "reversion_per_year"),
            ("volatility σ, %/year", "volatility_pct"),
            ("drift μ, %/year", "drift_pct"),
            ("source", "source"),
        ]),
        rows: risk
            .prices
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let process = serde_json::to_value(p.process)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                RiskRow {
                    label: p.product.clone(),
                    unit: "price deck unit".into(),
                    detail: process,
                    path: format!("prices.{k}"),
                    cells: vec![
                        Num(p.start, General),
                        Num(f64::from(p.start_year), Plain),
                        Num(p.long_run, General),
                        Num(p.reversion_per_year, Ratio),
                        Num(p.volatility_pct, Percent),
                        Num(p.drift_pct, Percent),
                        Text(p.source.clone()),
                    ],
                }
            })
            .collect(),
    });

    // Output statistics.
    out.push(RiskBlock {
        title: "Output statistics over the iterations (percentiles as Excel's PERCENTILE.INC; undefined values left out and counted)".into(),
        path: "outputs".into(),
        heads: heads("output", "unit", "what"),
        columns: cols(&[
            ("iterations defined", "defined"),
            ("mean", "mean.mean"),
            ("mean 95% CI low", "mean.ci95_low"),
            ("mean 95% CI high", "mean.ci95_high"),
            ("sd", "sd"),
            ("P5", "p5"),
            ("P10", "p10"),
            ("P50", "p50"),
            ("P90", "p90"),
            ("P95", "p95"),
            ("min", "min"),
            ("max", "max"),
            ("base case", "base"),
        ]),
        rows: risk
            .outputs
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let unit = output_unit(&o.name);
                let f = unit_fmt(unit);
                let mut cells = vec![Num(o.defined as f64, Count)];
                cells.extend(
                    [
                        o.mean.mean,
                        o.mean.ci95_low,
                        o.mean.ci95_high,
                        o.sd,
                        o.p5,
                        o.p10,
                        o.p50,
                        o.p90,
                        o.p95,
                        o.min,
                        o.max,
                        o.base,
                    ]
                    .into_iter()
                    .map(|x| Num(x, f)),
                );
                row(&o.name, unit, &o.description, format!("outputs.{i}"), cells)
            })
            .collect(),
    });

    // Probabilities.
    out.push(RiskBlock {
        title: "Probabilities a lender asks for (share of iterations, Wilson 95% interval)".into(),
        path: "probabilities".into(),
        heads: heads("event", "unit", "what"),
        columns: cols(&[
            ("iterations", "count"),
            ("probability, %", "p"),
            ("95% CI low, %", "ci95_low"),
            ("95% CI high, %", "ci95_high"),
        ]),
        rows: risk
            .probabilities
            .iter()
            .enumerate()
            .map(|(i, p)| {
                row(
                    &p.name,
                    "%",
                    &p.description,
                    format!("probabilities.{i}"),
                    vec![
                        Num(p.count as f64, Count),
                        Num(p.p, Share),
                        Num(p.ci95_low, Share),
                        Num(p.ci95_high, Share),
                    ],
                )
            })
            .collect(),
    });

    // Tornadoes.
    for (t, tor) in risk.tornado.iter().enumerate() {
        let unit = output_unit(&tor.output);
        let f = unit_fmt(unit);
        out.push(RiskBlock {
            title: format!(
                "Tornado: {} ({unit}) with each input at its P10 and its P90, the others at base; largest swing first",
                tor.output
            ),
            path: format!("tornado.{t}"),
            heads: heads("input", "output unit", "input unit"),
            columns: cols(&[
                ("input at P10", "input_p10"),
                ("input at P90", "input_p90"),
                (&format!("output, input at P10, {unit}"), "output_at_p10"),
                (&format!("output, input at P90, {unit}"), "output_at_p90"),
                (&format!("swing, {unit}"), "swing"),
            ]),
            rows: tor
                .bars
                .iter()
                .enumerate()
                .map(|(k, b)| {
                    row(
                        &b.input,
                        unit,
                        &b.input_unit,
                        format!("tornado.{t}.bars.{k}"),
                        vec![
                            Num(b.input_p10, General),
                            Num(b.input_p90, General),
                            Num(b.output_at_p10, f),
                            Num(b.output_at_p90, f),
                            Num(b.swing, f),
                        ],
                    )
                })
                .collect(),
        });
    }

    // Rank sensitivities.
    for (s, sens) in risk.sensitivity.iter().enumerate() {
        out.push(RiskBlock {
            title: format!(
                "Rank sensitivity of {}: Spearman ρ with each input over the iterations, largest |ρ| first",
                sens.output
            ),
            path: format!("sensitivity.{s}"),
            heads: heads("input", "unit", ""),
            columns: cols(&[
                ("Spearman ρ", "spearman"),
                ("share of variance (ρ² / Σρ²), %", "share_of_variance_pct"),
            ]),
            rows: sens
                .entries
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    row(
                        &e.input,
                        "ρ; %",
                        "",
                        format!("sensitivity.{s}.entries.{k}"),
                        vec![
                            Num(e.spearman, Ratio),
                            Num(e.share_of_variance_pct, Percent),
                        ],
                    )
                })
                .collect(),
        });
    }

    // Fan table by year.
    out.push(RiskBlock {
        title: "By calendar year: P10, P50, P90 over the iterations (the fan charts' data)".into(),
        path: "by_year".into(),
        heads: heads("calendar year", "", ""),
        columns: cols(&[
            ("year", "year"),
            ("plant feed P10, dry t", "feed_dry_t.0"),
            ("plant feed P50, dry t", "feed_dry_t.1"),
            ("plant feed P90, dry t", "feed_dry_t.2"),
            ("copper cathode P10, t", "cu_t.0"),
            ("copper cathode P50, t", "cu_t.1"),
            ("copper cathode P90, t", "cu_t.2"),
            ("CFADS P10, US$", "cfads_usd.0"),
            ("CFADS P50, US$", "cfads_usd.1"),
            ("CFADS P90, US$", "cfads_usd.2"),
            ("DSCR P10, x", "dscr.0"),
            ("DSCR P50, x", "dscr.1"),
            ("DSCR P90, x", "dscr.2"),
        ]),
        rows: risk
            .by_year
            .iter()
            .enumerate()
            .map(|(k, y)| {
                let mut cells = vec![Num(f64::from(y.year), Plain)];
                cells.extend(y.feed_dry_t.iter().map(|x| Num(*x, Count)));
                cells.extend(y.cu_t.iter().map(|x| Num(*x, Count)));
                cells.extend(y.cfads_usd.iter().map(|x| Num(*x, Usd)));
                cells.extend(y.dscr.iter().map(|x| Num(*x, Ratio)));
                row(
                    &y.year.to_string(),
                    "see header",
                    "",
                    format!("by_year.{k}"),
                    cells,
                )
            })
            .collect(),
    });

    // Convergence.
    out.push(RiskBlock {
        title: format!(
            "Convergence: the headline statistics ({}) after the first n iterations",
            risk.headline_npv
        ),
        path: "convergence".into(),
        heads: heads("after", "", ""),
        columns: cols(&[
            ("iterations", "iterations"),
            ("NPV mean, US$", "npv_mean_usd"),
            (
                "NPV mean 95% CI half-width, % of |mean|",
                "npv_ci_half_width_pct",
            ),
            ("NPV P10, US$", "npv_p10_usd"),
            ("NPV P90, US$", "npv_p90_usd"),
            ("P(NPV < 0), %", "p_npv_negative"),
            ("mean minimum DSCR, x", "min_dscr_mean"),
        ]),
        rows: risk
            .convergence
            .iter()
            .enumerate()
            .map(|(k, c)| {
                row(
                    &format!("{} iterations", c.iterations),
                    "see header",
                    "",
                    format!("convergence.{k}"),
                    vec![
                        Num(c.iterations as f64, Count),
                        Num(c.npv_mean_usd, Usd),
                        Num(c.npv_ci_half_width_pct, Percent),
                        Num(c.npv_p10_usd, Usd),
                        Num(c.npv_p90_usd, Usd),
                        Num(c.p_npv_negative, Share),
                        Num(c.min_dscr_mean, Ratio),
                    ],
                )
            })
            .collect(),
    });

    // Histograms and S-curves.
    for (i, h) in risk.histograms.iter().enumerate() {
        let unit = output_unit(&h.output);
        let f = unit_fmt(unit);
        out.push(RiskBlock {
            title: format!(
                "Histogram of {} ({unit}): 20 equal bins from min to max",
                h.output
            ),
            path: format!("histograms.{i}"),
            heads: heads("bin", "unit", ""),
            columns: cols(&[
                (&format!("low edge, {unit}"), "0"),
                (&format!("high edge, {unit}"), "1"),
                ("iterations", "2"),
            ]),
            rows: h
                .bins
                .iter()
                .enumerate()
                .map(|(b, (lo, hi, n))| {
                    row(
                        &format!("bin {}", b + 1),
                        unit,
                        "",
                        format!("histograms.{i}.bins.{b}"),
                        vec![Num(*lo, f), Num(*hi, f), Num(*n as f64, Count)],
                    )
                })
                .collect(),
        });
    }
    for (i, s) in risk.s_curves.iter().enumerate() {
        let unit = output_unit(&s.output);
        let f = unit_fmt(unit);
        out.push(RiskBlock {
            title: format!(
                "S-curve of {} ({unit}): its percentiles 0, 1, ..., 100",
                s.output
            ),
            path: format!("s_curves.{i}"),
            heads: heads("point", "unit", ""),
            columns: cols(&[
                ("cumulative probability, %", "0"),
                (&format!("value, {unit}"), "1"),
            ]),
            rows: s
                .points
                .iter()
                .enumerate()
                .map(|(k, (q, v))| {
                    row(
                        &format!("P{q}"),
                        unit,
                        "",
                        format!("s_curves.{i}.points.{k}"),
                        vec![Num(*q, Plain), Num(*v, f)],
                    )
                })
                .collect(),
        });
    }
    out
}

/// Writes the `Risk` sheet (after `Outputs`) from [`blocks`], with a column chart of the
/// headline NPV's histogram and a scatter chart of its S-curve.
pub(super) fn sheet(wb: &mut Workbook, risk: &RiskResult, fm: &Formats) -> Result<(), XlsxError> {
    let all = blocks(risk);
    let ws = wb.add_worksheet().set_name("Risk")?;
    let title = format!(
        "Risk: manto's Monte Carlo study of {} ({} iterations)",
        risk.scenario, risk.iterations
    );
    ws.write_string_with_format(0, 0, &title, &fm.title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "manto risk study output (values, not formulas): {} iterations, {} sampling, seed {}, mine path {}, dated {}. \
             Black = manto's output, as `manto risk --json` writes it; column D names each row's JSON path and the row under each header each column's field. \
             Re-run `manto report` to change it.",
            risk.iterations,
            risk.sampling.replace('_', " "),
            risk.seed,
            risk.mine_path,
            risk.dated
        ),
        &fm.note,
    )?;
    let share = Format::new().set_num_format("0.0%");
    let percent = Format::new().set_num_format("0.00");
    let count = Format::new().set_num_format("#,##0");
    let plain = Format::new().set_num_format("0");
    let fmt = |f: NumFmt| match f {
        NumFmt::Usd => &fm.live_usd,
        NumFmt::Ratio => &fm.ratio,
        NumFmt::Share => &share,
        NumFmt::Percent => &percent,
        NumFmt::Count => &count,
        NumFmt::Plain => &plain,
        NumFmt::General => &fm.live_num,
    };
    let mut xr: u32 = 3;
    let mut first_row: Vec<u32> = Vec::new();
    for b in &all {
        ws.write_string_with_format(xr, 0, &b.title, &fm.bold)?;
        xr += 1;
        for (c, h) in b.heads.iter().enumerate() {
            ws.write_string_with_format(xr, c as u16, h, &fm.header)?;
        }
        ws.write_string_with_format(xr, 3, "manto JSON", &fm.header)?;
        for (k, (h, _)) in b.columns.iter().enumerate() {
            ws.write_string_with_format(xr, FIRST + k as u16, h, &fm.header)?;
        }
        xr += 1;
        ws.write_string_with_format(xr, 3, FIELD_MARK, &fm.note)?;
        for (k, (_, f)) in b.columns.iter().enumerate() {
            ws.write_string_with_format(xr, FIRST + k as u16, f, &fm.note)?;
        }
        xr += 1;
        first_row.push(xr);
        for r in &b.rows {
            ws.write_string(xr, 0, &r.label)?;
            ws.write_string(xr, 1, &r.unit)?;
            ws.write_string(xr, 2, &r.detail)?;
            ws.write_string_with_format(xr, 3, &r.path, &fm.note)?;
            for (k, cell) in r.cells.iter().enumerate() {
                let c = FIRST + k as u16;
                match cell {
                    RiskCell::Num(x, f) if x.is_finite() => {
                        ws.write_number_with_format(xr, c, *x, fmt(*f))?;
                    }
                    RiskCell::Num(..) => {
                        ws.write_string_with_format(xr, c, "n/a", &fm.note)?;
                    }
                    RiskCell::Text(s) => {
                        ws.write_string(xr, c, s)?;
                    }
                    RiskCell::Bool(v) => {
                        ws.write_boolean(xr, c, *v)?;
                    }
                }
            }
            xr += 1;
        }
        xr += 1;
    }
    layout(ws)?;
    // Charts of the headline NPV, from its blocks above.
    let label = npv_label(&risk.headline_npv);
    let find = |prefix: &str, output: &dyn Fn(usize) -> Option<String>| {
        all.iter().enumerate().find_map(|(i, b)| {
            let k: usize = b.path.strip_prefix(prefix)?.parse().ok()?;
            (output(k)? == risk.headline_npv).then_some((i, b.rows.len() as u32))
        })
    };
    let chart_col = FIRST + 14;
    if let Some((i, n)) = find("histograms.", &|k| {
        risk.histograms.get(k).map(|h| h.output.clone())
    }) {
        let (r0, r1) = (first_row[i], first_row[i] + n.max(1) - 1);
        let mut c = Chart::new(ChartType::Column);
        c.title()
            .set_name(&format!("{label} after tax: histogram of the iterations"));
        c.add_series()
            .set_name("iterations")
            .set_categories(("Risk", r0, FIRST, r1, FIRST))
            .set_values(("Risk", r0, FIRST + 2, r1, FIRST + 2));
        c.x_axis()
            .set_name(&format!("{label} after tax, US$ M (bin low edge)"))
            .set_num_format("#,##0,,");
        c.y_axis().set_name("iterations (count)");
        c.set_width(720).set_height(320);
        ws.insert_chart(3, chart_col, &c)?;
    }
    if let Some((i, n)) = find("s_curves.", &|k| {
        risk.s_curves.get(k).map(|s| s.output.clone())
    }) {
        let (r0, r1) = (first_row[i], first_row[i] + n.max(1) - 1);
        let mut c = Chart::new(ChartType::ScatterStraightWithMarkers);
        c.title().set_name(&format!(
            "{label} after tax: S-curve (cumulative distribution)"
        ));
        c.add_series()
            .set_name("cumulative probability")
            .set_categories(("Risk", r0, FIRST + 1, r1, FIRST + 1))
            .set_values(("Risk", r0, FIRST, r1, FIRST));
        c.x_axis()
            .set_name(&format!("{label} after tax, US$ M"))
            .set_num_format("#,##0,,");
        c.y_axis()
            .set_name("cumulative probability, %")
            .set_min(0)
            .set_max(100);
        c.set_width(720).set_height(320);
        ws.insert_chart(21, chart_col, &c)?;
    }
    Ok(())
}

/// "NPV8" for `npv8_usd`.
fn npv_label(name: &str) -> String {
    name.trim_end_matches("_usd").to_uppercase()
}

fn layout(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_column_width(0, 44)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(2, 48)?;
    ws.set_column_width(3, 26)?;
    for c in 0..13 {
        ws.set_column_width(FIRST + c, 15)?;
    }
    ws.set_freeze_panes(3, 1)?;
    Ok(())
}
