//! The HTML report and the workbook against the model result they render: every chart and
//! its table present, the summary's numbers equal to the run's, nothing fetched, the same
//! bytes twice; every live formula row of the workbook, evaluated as Excel would, equal to
//! manto's own number.

use manto_report as report;
use std::sync::OnceLock;
use study::{Override, ReportStudy};

/// The overrides of a short El Boleo study (8 years, 2 schedule replications, 3 x 10-day
/// section runs).
const SHORT: [&str; 4] = [
    "schedule.years=8",
    "schedule.replications=2",
    "simulation.replications=3",
    "simulation.days=10",
];

/// The short El Boleo study with `sets` on top.
fn short_study(sets: &[&str]) -> ReportStudy {
    let ov: Vec<Override> = SHORT
        .iter()
        .chain(sets)
        .map(|s| Override::parse_set(s).unwrap())
        .collect();
    let s = study::load(Some("boleo"), &ov).unwrap();
    study::report_study(&s, &study::Silent)
}

/// The short El Boleo study.
fn study() -> &'static ReportStudy {
    static S: OnceLock<ReportStudy> = OnceLock::new();
    S.get_or_init(|| short_study(&[]))
}

fn html() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| report::html::render(study()).unwrap())
}

#[test]
fn every_chart_has_its_svg_title_axes_and_table() {
    let h = html();
    for id in report::html::CHART_IDS {
        // Title, SVG with its axis labels as text, and the data table with rows.
        figure(h, id);
    }
    for id in [
        "summary",
        "mine",
        "finance",
        "risk",
        "bank-cases",
        "summary-covenants",
    ] {
        assert!(h.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
}

#[test]
fn nothing_is_fetched() {
    let h = html();
    for bad in [
        "<script", "<link", "<img", "@import", "url(", "src=", "<iframe",
    ] {
        assert!(!h.contains(bad), "report contains {bad}");
    }
    // The only URLs are XML namespaces of the inline SVGs.
    let urls = h.matches("http://").count() + h.matches("https://").count();
    let ns = h.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(urls, ns, "a URL other than the SVG namespace");
}

#[test]
fn summary_numbers_are_the_run_result() {
    let r = study();
    let h = html();
    let m = &r.run.finance.metrics;
    let npv8 = m
        .npv
        .iter()
        .position(|n| n.discount_rate_pct == 8.0)
        .unwrap();
    let want = [
        (
            format!("data-json=\"finance.metrics.npv.{npv8}.project_after_tax_usd\""),
            m.npv[npv8].project_after_tax_usd,
        ),
        (
            "data-json=\"finance.metrics.project_irr_after_tax_pct\"".into(),
            m.project_irr_after_tax_pct.unwrap(),
        ),
        (
            "data-json=\"finance.metrics.min_dscr\"".into(),
            m.min_dscr.unwrap(),
        ),
        (
            "data-json=\"finance.metrics.min_llcr\"".into(),
            m.min_llcr.unwrap(),
        ),
        (
            "data-json=\"finance.metrics.funding_shortfall_usd\"".into(),
            m.funding_shortfall_usd,
        ),
        (
            "data-json=\"schedule.years.*.plant_feed_dry_t\" data-agg=\"sum\"".into(),
            r.run
                .schedule
                .years
                .iter()
                .map(|p| p.plant_feed_dry_t)
                .sum(),
        ),
    ];
    for (attr, v) in want {
        let at = h.find(&attr).unwrap_or_else(|| panic!("{attr} missing"));
        let rest = &h[at + attr.len()..];
        let value: f64 = rest
            .strip_prefix(" data-value=\"")
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(value, v, "{attr}");
    }
    // Shown rounded: the NPV in US$ millions with one decimal.
    let shown = format!("{:.1}", m.npv[npv8].project_after_tax_usd / 1e6);
    assert!(
        h.contains(&format!(">{shown}</td>")),
        "NPV {shown} not shown"
    );
}

#[test]
fn the_gantt_chart_is_the_traced_shift() {
    let r = study();
    let t = r.shift.as_ref().expect("a traced shift");
    // Every machine is accounted for over the whole shift.
    for (i, mins) in t.state_minutes().iter().enumerate() {
        let total: f64 = mins.iter().sum();
        assert!(
            (total - t.shift_length_min).abs() < 1e-6,
            "{}: {total} of {}",
            t.machines[i],
            t.shift_length_min
        );
    }
    let h = html();
    let start = h.find("id=\"data-shift-gantt\"").unwrap();
    let rows = h[start..]
        .split("</table>")
        .next()
        .unwrap()
        .matches("<tr><th scope=\"row\">")
        .count();
    assert_eq!(rows, t.spells.len());
}

#[test]
fn same_study_same_bytes() {
    let r = study();
    assert_eq!(report::html::render(r).unwrap(), html());
    let a = report::xlsx::render(r).unwrap();
    let b = report::xlsx::render(r).unwrap();
    assert_eq!(a, b);
    assert_eq!(&a[..2], b"PK");
}

/// Live rows compared with manto's own numbers: the rows that differ (label, quarter,
/// workbook, manto), at `rel` of each row's largest magnitude.
fn live_rows_against_manto(b: &report::xlsx::Book, rel: f64) -> (usize, Vec<String>) {
    // No formula reads itself through this quarter's rows (LibreOffice would refuse it).
    let circular = report::xlsx::circular(b);
    assert!(circular.is_empty(), "circular references: {circular:?}");
    let v = report::xlsx::evaluate(b).unwrap();
    let mut checked = 0;
    let mut bad = Vec::new();
    for row in &b.rows {
        let Some(manto) = &row.manto else { continue };
        let got = &v[&row.key];
        // At `rel` of the row's largest magnitude, and never below a millionth of a
        // dollar at 1e-9 (a cash row that stays at zero carries the rounding of the
        // hundred-million-dollar flows through it).
        let scale = manto
            .iter()
            .filter(|x| x.is_finite())
            .fold(1e3f64, |a, x| a.max(x.abs()));
        for (t, (a, b)) in got.iter().zip(manto).enumerate() {
            let ok = (a.is_nan() && b.is_nan()) || (a - b).abs() <= rel * scale;
            if !ok {
                bad.push(format!(
                    "{} ({}), quarter {t}: workbook {a}, manto {b}",
                    row.label, row.key
                ));
            }
        }
        checked += 1;
    }
    (checked, bad)
}

#[test]
fn every_live_row_of_the_workbook_is_mantos_number() {
    let b = report::xlsx::book(study()).unwrap();
    let (checked, bad) = live_rows_against_manto(&b, 1e-9);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    assert!(checked >= 45, "only {checked} rows checked");
    // Revenue, every opex line, duty and working capital are live, not manto's inputs.
    for key in [
        "revenue_cu",
        "refining",
        "royalty",
        "opex_crew_labour",
        "opex_g_and_a",
        "mining_duty",
        "receivables",
        "wc_increase",
        "senior_interest",
        "fac1_interest",
        "net_income",
        "vat_paid",
        "vat_receivable",
        "vat_refund",
        "vat_facility",
        "fixed_assets_add",
        "ptu",
        "income_tax",
        "ietu",
        "loss_used",
        "income_tax_paid",
        "tax_payable",
        "tax_unlevered",
        "fixed_assets_red",
        "cash_add",
        "cash_red",
        "year",
        "operations",
        "llcr",
        "plcr",
    ] {
        let row = b.rows.iter().find(|r| r.key == key).unwrap();
        assert!(
            matches!(row.kind, report::xlsx::RowKind::Live(_)) && row.manto.is_some(),
            "{key} is not a checked live row"
        );
    }
    // The balance sheet balances in the workbook too.
    let v = report::xlsx::evaluate(&b).unwrap();
    // The cover ratios are numbers over the loan life, not empty rows that match.
    for key in ["llcr", "plcr"] {
        let some = v[key].iter().filter(|x| x.is_finite()).count();
        assert!(some >= 8, "{key}: {some} quarters with a ratio");
    }
    let assets = &v["total_assets"];
    for (t, c) in v["balance_check"].iter().enumerate() {
        assert!(
            c.abs() <= 1e-6 * assets[t].abs().max(1.0),
            "quarter {t}: check {c}"
        );
    }
}

/// One finance input the property test below draws: its JSON pointer in the finance
/// configuration and how a draw `u` in [0, 1] sets it from its base value.
enum Draw {
    /// Multiplied by a factor from `lo` to `hi`.
    Scale(&'static str, f64, f64),
    /// Set to a value from `lo` to `hi`.
    Set(&'static str, f64, f64),
    /// Set to a whole number from `lo` to `hi`.
    Whole(&'static str, u32, u32),
    /// Set to one of the texts.
    Pick(&'static str, &'static [&'static str]),
}

const DRAWS: [Draw; 16] = [
    Draw::Scale("/revenue/cu_cathode/price_usd_per_lb", 0.4, 1.6),
    Draw::Scale("/revenue/co_cathode/price_usd_per_lb", 0.4, 1.6),
    Draw::Set("/revenue/royalty_nsr_pct", 0.0, 5.0),
    Draw::Scale("/opex/processing_usd_per_dry_t", 0.6, 1.5),
    Draw::Scale("/opex/underground_usd_per_dry_t", 0.6, 1.5),
    Draw::Scale("/opex/g_and_a_usd_per_year", 0.3, 3.0),
    Draw::Scale("/opex/acid_usd_per_t", 0.5, 2.0),
    Draw::Scale("/capex/contingency_pct", 0.0, 2.5),
    Draw::Set("/capex/overrun_pct", 0.0, 40.0),
    Draw::Scale("/vat/opex_taxable_pct", 0.0, 1.5),
    Draw::Whole("/vat/refund_lag_quarters", 0, 6),
    Draw::Whole("/tax/loss_carry_forward_years", 1, 10),
    Draw::Pick("/tax/payments", &["as_computed", "profit_coefficient"]),
    Draw::Pick("/metrics/npv_timing", &["end_of_year", "mid_year"]),
    Draw::Pick("/escalation/decks", &["nominal", "real"]),
    Draw::Scale("/covenants/lock_up_dscr", 0.8, 1.3),
];

/// The short study's finance inputs with `u` (one draw in [0, 1] per [`DRAWS`] entry)
/// applied, re-run through manto's finance model on the same production (the debt
/// re-sized on it), as a report study the workbook can be built from.
fn drawn_study(u: &[f64]) -> ReportStudy {
    let base = study();
    let mut cfg = serde_json::to_value(&base.finance).unwrap();
    for (d, &u) in DRAWS.iter().zip(u) {
        let (path, value) = match d {
            Draw::Scale(p, lo, hi) => {
                let x = cfg.pointer(p).and_then(|v| v.as_f64());
                let x = x.unwrap_or_else(|| panic!("{p} is not a number in the finance inputs"));
                (p, serde_json::Value::from(x * (lo + u * (hi - lo))))
            }
            Draw::Set(p, lo, hi) => (p, serde_json::Value::from(lo + u * (hi - lo))),
            Draw::Whole(p, lo, hi) => {
                let k = lo + ((u * f64::from(hi - lo + 1)).floor() as u32).min(hi - lo);
                (p, serde_json::Value::from(k))
            }
            Draw::Pick(p, xs) => {
                let k = ((u * xs.len() as f64).floor() as usize).min(xs.len() - 1);
                (p, serde_json::Value::from(xs[k]))
            }
        };
        let slot = cfg
            .pointer_mut(path)
            .unwrap_or_else(|| panic!("{path} is not a finance input"));
        *slot = value;
    }
    let cfg: finance::FinanceConfig = serde_json::from_value(cfg).unwrap();
    let mut st = base.clone();
    let sized = finance::size_debt(&cfg, &st.production);
    st.run.finance = finance::run_with_debt(&cfg, &st.production, &sized);
    st.finance = cfg;
    st
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..Default::default()
    })]

    /// The workbook is the finance model for any valid finance inputs, not only for the
    /// scenarios the tests name: prices, unit costs, royalty, contingency, overrun, IVA,
    /// loss expiry, tax payments, NPV timing, real or nominal decks and the lock-up level
    /// drawn at random, every live row equals manto's number in every quarter (1e-9 of the
    /// row's scale) and the balance sheet balances.
    #[test]
    fn every_live_row_is_mantos_number_for_random_finance_inputs(
        u in proptest::collection::vec(0.0f64..1.0, DRAWS.len())
    ) {
        let st = drawn_study(&u);
        let b = report::xlsx::book(&st).unwrap();
        let (checked, bad) = live_rows_against_manto(&b, 1e-9);
        proptest::prop_assert!(bad.is_empty(), "{}", bad[..bad.len().min(10)].join("\n"));
        proptest::prop_assert!(checked >= 45);
        let v = report::xlsx::evaluate(&b).unwrap();
        for (t, c) in v["balance_check"].iter().enumerate() {
            proptest::prop_assert!(c.abs() <= 1e-6 * v["total_assets"][t].abs().max(1.0), "quarter {}: {}", t, c);
        }
    }
}

/// The property test can fail: a workbook whose inputs say one thing while manto ran on
/// another (the copper price 10% higher on Inputs only) is caught row by row.
#[test]
fn a_workbook_off_the_model_is_caught() {
    let st = drawn_study(&[0.5; DRAWS.len()]);
    let mut b = report::xlsx::book(&st).unwrap();
    let key = "finance.revenue.cu_cathode.price_usd_per_lb";
    let x = report::xlsx::input_value(&b.inputs[key]);
    b.inputs
        .insert(key.into(), serde_json::Value::from(x * 1.1));
    let (_, bad) = live_rows_against_manto(&b, 1e-9);
    assert!(bad.iter().any(|l| l.contains("revenue_cu")), "{bad:?}");
}

/// Real decks escalated from a base year inside the timeline (years before it discounted
/// back), a stepped copper price, a stepped duty and a stepped exchange rate: the by-year
/// block and every live row still equal manto's numbers.
#[test]
fn real_decks_and_stepped_inputs_are_live_too() {
    let st = short_study(&[
        "finance.escalation.decks=\"real\"",
        "finance.escalation.base_year=2010",
        "finance.escalation.usd_inflation_pct=[{ from_year = 2007, to_year = 2011, value = 2.0 }, { from_year = 2012, value = 3.0 }]",
        "finance.revenue.cu_cathode.price_usd_per_lb=[{ from_year = 2007, to_year = 2012, value = 1.5 }, { from_year = 2013, value = 2.25 }]",
        "finance.vat.funding=\"facility\"",
        "finance.vat.facility_limit_usd=20e6",
        "finance.vat.facility_rate_pct=9.0",
        "finance.vat.refund_lag_quarters=3",
        "finance.tax.loss_carry_forward_years=1",
        "finance.tax.ietu_credit_years=1",
        "finance.tax.payments=\"profit_coefficient\"",
        "finance.opex.mxn_per_usd=[{ from_year = 2007, to_year = 2012, value = 10.9 }, { from_year = 2013, value = 13.0 }]",
    ]);
    let b = report::xlsx::book(&st).unwrap();
    let (checked, bad) = live_rows_against_manto(&b, 1e-9);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    assert!(checked >= 45);
    let v = report::xlsx::evaluate(&b).unwrap();
    let idx = &v["Deck_usd_index"];
    let y0 = b.years[0];
    assert!(y0 < 2010 && idx[(2010 - y0) as usize] == 1.0);
    assert!(idx[0] < 1.0 && idx[idx.len() - 1] > 1.0, "{idx:?}");
    // The real valuation's deflator is manto's inflation index, year by year.
    let esc = &st.finance.escalation;
    for (j, y) in b.years.iter().enumerate() {
        let want = esc.inflation_index(&esc.usd_inflation_pct, *y);
        let got = v["Deck_usd_inflation_index"][j];
        assert!((got - want).abs() <= 1e-12 * want, "{y}: {got} vs {want}");
    }
    assert!(
        st.run
            .finance
            .quarterly
            .iter()
            .any(|p| p.mining_duty_usd > 0.0),
        "the duty is not exercised"
    );
}

/// The workbook is one model: with the copper price 10% higher, or the processing cost 10%
/// higher, on `Inputs`, the balance sheet still balances in every quarter (the extra cash
/// stays in the project; manto's waterfall decisions are held).
#[test]
fn the_balance_sheet_balances_when_an_input_changes() {
    let base = report::xlsx::book(study()).unwrap();
    for (key, factor) in [
        ("finance.revenue.cu_cathode.price_usd_per_lb", 1.1),
        ("finance.opex.processing_usd_per_dry_t", 1.1),
    ] {
        let mut b = base.clone();
        let x = report::xlsx::input_value(&b.inputs[key]);
        b.inputs
            .insert(key.into(), serde_json::Value::from(x * factor));
        let v = report::xlsx::evaluate(&b).unwrap();
        let assets = &v["total_assets"];
        let moved = v["cfads"]
            .iter()
            .zip(
                &base
                    .rows
                    .iter()
                    .find(|r| r.key == "cfads")
                    .unwrap()
                    .manto
                    .clone()
                    .unwrap(),
            )
            .any(|(a, m)| (a - m).abs() > 1.0);
        assert!(moved, "{key}: CFADS did not move");
        for (t, c) in v["balance_check"].iter().enumerate() {
            assert!(
                c.abs() <= 1e-6 * assets[t].abs().max(1.0),
                "{key}: quarter {t}: balance check {c}, total assets {}",
                assets[t]
            );
        }
    }
}

/// The check can fail: the copper price 1% higher on Inputs, or one quarter's copper
/// tonnes 1% higher on Production, and the live rows no longer equal manto's.
#[test]
fn a_changed_input_fails_the_check() {
    let base = report::xlsx::book(study()).unwrap();
    let cfg = &study().finance;
    let key = match &cfg.revenue.cu_cathode.price_usd_per_lb {
        Some(finance::config::ByYear::Flat(_)) => "finance.revenue.cu_cathode.price_usd_per_lb",
        _ => "finance.revenue.cu_cathode.payable_pct",
    };
    let mut b = base.clone();
    let x = report::xlsx::input_value(&b.inputs[key]);
    b.inputs
        .insert(key.into(), serde_json::Value::from(x * 1.01));
    let (_, bad) = live_rows_against_manto(&b, 1e-6);
    assert!(bad.iter().any(|l| l.contains("(revenue_cu)")), "{bad:?}");
    assert!(
        bad.iter().any(|l| l.contains("(dscr)")),
        "DSCR did not move"
    );
    let mut b = base.clone();
    let row = b.rows.iter_mut().find(|r| r.key == "prod_cu").unwrap();
    if let report::xlsx::RowKind::Input(v, _) = &mut row.kind {
        let t = v.iter().position(|x| *x > 0.0).unwrap();
        v[t] *= 1.01;
    }
    let (_, bad) = live_rows_against_manto(&b, 1e-6);
    assert!(bad.iter().any(|l| l.contains("(revenue_cu)")), "{bad:?}");
}

/// The numbers beside a chart are the model's: the CFADS table is the quarterly CFADS in
/// US$ millions, quarter by quarter.
#[test]
fn chart_tables_hold_the_model_numbers() {
    let f = &study().run.finance;
    let h = html();
    let start = h.find("id=\"data-cfads-debt-service\"").unwrap();
    let table = h[start..].split("</table>").next().unwrap();
    let rows: Vec<&str> = table.split("<tr><th scope=\"row\">").skip(1).collect();
    assert_eq!(rows.len(), f.quarterly.len());
    for (row, q) in rows.iter().zip(&f.quarterly) {
        assert!(row.starts_with(&format!("{}</th>", q.label)), "{row}");
        let first: f64 = row
            .split("data-value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(first, q.cfads_usd / 1e6, "{}", q.label);
    }
}

/// The short study of `boleo-risk` with its risk study at 60 iterations.
fn risk_study() -> &'static (ReportStudy, study::risk::RiskResult) {
    static S: OnceLock<(ReportStudy, study::risk::RiskResult)> = OnceLock::new();
    S.get_or_init(|| {
        let ov: Vec<Override> = SHORT
            .iter()
            .chain(&["risk.iterations=60"])
            .map(|s| Override::parse_set(s).unwrap())
            .collect();
        let s = study::load(Some("boleo-risk"), &ov).unwrap();
        let risk =
            study::risk::run(&s, study::risk::RiskOptions::default(), &study::Silent).unwrap();
        (study::report_study(&s, &study::Silent), risk)
    })
}

fn risk_html() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        let (r, k) = risk_study();
        report::html::render_with_risk(r, Some(k)).unwrap()
    })
}

/// The figure of chart `id`: present, with its title, SVG (axis text) and data table.
fn figure<'a>(h: &'a str, id: &str) -> &'a str {
    // `<figure class="chart" id=...>`, or `class="chart wide"` when its table goes under it.
    let at = h
        .find(&format!(" id=\"chart-{id}\">"))
        .unwrap_or_else(|| panic!("chart {id} missing"));
    let start = h[..at].rfind("<figure class=\"chart").unwrap();
    assert!(
        at - start <= "<figure class=\"chart wide\"".len(),
        "{id}: a figure"
    );
    let end = start + h[start..].find("</figure>").unwrap();
    let fig = &h[start..end];
    assert!(fig.contains("<figcaption>"), "{id}: title");
    assert!(fig.contains("<svg"), "{id}: svg");
    assert!(
        fig.contains(&format!("<table class=\"chart-data\" id=\"data-{id}\">")),
        "{id}: table"
    );
    assert!(fig.contains("<tbody>\n<tr>"), "{id}: table has rows");
    assert!(fig.matches("<text").count() > 5, "{id}: axis text");
    fig
}

