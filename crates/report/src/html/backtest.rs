//! The back-test's HTML section (`manto backtest --html`): each actual drawn on the study's
//! S-curve (a vertical line at what happened, a horizontal one at its percentile) and, for
//! a series, on its fan chart by year; the calibration summary and the hindsight note.
//! Every number is in `manto backtest --json` for the same study, seed and actuals.

use super::chart::{Chart, Kind, Series};
use super::{esc, CSS};
use crate::Cell;
use study::backtest::BacktestResult;

/// Ids of the S-curve charts, one per actual (the first eight actuals are drawn; every
/// actual is in the tables).
pub const S_CURVE_IDS: [&str; 8] = [
    "backtest-s-curve-1",
    "backtest-s-curve-2",
    "backtest-s-curve-3",
    "backtest-s-curve-4",
    "backtest-s-curve-5",
    "backtest-s-curve-6",
    "backtest-s-curve-7",
    "backtest-s-curve-8",
];

/// Ids of the fan charts, one per series actual (the first eight).
pub const FAN_IDS: [&str; 8] = [
    "backtest-fan-1",
    "backtest-fan-2",
    "backtest-fan-3",
    "backtest-fan-4",
    "backtest-fan-5",
    "backtest-fan-6",
    "backtest-fan-7",
    "backtest-fan-8",
];

fn decimals(unit: &str) -> usize {
    match unit {
        "t" | "dry_t" | "wet_t" | "usd" | "year" => 0,
        "quarters" | "pct" => 1,
        _ => 3,
    }
}

/// The back-test section.
pub fn section(b: &BacktestResult) -> Result<String, String> {
    let mut out = String::from("<section class=\"page\" id=\"backtest\">\n<h2>Back-test</h2>\n");
    out.push_str(&format!(
        "<p class=\"lede\">What happened, placed on the distribution of <code>{}</code> (dated {}, {} iterations, seed {}), \
         from <code>{}</code>. A calibrated study puts actuals anywhere on its distribution; a study that is too narrow puts \
         them in its tails or beyond.</p>\n",
        esc(&b.scenario),
        esc(if b.dated.is_empty() { "-" } else { &b.dated }),
        b.iterations,
        b.seed,
        esc(&b.actuals_file)
    ));
    if let Some(n) = b.hindsight_note() {
        out.push_str(&format!(
            "<p class=\"bad\" id=\"backtest-hindsight\"><strong>{}</strong></p>\n",
            esc(&n)
        ));
    }
    // The table of actuals.
    out.push_str("<table id=\"backtest-actuals\">\n<tr><th>actual</th><th>value</th><th>unit</th><th>percentile</th><th>where</th><th>P5</th><th>P50</th><th>P95</th><th>known</th><th>source</th></tr>\n");
    for a in &b.actuals {
        let d = decimals(&a.actual.unit);
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&a.actual.name),
            Cell::Num(a.actual.value, d).display(),
            esc(&a.actual.unit),
            Cell::Num(a.percentile, 1).display(),
            esc(&a.place()),
            Cell::Num(a.p5, d).display(),
            Cell::Num(a.p50, d).display(),
            Cell::Num(a.p95, d).display(),
            esc(&a.actual.known),
            esc(&a.actual.source)
        ));
    }
    out.push_str("</table>\n");
    // Calibration.
    let c = &b.calibration;
    out.push_str("<h3>Calibration</h3>\n<table id=\"backtest-calibration\">\n<tr><th>measure</th><th>value</th><th>a calibrated study</th></tr>\n");
    for band in &c.bands {
        out.push_str(&format!(
            "<tr><td>outside {}</td><td>{}</td><td>{:.2} expected (95%: {} to {})</td></tr>\n",
            esc(&band.band),
            band.count,
            band.expected,
            band.interval.0,
            band.interval.1
        ));
    }
    let hist: Vec<String> = c.pit_histogram.iter().map(u64::to_string).collect();
    out.push_str(&format!(
        "<tr><td>PIT histogram (10 bins)</td><td>{}</td><td>{:.1} a bin</td></tr>\n\
         <tr><td>mean CRPS / sd</td><td>{}</td><td>0.564</td></tr>\n</table>\n",
        hist.join(" "),
        c.pit_expected_per_bin,
        Cell::Num(c.mean_crps_per_sd, 3).display()
    ));
    // Each actual on its S-curve, and a series on its fan.
    out.push_str("<h3>Each actual on the study's distribution</h3>\n");
    let mut fans = 0;
    for (k, a) in b.actuals.iter().enumerate().take(S_CURVE_IDS.len()) {
        let d = decimals(&a.actual.unit);
        let unit = a.actual.unit.replace('_', " ");
        let chart = Chart {
            id: S_CURVE_IDS[k],
            title: format!("{}: the study's S-curve and what happened", a.actual.name),
            x_label: format!("{}, {unit}", a.actual.quantity),
            y_label: "cumulative probability, %".into(),
            categories: a.s_curve.iter().map(|v| Cell::Num(*v, d).display()).collect(),
            x: a.s_curve.clone(),
            series: vec![Series::new(
                "cumulative probability, %",
                (0..a.s_curve.len()).map(|p| p as f64).collect(),
            )],
            kind: Kind::Marked {
                hlines: vec![(format!("its percentile ({})", a.place()), a.percentile)],
                vlines: vec![(
                    format!("what happened ({})", Cell::Num(a.actual.value, d).display()),
                    a.actual.value,
                )],
                band: false,
            },
            decimals: 1,
            note: format!(
                "The quantity at every 1% of cumulative probability over the {} iterations; the dashed vertical line is what \
                 happened ({}, known {}), the horizontal one its mid-rank percentile.",
                a.iterations,
                esc(&a.actual.source),
                esc(&a.actual.known)
            ),
        };
        out.push_str(&chart.html()?);
        if a.fan.is_empty() || fans >= FAN_IDS.len() {
            continue;
        }
        let years: Vec<String> = a.fan.iter().map(|f| f.year.to_string()).collect();
        let xs: Vec<f64> = a.fan.iter().map(|f| f64::from(f.year)).collect();
        let col = |i: usize| a.fan.iter().map(|f| f.p[i]).collect::<Vec<f64>>();
        let year = a.actual.period.map_or(f64::NAN, f64::from);
        let chart = Chart {
            id: FAN_IDS[fans],
            title: format!("{}: the study's fan by year and what happened", a.actual.name),
            x_label: "calendar year".into(),
            y_label: format!("{}, {unit}", a.actual.quantity),
            categories: years,
            x: xs,
            series: vec![
                Series::new("P5", col(0)),
                Series::new("P50", col(2)),
                Series::new("P95", col(4)),
            ],
            kind: Kind::Marked {
                hlines: vec![(
                    format!("what happened ({})", Cell::Num(a.actual.value, d).display()),
                    a.actual.value,
                )],
                vlines: vec![("its year".into(), year)],
                band: true,
            },
            decimals: d,
            note: "Shaded: P5 to P95 of the year's value over the iterations; the dashed lines cross at what happened.".into(),
        };
        fans += 1;
        out.push_str(&chart.html()?);
    }
    out.push_str("</section>\n");
    Ok(out)
}

/// A self-contained page holding the back-test section (`manto backtest --html`).
pub fn render(b: &BacktestResult) -> Result<String, String> {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str(&format!(
        "<title>manto backtest: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&b.scenario)
    ));
    out.push_str(&section(b)?);
    out.push_str(&format!(
        "<footer>Generated by manto {}. Every number is in <code>manto backtest --json</code> for the same study, seed, \
         iterations and actuals.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));
    Ok(out)
}