#[test]
fn every_risk_chart_has_its_svg_title_axes_and_table() {
    let h = risk_html();
    for id in report::html::CHART_IDS
        .iter()
        .chain(&report::html::RISK_CHART_IDS)
    {
        figure(h, id);
    }
    assert!(!h.contains("risk-placeholder"));
    for id in [
        "summary-risk",
        "summary-risk-probabilities",
        "summary-largest-risks",
        "risk-probabilities",
    ] {
        assert!(h.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    // Units on the axes of the risk charts.
    assert!(figure(h, "risk-npv-histogram").contains("NPV8 after tax, US$ M"));
    assert!(figure(h, "risk-fan-feed").contains("kt dry per year"));
    let dscr = figure(h, "risk-fan-dscr");
    assert!(dscr.contains("default covenant 1.10x") && dscr.contains("lock-up 1.20x"));
    // The tables hold the study's numbers: the histogram's counts add up to the iterations,
    // the tornado's first row is the largest swing.
    let (_, k) = risk_study();
    let hist = figure(h, "risk-npv-histogram");
    let counts: f64 = hist
        .split("<td data-value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(counts as usize, k.iterations);
    let tor = k
        .tornado
        .iter()
        .find(|t| t.output == k.headline_npv)
        .unwrap();
    let fig = figure(h, "risk-tornado-npv");
    let first = fig.find("<tbody>\n<tr><th scope=\"row\">").unwrap();
    assert!(fig[first..].starts_with(&format!(
        "<tbody>\n<tr><th scope=\"row\">{}</th>",
        report::html::esc(&tor.bars[0].input)
    )));
}

#[test]
fn the_summary_risk_numbers_are_the_risk_result() {
    let (_, k) = risk_study();
    let h = risk_html();
    let json = serde_json::to_value(k).unwrap();
    let mut seen = Vec::new();
    for part in h.split("data-risk-json=\"").skip(1) {
        let attr = |name: &str| -> String {
            let at = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            part[at..].split('"').next().unwrap().to_string()
        };
        let path = part.split('"').next().unwrap().to_string();
        let raw: f64 = attr("data-value").parse().unwrap();
        let scale: f64 = attr("data-scale").parse().unwrap();
        let decimals: usize = attr("data-decimals").parse().unwrap();
        let mut v = &json;
        for key in path.split('.') {
            v = match key.parse::<usize>() {
                Ok(i) => &v[i],
                Err(_) => &v[key],
            };
        }
        let want = v
            .as_f64()
            .unwrap_or_else(|| panic!("{path}: {v} is not a number"));
        assert_eq!(raw, want, "{path}");
        let shown = part[part.find('>').unwrap() + 1..]
            .split('<')
            .next()
            .unwrap();
        assert_eq!(
            shown,
            report::Cell::Num(want / scale, decimals).display(),
            "{path} shown"
        );
        seen.push(path);
    }
    // NPV8, project and equity IRR, min DSCR and min LLCR at P10, P50, P90; the four
    // probabilities; the three largest risks.
    let out = |name: &str| k.outputs.iter().position(|o| o.name == name).unwrap();
    let prob = |name: &str| k.probabilities.iter().position(|p| p.name == name).unwrap();
    let t = k
        .tornado
        .iter()
        .position(|t| t.output == k.headline_npv)
        .unwrap();
    let mut want = Vec::new();
    for o in [
        out("npv8_usd"),
        out("project_irr_pct"),
        out("equity_irr_pct"),
        out("min_dscr"),
        out("min_llcr"),
    ] {
        for q in ["p10", "p50", "p90"] {
            want.push(format!("outputs.{o}.{q}"));
        }
    }
    for p in [
        "npv_negative",
        "dscr_below_lock_up",
        "funding_shortfall",
        "event_of_default",
    ] {
        want.push(format!("probabilities.{}.p", prob(p)));
    }
    for b in 0..3 {
        for f in ["output_at_p10", "output_at_p90", "swing"] {
            want.push(format!("tornado.{t}.bars.{b}.{f}"));
        }
    }
    // The risk section: each rank correlation's target and what the draws reached.
    assert!(!k.correlations.is_empty());
    for i in 0..k.correlations.len() {
        for f in ["target", "achieved"] {
            want.push(format!("correlations.{i}.{f}"));
        }
    }
    assert_eq!(seen, want);
    let summary = &h[..h.find("<section class=\"page\" id=\"mine\">").unwrap()];
    for bar in &k.tornado[t].bars[..3] {
        assert!(
            summary.contains(&report::html::esc(&bar.input)),
            "{} not among the largest risks",
            bar.input
        );
    }
}

#[test]
fn a_report_without_a_risk_study_says_how_to_get_one() {
    let h = html();
    assert!(h.contains("id=\"risk-placeholder\""));
    assert!(h.contains("manto report boleo-risk"));
    for id in report::html::RISK_CHART_IDS {
        assert!(
            !h.contains(&format!("chart-{id}")),
            "{id} without a risk study"
        );
    }
    assert!(!h.contains("data-risk-json"));
}

/// A short El Boleo study with `sets` on top, its workbook's live rows against manto's.
fn stressed(sets: &[&str]) -> (ReportStudy, usize, Vec<String>) {
    let st = short_study(sets);
    let b = report::xlsx::book(&st).unwrap();
    let (checked, bad) = live_rows_against_manto(&b, 1e-9);
    (st, checked, bad)
}

/// The operating waterfall is live in every branch. A term loan repaid in equal
/// instalments, a copper price that falls to US$0.50/lb from 2012, a sweep of half the
/// cash in every quarter and sponsor support capped at US$5M: the DSRA is drawn, support
/// is called and runs out, senior debt service is deferred, cash is swept, the lock-up
/// holds distributions back and the closure leaves a funding shortfall. A letter of
/// credit for the DSRA is drawn and reimbursed; a subordinated overrun facility's debt
/// service comes after the reserves and is deferred. Every quarter of every live row is
/// manto's.
#[test]
fn the_waterfall_is_live_in_every_branch() {
    let seen = |st: &ReportStudy, what: &str, g: fn(&finance::result::PeriodRow) -> f64| {
        let q = &st.run.finance.quarterly;
        assert!(q.iter().any(|p| g(p) > 1.0), "{what} is not exercised");
    };
    let (st, checked, bad) = stressed(&[
        "finance.revenue.cu_cathode.price_usd_per_lb=[{ from_year = 2007, to_year = 2011, value = 1.6 }, { from_year = 2012, value = 0.5 }]",
        "finance.facilities[1].repayment=\"straight_line\"",
        "finance.covenants.cash_sweep_pct=50.0",
        "finance.covenants.cash_sweep_when=\"always\"",
        "finance.funding.sponsor_support_limit_usd=5e6",
    ]);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    assert!(checked >= 60, "only {checked} rows checked");
    seen(&st, "the DSRA drawn", |p| p.dsra_release_usd);
    seen(&st, "the sweep", |p| p.cash_sweep_usd);
    seen(&st, "deferred senior debt service", |p| {
        p.unpaid_debt_service_usd
    });
    seen(&st, "sponsor support in operations", |p| {
        p.sponsor_support_usd * p.operations
    });
    seen(&st, "a funding shortfall in operations", |p| {
        p.funding_shortfall_usd * (1.0 - p.construction)
    });
    seen(&st, "a lock-up", |p| if p.lock_up { 2.0 } else { 0.0 });
    let (st, _, bad) = stressed(&[
        "finance.revenue.cu_cathode.price_usd_per_lb=[{ from_year = 2007, to_year = 2011, value = 1.6 }, { from_year = 2012, value = 0.3 }]",
        "finance.dsra.letter_of_credit=true",
        "finance.dsra.lc_fee_pct=1.5",
        "finance.dsra.lc_drawn_rate_pct=8.0",
    ]);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    seen(&st, "the letter of credit drawn", |p| p.dsra_lc_drawing_usd);
    seen(&st, "the letter of credit reimbursed", |p| {
        p.dsra_lc_repayment_usd
    });
    seen(&st, "its fee", |p| p.dsra_lc_cost_usd);
    let (st, _, bad) = stressed(&[
        "finance.facilities[2].kind=\"subordinated_loan\"",
        "finance.facilities[2].drawdown=\"pro_rata\"",
        "finance.revenue.cu_cathode.price_usd_per_lb=[{ from_year = 2007, to_year = 2012, value = 1.6 }, { from_year = 2013, value = 0.7 }]",
    ]);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    seen(&st, "subordinated debt service", |p| p.sub_debt_service_usd);
    seen(&st, "its deferral", |p| p.unpaid_debt_service_usd);
    // Construction over budget: the overrun facility, the sponsor's contingent equity and
    // a shortfall beyond them.
    let (st, _, bad) = stressed(&["finance.capex.overrun_pct=45.0"]);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    seen(&st, "the overrun facility drawn", |p| {
        p.facilities[2].drawdown_usd
    });
    seen(&st, "contingent equity in construction", |p| {
        p.sponsor_support_usd * p.construction
    });
    seen(&st, "a construction shortfall", |p| {
        p.funding_shortfall_usd * p.construction
    });
}

/// The value at a dotted path of a JSON document (`outputs.3.mean.mean`).
fn json_at<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.')
        .try_fold(v, |v, key| match key.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(key),
        })
}

/// Every cell of the Risk sheet's blocks against the `RiskResult` (as JSON) at the cell's
/// path: the paths checked, and the cells that differ.
fn risk_cells_against(
    blocks: &[report::xlsx::risk::RiskBlock],
    json: &serde_json::Value,
) -> (Vec<String>, Vec<String>) {
    use report::xlsx::risk::RiskCell;
    let mut seen = Vec::new();
    let mut bad = Vec::new();
    for b in blocks {
        for row in &b.rows {
            assert_eq!(
                row.cells.len(),
                b.columns.len(),
                "{}: {}",
                b.title,
                row.label
            );
            for (k, cell) in row.cells.iter().enumerate() {
                let path = row.cell_path(b, k);
                let Some(want) = json_at(json, &path) else {
                    bad.push(format!("{path}: not in the RiskResult"));
                    continue;
                };
                let ok = match cell {
                    // NaN is null in the JSON.
                    RiskCell::Num(x, _) if x.is_nan() => want.is_null(),
                    RiskCell::Num(x, _) => want.as_f64() == Some(*x),
                    RiskCell::Text(s) => want.as_str() == Some(s.as_str()),
                    RiskCell::Bool(v) => want.as_bool() == Some(*v),
                };
                if !ok {
                    bad.push(format!("{path}: sheet {cell:?}, RiskResult {want}"));
                }
                seen.push(path);
            }
        }
    }
    (seen, bad)
}

/// Paths of every number in a JSON document.
fn numeric_leaves(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        serde_json::Value::Number(_) => out.push(path.to_string()),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                numeric_leaves(x, &join(&i.to_string()), out);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                numeric_leaves(x, &join(k), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_number_of_the_risk_sheet_is_the_risk_result() {
    let (_, k) = risk_study();
    let json = serde_json::to_value(k).unwrap();
    let blocks = report::xlsx::risk::blocks(k);
    let (seen, bad) = risk_cells_against(&blocks, &json);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    // Everything manto computed is on the sheet: every number of the RiskResult but the
    // fast path's set-up (the mine model's, not the study's), and the study's facts.
    let mut leaves = Vec::new();
    numeric_leaves(&json, "", &mut leaves);
    let missing: Vec<&String> = leaves
        .iter()
        .filter(|p| !p.starts_with("fast_path.") && !seen.contains(p))
        .collect();
    assert!(missing.is_empty(), "not on the Risk sheet: {missing:?}");
    for p in [
        "scenario",
        "dated",
        "sampling",
        "mine_path",
        "stopped_early",
        "headline_npv",
    ] {
        assert!(seen.iter().any(|s| s == p), "{p} not on the Risk sheet");
    }
    assert!(seen.len() > 500, "only {} cells", seen.len());
    // A wrong number is caught: the headline NPV's P50 off by one dollar, a probability
    // by one point, a text changed.
    let h = k
        .outputs
        .iter()
        .position(|o| o.name == k.headline_npv)
        .unwrap();
    for (path, change) in [
        (
            format!("outputs.{h}.p50"),
            (|c: &mut report::xlsx::risk::RiskCell| {
                if let report::xlsx::risk::RiskCell::Num(x, _) = c {
                    *x += 1.0;
                }
            }) as fn(&mut report::xlsx::risk::RiskCell),
        ),
        ("probabilities.0.p".to_string(), |c| {
            if let report::xlsx::risk::RiskCell::Num(x, _) = c {
                *x += 0.01;
            }
        }),
        ("sampling".to_string(), |c| {
            *c = report::xlsx::risk::RiskCell::Text("monte carlo".into());
        }),
    ] {
        let mut broken = blocks.clone();
        let mut hit = false;
        for b in &mut broken {
            let b0 = b.clone();
            for row in &mut b.rows {
                for k in 0..row.cells.len() {
                    if row.cell_path(&b0, k) == path {
                        change(&mut row.cells[k]);
                        hit = true;
                    }
                }
            }
        }
        assert!(hit, "{path} not on the sheet");
        let (_, bad) = risk_cells_against(&broken, &json);
        assert_eq!(bad.len(), 1, "{path}: {bad:?}");
        assert!(bad[0].starts_with(&format!("{path}:")), "{bad:?}");
    }
}

/// The files of an xlsx (a zip), by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            (f.name().to_string(), s)
        })
        .collect()
}

/// The text of column A of a worksheet, top to bottom (shared strings resolved).
fn column_a_text(files: &std::collections::BTreeMap<String, String>, sheet: &str) -> Vec<String> {
    let shared: Vec<String> = files["xl/sharedStrings.xml"]
        .split("<si>")
        .skip(1)
        .map(|si| {
            si.split("<t")
                .skip(1)
                .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
                .map(|rest| rest.split("</t>").next().unwrap_or_default())
                .collect::<String>()
        })
        .collect();
    files[sheet]
        .split("<c r=\"A")
        .skip(1)
        .filter_map(|c| {
            let attrs = &c[..c.find('>')?];
            if !attrs.contains("t=\"s\"") {
                return None;
            }
            let i: usize = c.split("<v>").nth(1)?.split("</v>").next()?.parse().ok()?;
            Some(shared[i].clone())
        })
        .collect()
}

/// The Inputs sheet lists what the formulas read in the order they first read it (the
/// by-year rows, then the Calculations from the top), and what they do not read last.
#[test]
fn inputs_are_ordered_by_what_the_formulas_read_first() {
    let st = study();
    let files = unzip(&report::xlsx::render(st).unwrap());
    let keys = column_a_text(&files, "xl/worksheets/sheet2.xml");
    let b = report::xlsx::book(st).unwrap();
    let mut reads = Vec::new();
    for d in &b.decks {
        d.cell.inputs(&mut reads);
    }
    for r in &b.rows {
        if let report::xlsx::RowKind::Live(e) = &r.kind {
            e.inputs(&mut reads);
        }
    }
    let mut first: Vec<String> = Vec::new();
    for k in reads {
        if !first.contains(&k) {
            first.push(k);
        }
    }
    let pos = |k: &str| keys.iter().position(|x| x == k);
    let at: Vec<usize> = first
        .iter()
        .map(|k| pos(k).unwrap_or_else(|| panic!("{k}")))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "not in first-read order"
    );
    // A mine input the workbook does not read comes after every one it reads.
    let unread = pos("section.geometry.entries").expect("a mine input is listed");
    assert!(at.iter().all(|&p| p < unread));
}

/// The number cells of a worksheet's XML, in row-major order.
fn sheet_numbers(xml: &str) -> Vec<f64> {
    xml.split("<c ")
        .skip(1)
        .filter_map(|c| {
            let attrs = &c[..c.find('>')?];
            if attrs.contains(" t=\"") || attrs.ends_with('/') || c.contains("<f>") {
                return None;
            }
            let v = c.split("<v>").nth(1)?.split("</v>").next()?;
            Some(v.parse().unwrap())
        })
        .collect()
}

#[test]
fn the_workbook_has_a_risk_sheet_with_a_risk_study_only() {
    let (r, k) = risk_study();
    let with = report::xlsx::render_with_risk(r, Some(k)).unwrap();
    assert_eq!(with, report::xlsx::render_with_risk(r, Some(k)).unwrap());
    let without = report::xlsx::render(r).unwrap();
    assert_eq!(without, report::xlsx::render_with_risk(r, None).unwrap());
    let sheets = |files: &std::collections::BTreeMap<String, String>| -> Vec<String> {
        files["xl/workbook.xml"]
            .split("<sheet name=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect()
    };
    let a = unzip(&with);
    let b = unzip(&without);
    let order = [
        "Cover",
        "Inputs",
        "Time",
        "Production",
        "Calculations",
        "Outputs",
    ];
    assert_eq!(sheets(&b), order);
    let mut with_risk = order.to_vec();
    with_risk.push("Risk");
    assert_eq!(sheets(&a), with_risk);
    // Every other sheet is the same with or without the risk study.
    for i in 1..=6 {
        let f = format!("xl/worksheets/sheet{i}.xml");
        assert_eq!(a[&f], b[&f], "{f}");
    }
    // The Risk sheet's numbers are the blocks' finite numbers, in order (NaN is "n/a").
    let want: Vec<f64> = report::xlsx::risk::blocks(k)
        .iter()
        .flat_map(|b| b.rows.iter().flat_map(|r| r.cells.iter()))
        .filter_map(|c| match c {
            report::xlsx::risk::RiskCell::Num(x, _) if x.is_finite() => Some(*x),
            _ => None,
        })
        .collect();
    let risk_xml = &a["xl/worksheets/sheet7.xml"];
    assert_eq!(sheet_numbers(risk_xml), want);
    assert!(risk_xml.contains("<pane "), "freeze panes");
    assert!(!risk_xml.contains("<f>"), "values, not formulas");
    // Two native charts more: the headline NPV's histogram (columns) and S-curve (scatter),
    // titled, with axis titles in units.
    let charts = |files: &std::collections::BTreeMap<String, String>| {
        files
            .keys()
            .filter(|n| n.starts_with("xl/charts/chart"))
            .count()
    };
    assert_eq!(charts(&a), charts(&b) + 2);
    let n = charts(&b);
    let hist = &a[&format!("xl/charts/chart{}.xml", n + 1)];
    let scurve = &a[&format!("xl/charts/chart{}.xml", n + 2)];
    assert!(hist.contains("<c:barChart>") && hist.contains("histogram"));
    assert!(hist.contains("NPV8 after tax, US$ M (bin low edge)"));
    assert!(hist.contains("Risk!$G$"), "counts from the Risk sheet");
    assert!(scurve.contains("<c:scatterChart>") && scurve.contains("S-curve"));
    assert!(scurve.contains("cumulative probability, %"));
    assert!(a["xl/sharedStrings.xml"].contains("manto risk study output (values, not formulas)"));
}

/// The workbook is the bank deal under stress: every product price 10% lower on `Inputs`
/// (or every operating unit cost 10% higher, the capital 10% higher, the metal on
/// `Production` 10% lower) and the recalculated model is manto's own `price_-10`
/// (`opex_+10`, `capex_+10`, `production_-10`) bank case, the debt held as signed:
/// its after-tax NPV, minimum DSCR and LLCR and lock-up quarters. With the prices
/// unchanged it is the base case, so the comparison is not one the base passes anyway.
#[test]
fn bank_cases_on_inputs_are_mantos_cases() {
    let st = study();
    let base = report::xlsx::book(st).unwrap();
    let case = |name: &str| st.cases.cases.iter().find(|c| c.name == name).unwrap();
    assert_eq!(
        st.finance.metrics.npv_timing,
        finance::config::NpvTiming::EndOfYear,
        "the NPV below is Excel's NPV of calendar-year flows"
    );
    let summary = |b: &report::xlsx::Book| {
        let v = report::xlsx::evaluate(b).unwrap();
        let (dscr, prin, llcr, year) = (&v["dscr"], &v["senior_principal"], &v["llcr"], &v["year"]);
        let min_of = |xs: &mut dyn Iterator<Item = f64>| {
            xs.filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min)
        };
        let min_dscr = min_of(
            &mut dscr
                .iter()
                .zip(prin)
                .filter(|(_, p)| **p > 0.0)
                .map(|(d, _)| *d),
        );
        let min_llcr = min_of(&mut llcr.iter().copied());
        let mut annual: Vec<f64> = Vec::new();
        for (t, cf) in v["project_cf_after_tax"].iter().enumerate() {
            if t == 0 || year[t] != year[t - 1] {
                annual.push(0.0);
            }
            *annual.last_mut().unwrap() += cf;
        }
        let rate = case("base").npv_rate_pct / 100.0;
        let npv = finance::tvm::npv_excel(rate, &annual);
        let locks = v["lock_up"].iter().filter(|x| **x > 0.5).count();
        (npv, min_dscr, min_llcr, locks)
    };
    let close = |what: &str, got: f64, want: Option<f64>| {
        let want = want.unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{what}: workbook {got}, manto {want}"
        );
    };
    let check = |b: &report::xlsx::Book, name: &str| {
        let (npv, min_dscr, min_llcr, locks) = summary(b);
        let c = case(name);
        close(&format!("{name}: NPV"), npv, Some(c.npv_usd));
        close(&format!("{name}: min DSCR"), min_dscr, c.min_dscr);
        close(&format!("{name}: min LLCR"), min_llcr, c.min_llcr);
        assert_eq!(locks, c.lock_up_quarters, "{name}: lock-up quarters");
    };
    check(&base, "base");
    type Pick = fn(&str) -> bool;
    let price: Pick = |key| {
        key.starts_with("finance.revenue.")
            && key.contains(".price_usd_per_")
            && (key.ends_with("price_usd_per_lb")
                || key.ends_with("price_usd_per_t")
                || key.ends_with("].value"))
    };
    let opex: Pick = |key| {
        OPEX_RATES
            .iter()
            .any(|k| key == format!("finance.opex.{k}"))
    };
    let capex: Pick = |key| key == "finance.capex.overrun_pct";
    for (name, factor, pick, at_least) in [
        ("price_-10", 0.9, price, 4),
        ("opex_+10", 1.1, opex, 11),
        ("capex_+10", 1.1, capex, 1),
    ] {
        let mut b = base.clone();
        let mut scaled = 0;
        for (key, value) in b.inputs.iter_mut() {
            if pick(key) {
                let x = report::xlsx::input_value(value);
                // manto's capex cases scale the capital with its overrun:
                // (1 + overrun) × factor − 1.
                let y = if name.starts_with("capex") {
                    ((1.0 + x / 100.0) * factor - 1.0) * 100.0
                } else {
                    x * factor
                };
                *value = serde_json::Value::from(y);
                scaled += 1;
            }
        }
        assert!(scaled >= at_least, "{name}: {scaled} inputs scaled");
        check(&b, name);
        // Not the base case any more: the comparison can fail.
        let (npv, ..) = summary(&b);
        assert!(npv < case("base").npv_usd - 1e6, "{name}");
    }
    // The metal produced 10% lower on Production: production_-10.
    let mut b = base.clone();
    for row in b.rows.iter_mut() {
        if ["prod_cu", "prod_co", "prod_znso4", "prod_mnco3"].contains(&row.key.as_str()) {
            if let report::xlsx::RowKind::Input(v, _) = &mut row.kind {
                v.iter_mut().for_each(|x| *x *= 0.9);
            }
        }
    }
    check(&b, "production_-10");
}

/// The operating unit costs `manto cases` scales in its `opex_+10` case.
const OPEX_RATES: [&str; 11] = [
    "underground_usd_per_dry_t",
    "open_pit_usd_per_dry_t",
    "wage_mxn_per_shift",
    "usd_per_bolt",
    "usd_per_m_advance",
    "mine_overhead_usd_per_person_year",
    "processing_usd_per_dry_t",
    "acid_usd_per_t",
    "limestone_usd_per_t",
    "power_usd_per_kwh",
    "g_and_a_usd_per_year",
];

/// The circular-reference check can fail: two rows that read each other in the same
/// quarter are found (a row that reads its own previous quarter is not circular).
#[test]
fn a_circular_reference_is_found() {
    use report::xlsx::expr::{b::*, Expr};
    let mut b = report::xlsx::book(study()).unwrap();
    assert!(report::xlsx::circular(&b).is_empty());
    let row = |key: &str, e: Expr| report::xlsx::Row {
        key: key.into(),
        label: key.into(),
        unit: "US$",
        sheet: report::xlsx::Sheet::Calculations,
        kind: report::xlsx::RowKind::Live(e),
        manto: None,
        manto_key: None,
    };
    b.rows
        .push(row("running", add(prev("running"), r("cfads"))));
    assert!(report::xlsx::circular(&b).is_empty());
    b.rows.push(row("loop_a", add(r("loop_b"), r("cfads"))));
    b.rows.push(row("loop_b", mul(r("loop_a"), c(2.0))));
    let found = report::xlsx::circular(&b);
    assert!(
        !found.is_empty() && found.iter().all(|k| k.starts_with("loop_")),
        "{found:?}"
    );
}

/// The book refuses what Excel could not compute: a formula naming a row, an input or a
/// by-year row the book does not have is listed (and `book` refuses the book), and a
/// recalculation that has not settled in its passes is an error, not a silent answer.
#[test]
fn unknown_references_and_unsettled_recalculation_are_errors() {
    use report::xlsx::expr::{b::*, Expr};
    let mut b = report::xlsx::book(study()).unwrap();
    assert!(report::xlsx::unknown_references(&b).is_empty());
    assert!(report::xlsx::evaluate(&b).is_ok());
    let row = |key: &str, e: Expr| report::xlsx::Row {
        key: key.into(),
        label: key.into(),
        unit: "US$",
        sheet: report::xlsx::Sheet::Calculations,
        kind: report::xlsx::RowKind::Live(e),
        manto: None,
        manto_key: None,
    };
    let mut broken = b.clone();
    broken.rows.push(row(
        "typo",
        add(
            r("cfads_typo"),
            add(prev("cfads"), input("finance.no_such_key")),
        ),
    ));
    broken
        .rows
        .push(row("old", add(prev("no_such_row"), deck("no_such_deck"))));
    assert_eq!(
        report::xlsx::unknown_references(&broken),
        [
            "old -> by-year row `no_such_deck`",
            "old -> row `no_such_row`",
            "typo -> input `finance.no_such_key`",
            "typo -> row `cfads_typo`",
        ]
    );
    // A row that reads its own next quarter settles one quarter a pass: with more quarters
    // than passes, the evaluation stops unsettled and says which row.
    assert!(b.n > 8, "{}", b.n);
    b.rows
        .push(row("ahead", add(Expr::Next("ahead".into(), 0.0), c(1.0))));
    match report::xlsx::evaluate(&b) {
        Err(report::xlsx::BookError::NotConverged { rows, .. }) => assert_eq!(rows, ["ahead"]),
        other => panic!("expected NotConverged, got {:?}", other.map(|v| v.len())),
    }
}

/// A viewer that does not recalculate sees the numbers: every formula carries the value the
/// workbook computes. On Outputs each NPV formula stores manto's NPV, and on Calculations
/// the CFADS row stores manto's CFADS quarter by quarter.
#[test]
fn formulas_store_their_values() {
    let st = study();
    let files = unzip(&report::xlsx::render(st).unwrap());
    let cells = |sheet: &str| -> Vec<(String, String)> {
        let xml = &files[&format!("xl/worksheets/{sheet}.xml")];
        xml.split("<c r=\"")
            .skip(1)
            .filter_map(|c| {
                let f = c.split("<f>").nth(1)?.split("</f>").next()?.to_string();
                let v = c.split("<v>").nth(1)?.split("</v>").next()?.to_string();
                Some((f, v))
            })
            .collect()
    };
    let npv: Vec<f64> = cells("sheet6")
        .iter()
        .filter(|(f, _)| f.starts_with("NPV(") && f.contains("Discount_rate"))
        .map(|(_, v)| v.parse().unwrap())
        .collect();
    let m = &st.run.finance.metrics;
    assert_eq!(npv.len(), 3 * m.npv.len(), "{npv:?}");
    for x in &npv {
        assert!(
            m.npv.iter().any(
                |n| [n.project_after_tax_usd, n.project_pre_tax_usd, n.equity_usd].contains(x)
            ),
            "{x} is not one of manto's NPVs"
        );
    }
    let b = report::xlsx::book(st).unwrap();
    let cfads_row = b
        .rows
        .iter()
        .filter(|r| r.sheet == report::xlsx::Sheet::Calculations)
        .position(|r| r.key == "cfads")
        .unwrap();
    let row_ref = format!("{}", cfads_row + 4);
    let xml = &files["xl/worksheets/sheet5.xml"];
    let stored: Vec<f64> = xml
        .split("<c r=\"")
        .skip(1)
        .filter(|c| {
            let r: String = c
                .chars()
                .skip_while(|ch| ch.is_ascii_uppercase())
                .take_while(|ch| ch.is_ascii_digit())
                .collect();
            r == row_ref && c.contains("<f>")
        })
        .map(|c| {
            c.split("<v>")
                .nth(1)
                .unwrap()
                .split("</v>")
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let manto: Vec<f64> = st
        .run
        .finance
        .quarterly
        .iter()
        .map(|p| p.cfads_usd)
        .collect();
    assert_eq!(stored.len(), manto.len());
    for (t, (a, b)) in stored.iter().zip(&manto).enumerate() {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1e3),
            "quarter {t}: stored {a}, manto {b}"
        );
    }
}

/// The dates are live: the start year one later on `Inputs` moves the calendar years, the
/// prices, rates, IVA and IETU regimes of each year with it. manto sizes the debt of the
/// later project afresh; with that sizing pasted (the signed amounts, the repayment
/// profiles and the DSRA target, the book's only pasted numbers), the book is manto's own
/// run of the scenario started a year later, every live row in every quarter.
#[test]
fn the_start_year_is_live() {
    let base = report::xlsx::book(study()).unwrap();
    let later = short_study(&["finance.timing.start_year=2009"]);
    assert_eq!(study().finance.timing.start_year + 1, 2009);
    let want = report::xlsx::book(&later).unwrap();
    // The later run's numbers, row by row, to compare a book with; its pasted rows pasted.
    let against_later = |mut b: report::xlsx::Book, paste: bool| {
        for (row, w) in b.rows.iter_mut().zip(&want.rows) {
            assert_eq!(row.key, w.key);
            row.manto = w.manto.clone();
            if paste && (row.key == "dsra_target" || row.key.ends_with("_share")) {
                row.kind = w.kind.clone();
            }
        }
        if paste {
            for (k, v, _) in &want.outputs {
                b.inputs.insert(k.clone(), serde_json::Value::from(*v));
            }
        }
        live_rows_against_manto(&b, 1e-9)
    };
    let mut moved = base.clone();
    moved.inputs.insert(
        "finance.timing.start_year".into(),
        serde_json::Value::from(2009),
    );
    let (checked, bad) = against_later(moved, true);
    assert!(bad.is_empty(), "{}", bad[..bad.len().min(20)].join("\n"));
    assert!(checked >= 100, "{checked}");
    // And not by accident: the unmoved book differs from the later run.
    assert!(!against_later(base, true).1.is_empty());
}

/// A cell reference's column (`AB` → 27), or None.
fn column_number(letters: &str) -> u32 {
    letters
        .bytes()
        .fold(0, |n, b| n * 26 + u32::from(b - b'A' + 1))
}

/// A formula with every relative column reference written as an offset from `col` (R1C1
/// style for columns): the same text in every column means the same formula.
fn relative(formula: &str, col: u32) -> String {
    let b = formula.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_uppercase()
            && (i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'$'));
        if starts {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_uppercase() {
                j += 1;
            }
            let mut k = j;
            if k < b.len() && b[k] == b'$' {
                k += 1;
            }
            let d0 = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            let is_ref = k > d0
                && j - i <= 3
                && (k == b.len()
                    || !(b[k].is_ascii_alphanumeric() || b[k] == b'_' || b[k] == b'('));
            if is_ref {
                let c = column_number(&formula[i..j]) as i64 - i64::from(col);
                out.push_str(&format!("C[{c}]{}", &formula[j..k]));
                i = k;
                continue;
            }
            out.push_str(&formula[i..j]);
            i = j;
            continue;
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

/// FAST: one formula per row, the same in every quarter, first and last included (the blank
/// columns either side of the timeline stand in for the quarters before and after).
#[test]
fn one_formula_per_row_in_every_quarter() {
    assert_eq!(relative("E4+1", 5), "C[0]4+1");
    assert_eq!(
        relative("IF(D9>0,MIN($E$3,Time!F4),NPV(x,OFFSET(E7,0,0,1,2)))", 5),
        "IF(C[-1]9>0,MIN($E$3,Time!C[1]4),NPV(x,OFFSET(C[0]7,0,0,1,2)))"
    );
    let files = unzip(&report::xlsx::render(study()).unwrap());
    let mut rows_checked = 0;
    for sheet in ["sheet3", "sheet5"] {
        let xml = &files[&format!("xl/worksheets/{sheet}.xml")];
        let mut by_row: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
        for c in xml.split("<c r=\"").skip(1) {
            let Some(f) = c.split("<f>").nth(1).and_then(|x| x.split("</f>").next()) else {
                continue;
            };
            let letters: String = c.chars().take_while(|ch| ch.is_ascii_uppercase()).collect();
            let row: u32 = c[letters.len()..]
                .chars()
                .take_while(|ch| ch.is_ascii_digit())
                .collect::<String>()
                .parse()
                .unwrap();
            if row <= 3 {
                continue; // the quarter labels
            }
            let f = f
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
            by_row
                .entry(row)
                .or_default()
                .push(relative(&f, column_number(&letters)));
        }
        for (row, fs) in by_row {
            assert!(
                fs.iter().all(|f| *f == fs[0]),
                "{sheet} row {row}: {} differs from {}",
                fs.iter().find(|f| **f != fs[0]).unwrap(),
                fs[0]
            );
            rows_checked += 1;
        }
    }
    assert!(rows_checked > 250, "{rows_checked}");
}
