//! Charts as inline SVG, drawn with `plotters` (SVG backend only, no fonts loaded: text is
//! left to the browser as SVG `<text>`), each with its numbers as an HTML table beside it.
//!
//! The kinds the report needs: bars (stacked, vertical or horizontal, with optional
//! overlay lines), lines (with optional horizontal reference lines such as covenants), a
//! Gantt chart (spells on a time axis, one row per machine), and for the risk study a
//! histogram (bins on a value axis), a tornado (bars either side of the base case) and a
//! fan (a shaded P10-P90 band around the P50, with reference lines).

use super::esc;
use crate::Cell;
use plotters::prelude::*;

/// Chart size in SVG user units (the SVG scales to the page width).
const W: u32 = 820;
const H: u32 = 400;
/// Data tables longer than this are left out of print.
const PRINT_ROWS: usize = 40;
/// Width of the legend panel at the right of the plot.
const LEGEND_W: u32 = 220;
/// Most series a data table shows as columns; with more series than categories it is
/// written one row per series instead (it would scroll sideways).
const TABLE_COLUMNS: usize = 6;
/// Characters of a legend line that fit in the panel beside the swatch (15 px sans-serif,
/// about 8 px a character, in the panel's 190 px).
const LEGEND_CHARS: usize = 22;

/// `text` in lines of at most `width` characters, broken at spaces (a longer word keeps
/// its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A colour-blind-safe palette (Okabe-Ito, then Tol's muted), in series order.
pub const PALETTE: [(u8, u8, u8); 12] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (213, 94, 0),
    (86, 180, 233),
    (204, 121, 167),
    (240, 228, 66),
    (0, 0, 0),
    (136, 34, 85),
    (153, 153, 51),
    (68, 119, 170),
    (170, 170, 170),
];

fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// One named series of values, one per category or x position.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend and table heading.
    pub name: String,
    /// Values (NaN: no value, drawn as a gap and shown as "n/a").
    pub values: Vec<f64>,
}

impl Series {
    /// A series.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Series {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// What is drawn.
#[derive(Clone, Debug)]
pub enum Kind {
    /// Stacked bars per category; `overlay` series are drawn as lines over them.
    Bars {
        /// Bars run left to right, categories down the y axis.
        horizontal: bool,
        /// Lines over the bars (e.g. the plant's target).
        overlay: Vec<Series>,
    },
    /// Lines over `x`, with horizontal reference lines (name, value).
    Lines {
        /// Reference lines, e.g. covenants.
        hlines: Vec<(String, f64)>,
    },
    /// Spells per row: (row, colour index, start, end); `legend` names the colours.
    Gantt {
        /// Every spell.
        spells: Vec<(usize, usize, f64, f64)>,
        /// Colour index to name, for the legend.
        legend: Vec<(usize, String)>,
    },
    /// A histogram: `series[0]` holds each bin's count, `bins` its (low, high) edges on the
    /// x axis; `marks` are vertical reference lines (name, x), e.g. zero and the base case.
    Histogram {
        /// Bin edges, one per category.
        bins: Vec<(f64, f64)>,
        /// Vertical reference lines.
        marks: Vec<(String, f64)>,
    },
    /// A tornado: one row per category (largest first, at the top), a bar from `base` to
    /// each series' value (the output with the input at its P10, at its P90).
    Tornado {
        /// The output at the base case, where the bars start.
        base: f64,
        /// Legend name of the base line.
        base_label: String,
    },
    /// A fan over `x`: `series[0]` low, `series[1]` middle, `series[2]` high, the band
    /// between low and high shaded; horizontal reference lines (name, value).
    Fan {
        /// Reference lines, e.g. covenants.
        hlines: Vec<(String, f64)>,
        /// Values above this are drawn at it (the table keeps them): a ratio in a year
        /// with little debt service left can be huge and would flatten the rest.
        y_max: Option<f64>,
    },
    /// Percentile bars per category (a schedule-risk Gantt). `series` hold, per row, the
    /// plan's start and finish, the start's P10 and P90 and the finish's P10, P50 and P90
    /// (x units, e.g. days; NaN: not drawn): a light band from the start's P10 to the
    /// finish's P90, the plan as a bar, the finish's P10-P90 as a dark band and its P50 as a
    /// tick.
    Ranges,
    /// Lines (a fan with `band`) over `x` with horizontal and vertical reference lines
    /// (name, value), the x range widened to show every vertical line: an actual on its
    /// S-curve or its fan chart.
    Marked {
        /// Horizontal reference lines.
        hlines: Vec<(String, f64)>,
        /// Vertical reference lines.
        vlines: Vec<(String, f64)>,
        /// Shade the band between the first and the third series.
        band: bool,
    },
}

/// A chart and its data table.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Element id (`chart-ID`), stable: the browser check looks for it.
    pub id: &'static str,
    /// Title shown above the chart.
    pub title: String,
    /// X axis label with its unit.
    pub x_label: String,
    /// Y axis label with its unit.
    pub y_label: String,
    /// Category labels (bars, Gantt rows) or x values' labels (lines).
    pub categories: Vec<String>,
    /// X positions of the categories for lines (e.g. years); ignored for bars.
    pub x: Vec<f64>,
    /// Data series.
    pub series: Vec<Series>,
    /// What is drawn.
    pub kind: Kind,
    /// Decimals in the data table.
    pub decimals: usize,
    /// A sentence under the chart (what it shows, where the numbers come from).
    pub note: String,
}

impl Chart {
    /// The `<figure>`: title, SVG, note and the data table beside it.
    pub fn html(&self) -> Result<String, String> {
        let svg = self.svg()?;
        let mut out = String::new();
        // A table of more than four numeric columns goes under the plot, full width, instead
        // of scrolling sideways in the narrow column beside it.
        let columns = match &self.kind {
            Kind::Gantt { .. } => 3,
            Kind::Bars { overlay, .. } => self.series.len() + overlay.len(),
            _ => self.series.len(),
        };
        let columns = if columns > TABLE_COLUMNS && columns > self.categories.len() {
            self.categories.len()
        } else {
            columns
        };
        out.push_str(&format!(
            "<figure class=\"chart{}\" id=\"chart-{}\">\n<figcaption>{}</figcaption>\n<div class=\"plot\" role=\"img\" aria-label=\"{}\">{}</div>\n",
            if columns > 4 { " wide" } else { "" },
            self.id,
            esc(&self.title),
            esc(&self.title),
            svg
        ));
        // Long tables (quarterly series, a shift's spells) stay on screen and in the file,
        // and are left out of print, which says where they are.
        let rows = match &self.kind {
            Kind::Gantt { spells, .. } => spells.len(),
            _ => self.categories.len(),
        };
        let long = rows > PRINT_ROWS;
        out.push_str(&format!(
            "<div class=\"data{}\"><table class=\"chart-data\" id=\"data-{}\">{}</table></div>\n",
            if long { " long" } else { "" },
            self.id,
            self.table_html()
        ));
        if long {
            out.push_str(&format!(
                "<p class=\"note print-only\">The {rows} rows of numbers behind this chart are in the HTML file beside it (and in manto's JSON).</p>\n"
            ));
        }
        if !self.note.is_empty() {
            out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(&self.note)));
        }
        out.push_str("</figure>\n");
        Ok(out)
    }

    /// The chart's numbers: one row per category, one column per series.
    fn table_html(&self) -> String {
        let mut out = format!(
            "<caption>{} (numbers)</caption>\n<thead><tr>",
            esc(&self.title)
        );
        let first = match &self.kind {
            Kind::Bars {
                horizontal: true, ..
            }
            | Kind::Tornado { .. }
            | Kind::Ranges => &self.y_label,
            _ => &self.x_label,
        };
        out.push_str(&format!("<th scope=\"col\">{}</th>", esc(first)));
        let mut cols: Vec<&Series> = self.series.iter().collect();
        if let Kind::Bars { overlay, .. } = &self.kind {
            cols.extend(overlay.iter());
        }
        if let Kind::Gantt { .. } = &self.kind {
            out.push_str("<th scope=\"col\">state</th><th scope=\"col\">start, min</th><th scope=\"col\">end, min</th></tr></thead>\n<tbody>\n");
            if let Kind::Gantt { spells, legend } = &self.kind {
                for (row, c, a, b) in spells {
                    let name = legend
                        .iter()
                        .find(|l| l.0 == *c)
                        .map_or("", |l| l.1.as_str());
                    out.push_str(&format!(
                        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        esc(&self.categories[*row]),
                        esc(name),
                        Cell::Num(*a, 1).display(),
                        Cell::Num(*b, 1).display()
                    ));
                }
            }
            out.push_str("</tbody>");
            return out;
        }
        // More series than categories (sources and uses: a dozen lines, two bars) reads
        // across, one row per series, so the table fits its column instead of scrolling
        // sideways.
        if cols.len() > TABLE_COLUMNS && cols.len() > self.categories.len() {
            out.truncate(out.rfind("<th scope=\"col\">").unwrap_or(out.len()));
            out.push_str("<th scope=\"col\">series</th>");
            for c in &self.categories {
                out.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for s in &cols {
                out.push_str(&format!("<tr><th scope=\"row\">{}</th>", esc(&s.name)));
                for i in 0..self.categories.len() {
                    let v = s.values.get(i).copied().unwrap_or(f64::NAN);
                    let cell = if v.is_finite() {
                        Cell::Num(v, self.decimals)
                    } else {
                        Cell::Missing
                    };
                    out.push_str(&format!(
                        "<td data-value=\"{}\">{}</td>",
                        cell.raw(),
                        cell.display()
                    ));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>");
            return out;
        }
        for s in &cols {
            out.push_str(&format!("<th scope=\"col\">{}</th>", esc(&s.name)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (i, c) in self.categories.iter().enumerate() {
            out.push_str(&format!("<tr><th scope=\"row\">{}</th>", esc(c)));
            for s in &cols {
                let v = s.values.get(i).copied().unwrap_or(f64::NAN);
                let cell = if v.is_finite() {
                    Cell::Num(v, self.decimals)
                } else {
                    Cell::Missing
                };
                out.push_str(&format!(
                    "<td data-value=\"{}\">{}</td>",
                    cell.raw(),
                    cell.display()
                ));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>");
        out
    }

    /// The SVG text.
    pub fn svg(&self) -> Result<String, String> {
        let mut buf = String::new();
        {
            let full = SVGBackend::with_string(&mut buf, (W, H)).into_drawing_area();
            full.fill(&WHITE).map_err(|e| e.to_string())?;
            let (root, side) = full.split_horizontally(W - LEGEND_W);
            self.legend(&side).map_err(|e| e.to_string())?;
            match &self.kind {
                Kind::Bars {
                    horizontal,
                    overlay,
                } => self.bars(&root, *horizontal, overlay),
                Kind::Lines { hlines } => self.lines(&root, hlines),
                Kind::Gantt { spells, legend } => self.gantt(&root, spells, legend),
                Kind::Histogram { bins, marks } => self.histogram(&root, bins, marks),
                Kind::Tornado { base, .. } => self.tornado(&root, *base),
                Kind::Ranges => self.ranges(&root),
                Kind::Fan { hlines, y_max } => self.lines_band(&root, hlines, true, *y_max),
                Kind::Marked {
                    hlines,
                    vlines,
                    band,
                } => self.lines_marked(&root, hlines, vlines, *band),
            }
            .map_err(|e| format!("chart {}: {e}", self.id))?;
            full.present().map_err(|e| e.to_string())?;
        }
        // plotters writes a fixed-size root element; let CSS scale it to the page.
        Ok(buf.replacen(
            &format!("<svg width=\"{W}\" height=\"{H}\""),
            &format!("<svg class=\"svg\" width=\"{W}\" height=\"{H}\" preserveAspectRatio=\"xMidYMid meet\""),
            1,
        ))
    }

    /// Legend entries: name, colour index, drawn as a line (else a box). The series take
    /// colours 0, 1, ...; the reference lines (overlays, covenants, marks) the next ones.
    fn legend_entries(&self) -> Vec<(String, usize, bool)> {
        let series = |line: bool| {
            self.series
                .iter()
                .enumerate()
                .map(move |(k, s)| (s.name.clone(), k, line))
        };
        let n = self.series.len();
        let after = |names: Vec<String>| {
            names
                .into_iter()
                .enumerate()
                .map(move |(k, name)| (name, n + k, true))
        };
        match &self.kind {
            Kind::Bars { overlay, .. } => series(false)
                .chain(after(overlay.iter().map(|s| s.name.clone()).collect()))
                .collect(),
            Kind::Lines { hlines } | Kind::Fan { hlines, .. } => series(true)
                .chain(after(hlines.iter().map(|h| h.0.clone()).collect()))
                .collect(),
            Kind::Gantt { legend, .. } => legend
                .iter()
                .map(|(c, name)| (name.clone(), *c, false))
                .collect(),
            Kind::Histogram { marks, .. } => series(false)
                .chain(after(marks.iter().map(|m| m.0.clone()).collect()))
                .collect(),
            Kind::Tornado { base_label, .. } => series(false)
                .chain([(base_label.clone(), TORNADO_BASE_COLOUR, true)])
                .collect(),
            Kind::Ranges => RANGES_LEGEND
                .iter()
                .map(|&(name, c, line)| (name.to_string(), c, line))
                .collect(),
            Kind::Marked { hlines, vlines, .. } => series(true)
                .chain(after(
                    hlines.iter().chain(vlines).map(|h| h.0.clone()).collect(),
                ))
                .collect(),
        }
    }

    /// The legend, in its own panel right of the plot (so it never hides data).
    fn legend(
        &self,
        side: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
        // 15 px, or 12 px when the wrapped entries would run past the panel's foot.
        let entries = self.legend_entries();
        let height = |chars: usize, step: i32, wrap_step: i32| -> i32 {
            entries
                .iter()
                .map(|(n, _, _)| step + wrap_step * (wrap(n, chars).len() as i32 - 1))
                .sum()
        };
        let (size, chars, step, wrap_step) = if 50 + height(LEGEND_CHARS, 22, 17) <= H as i32 - 10 {
            (15, LEGEND_CHARS, 22, 17)
        } else {
            (12, LEGEND_CHARS * 5 / 4, 17, 13)
        };
        let font = ("sans-serif", size).into_font().color(&BLACK);
        let mut y = 50;
        for (name, c, line) in entries {
            let col = colour(c);
            if line {
                side.draw(&PathElement::new(
                    vec![(6, y), (24, y)],
                    ShapeStyle::from(&col).stroke_width(3),
                ))?;
            } else {
                side.draw(&Rectangle::new([(8, y - 6), (22, y + 6)], col.filled()))?;
            }
            // A long name wraps at word boundaries instead of running out of the panel.
            let lines = wrap(&name, chars);
            for (k, l) in lines.iter().enumerate() {
                side.draw(&Text::new(
                    l.clone(),
                    (30, y - size / 2 - 1 + wrap_step * k as i32),
                    font.clone(),
                ))?;
            }
            y += step + wrap_step * (lines.len() as i32 - 1);
        }
        Ok(())
    }

    fn bars(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        horizontal: bool,
        overlay: &[Series],
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        let n = self.categories.len();
        let mut top: f64 = 0.0;
        let mut bottom: f64 = 0.0;
        for i in 0..n {
            let (pos, neg) = self.series.iter().fold((0.0, 0.0), |(p, m), s| {
                let v = s.values.get(i).copied().unwrap_or(0.0);
                let v = if v.is_finite() { v } else { 0.0 };
                if v >= 0.0 {
                    (p + v, m)
                } else {
                    (p, m + v)
                }
            });
            top = top.max(pos);
            bottom = bottom.min(neg);
        }
        for s in overlay {
            for v in s.values.iter().filter(|v| v.is_finite()) {
                top = top.max(*v);
                bottom = bottom.min(*v);
            }
        }
        let span = (top - bottom).max(1e-9);
        let (lo, hi) = (
            bottom - 0.02 * span * f64::from(bottom < 0.0),
            top + 0.08 * span,
        );
        let cats = &self.categories;
        let label = |v: &f64| -> String {
            let r = v.round();
            if (v - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < cats.len() {
                cats[r as usize].clone()
            } else {
                String::new()
            }
        };
        let step = n.div_ceil(25).max(1);
        let cat_label = |v: &f64| -> String {
            let r = v.round();
            if (r as usize).checked_rem(step) == Some(0) {
                label(v)
            } else {
                String::new()
            }
        };
        let caption = ("sans-serif", 22);
        if horizontal {
            let mut chart = ChartBuilder::on(root)
                .caption(&self.title, caption)
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(150)
                .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))?;
            chart
                .configure_mesh()
                .max_light_lines(1)
                .label_style(("sans-serif", 16))
                .axis_desc_style(("sans-serif", 17))
                .disable_y_mesh()
                .y_labels(n.max(2))
                .y_label_formatter(&label)
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .draw()?;
            for (k, s) in self.series.iter().enumerate() {
                let col = colour(k);
                let rects: Vec<_> = (0..n)
                    .map(|i| {
                        let before: f64 = self.series[..k]
                            .iter()
                            .map(|p| finite(p.values.get(i)))
                            .sum();
                        let v = finite(s.values.get(i));
                        Rectangle::new(
                            [(before, i as f64 - 0.35), (before + v, i as f64 + 0.35)],
                            col.filled(),
                        )
                    })
                    .collect();
                chart.draw_series(rects)?;
            }
        } else {
            let mut chart = ChartBuilder::on(root)
                .caption(&self.title, caption)
                .margin(10)
                .x_label_area_size(45)
                .y_label_area_size(70)
                .build_cartesian_2d(-0.5..(n as f64 - 0.5), lo..hi)?;
            chart
                .configure_mesh()
                .max_light_lines(1)
                .label_style(("sans-serif", 16))
                .axis_desc_style(("sans-serif", 17))
                .disable_x_mesh()
                .x_labels(n.clamp(2, 26))
                .x_label_formatter(&cat_label)
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .draw()?;
            let width = if n > 40 { 0.45 } else { 0.38 };
            for (k, s) in self.series.iter().enumerate() {
                let col = colour(k);
                let rects: Vec<_> = (0..n)
                    .map(|i| {
                        let v = finite(s.values.get(i));
                        let before: f64 = self.series[..k]
                            .iter()
                            .map(|p| finite(p.values.get(i)))
                            .filter(|b| (*b >= 0.0) == (v >= 0.0))
                            .sum();
                        Rectangle::new(
                            [(i as f64 - width, before), (i as f64 + width, before + v)],
                            col.filled(),
                        )
                    })
                    .collect();
                chart.draw_series(rects)?;
            }
            for (k, s) in overlay.iter().enumerate() {
                let col = colour(self.series.len() + k);
                let style = ShapeStyle::from(&col).stroke_width(2);
                chart.draw_series(LineSeries::new(
                    s.values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_finite())
                        .map(|(i, v)| (i as f64, *v)),
                    style,
                ))?;
            }
        }
        Ok(())
    }

    fn lines(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        hlines: &[(String, f64)],
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        self.lines_band(root, hlines, false, None)
    }

    fn lines_marked(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        hlines: &[(String, f64)],
        vlines: &[(String, f64)],
        band: bool,
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        self.lines_band_v(root, hlines, vlines, band, None)
    }

    /// Lines, and with `band` the area between the first and the third series shaded (in
    /// runs where both are defined).
    fn lines_band(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        hlines: &[(String, f64)],
        band: bool,
        y_max: Option<f64>,
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        self.lines_band_v(root, hlines, &[], band, y_max)
    }

    /// [`Self::lines_band`] with vertical reference lines too.
    fn lines_band_v(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        hlines: &[(String, f64)],
        vlines: &[(String, f64)],
        band: bool,
        y_max: Option<f64>,
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        let cap = |v: f64| y_max.map_or(v, |m| v.min(m));
        let xs = &self.x;
        let (x0, x1) = xs
            .iter()
            .chain(vlines.iter().map(|v| &v.1))
            .filter(|x| x.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        let (x0, x1) = if x0 < x1 { (x0, x1) } else { (0.0, 1.0) };
        let mut lo: f64 = 0.0;
        let mut hi: f64 = f64::NEG_INFINITY;
        for v in self
            .series
            .iter()
            .flat_map(|s| s.values.iter())
            .chain(hlines.iter().map(|h| &h.1))
            .filter(|v| v.is_finite())
        {
            lo = lo.min(cap(*v));
            hi = hi.max(cap(*v));
        }
        if !hi.is_finite() || hi <= lo {
            hi = lo + 1.0;
        }
        let span = hi - lo;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, lo..hi + 0.08 * span)?;
        chart
            .configure_mesh()
            .max_light_lines(1)
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 17))
            .x_labels(12)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .draw()?;
        if let (true, Some(low), Some(high)) = (band, self.series.first(), self.series.get(2)) {
            let fill = colour(BAND_COLOUR).mix(0.18).filled();
            let mut run: Vec<(f64, f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (i, x) in xs.iter().enumerate() {
                let (a, b) = (
                    low.values.get(i).copied().unwrap_or(f64::NAN),
                    high.values.get(i).copied().unwrap_or(f64::NAN),
                );
                if a.is_finite() && b.is_finite() {
                    run.push((*x, cap(a), cap(b)));
                } else if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
            runs.push(run);
            for run in runs.into_iter().filter(|r| r.len() > 1) {
                let mut pts: Vec<(f64, f64)> = run.iter().map(|p| (p.0, p.1)).collect();
                pts.extend(run.iter().rev().map(|p| (p.0, p.2)));
                chart.draw_series(std::iter::once(Polygon::new(pts, fill)))?;
            }
        }
        for (k, s) in self.series.iter().enumerate() {
            let style = ShapeStyle::from(&colour(k)).stroke_width(2);
            // Gaps (NaN) split the line into runs.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (x, v) in xs.iter().zip(&s.values) {
                if v.is_finite() {
                    runs.last_mut().expect("one run").push((*x, cap(*v)));
                } else if !runs.last().expect("one run").is_empty() {
                    runs.push(Vec::new());
                }
            }
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                chart.draw_series(LineSeries::new(run, style))?;
            }
        }
        for (k, (_, v)) in hlines.iter().enumerate() {
            let col = colour(self.series.len() + k);
            let style = ShapeStyle::from(&col).stroke_width(1);
            chart.draw_series(DashedLineSeries::new(vec![(x0, *v), (x1, *v)], 6, 4, style))?;
        }
        for (k, (_, v)) in vlines.iter().enumerate() {
            let col = colour(self.series.len() + hlines.len() + k);
            let style = ShapeStyle::from(&col).stroke_width(2);
            let top = hi + 0.08 * span;
            chart.draw_series(DashedLineSeries::new(
                vec![(*v, lo), (*v, top)],
                6,
                4,
                style,
            ))?;
        }
        Ok(())
    }

    fn gantt(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        spells: &[(usize, usize, f64, f64)],
        names: &[(usize, String)],
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        let n = self.categories.len();
        let end = spells.iter().map(|s| s.3).fold(1.0, f64::max);
        let cats = &self.categories;
        let label = |v: &f64| -> String {
            let r = v.round();
            if (v - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < cats.len() {
                cats[r as usize].clone()
            } else {
                String::new()
            }
        };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..end, (n as f64 - 0.5)..-0.5)?;
        chart
            .configure_mesh()
            .max_light_lines(1)
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 17))
            .disable_y_mesh()
            .y_labels(n.max(2))
            .y_label_formatter(&label)
            .x_labels(10)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .draw()?;
        for (c, _) in names {
            let col = colour(*c);
            let rects: Vec<_> = spells
                .iter()
                .filter(|s| s.1 == *c)
                .map(|s| {
                    Rectangle::new(
                        [(s.2, s.0 as f64 - 0.38), (s.3, s.0 as f64 + 0.38)],
                        col.filled(),
                    )
                })
                .collect();
            chart.draw_series(rects)?;
        }
        Ok(())
    }
}

/// The percentile Gantt's legend: name, colour, drawn as a line.
const RANGES_LEGEND: [(&str, usize, bool); 4] = [
    ("start P10 to finish P90", 4, false),
    ("plan (CPM early dates)", 0, false),
    ("finish P10 to P90", 3, false),
    ("finish P50", 7, true),
];

impl Chart {
    fn ranges(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        let n = self.categories.len();
        let v = |k: usize, i: usize| -> f64 {
            self.series
                .get(k)
                .and_then(|s| s.values.get(i))
                .copied()
                .unwrap_or(f64::NAN)
        };
        let end = (0..n)
            .flat_map(|i| [v(1, i), v(6, i)])
            .filter(|x| x.is_finite())
            .fold(1.0, f64::max);
        let cats = &self.categories;
        let label = |y: &f64| -> String {
            let r = y.round();
            if (y - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < cats.len() {
                cats[r as usize].clone()
            } else {
                String::new()
            }
        };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(220)
            .build_cartesian_2d(0.0..end * 1.02, (n as f64 - 0.5)..-0.5)?;
        chart
            .configure_mesh()
            .max_light_lines(1)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 17))
            .disable_y_mesh()
            .y_labels(n.max(2))
            .y_label_formatter(&label)
            .x_labels(10)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .draw()?;
        // A zero-length span (a milestone) still shows: at least 0.4% of the axis.
        let min_w = end * 0.004;
        let bars = |from: usize, to: usize, half: f64, c: usize, alpha: f64| {
            (0..n)
                .filter_map(|i| {
                    let (a, b) = (v(from, i), v(to, i));
                    (a.is_finite() && b.is_finite()).then(|| {
                        let y = i as f64;
                        Rectangle::new(
                            [(a, y - half), (b.max(a + min_w), y + half)],
                            colour(c).mix(alpha).filled(),
                        )
                    })
                })
                .collect::<Vec<_>>()
        };
        let [light, plan, finish, p50] = RANGES_LEGEND.map(|l| l.1);
        chart.draw_series(bars(2, 6, 0.38, light, 0.45))?;
        chart.draw_series(bars(0, 1, 0.22, plan, 1.0))?;
        chart.draw_series(bars(4, 6, 0.08, finish, 1.0))?;
        let ticks: Vec<_> = (0..n)
            .filter_map(|i| {
                let x = v(5, i);
                x.is_finite().then(|| {
                    let y = i as f64;
                    Rectangle::new(
                        [(x - min_w / 2.0, y - 0.38), (x + min_w / 2.0, y + 0.38)],
                        colour(p50).filled(),
                    )
                })
            })
            .collect();
        chart.draw_series(ticks)?;
        Ok(())
    }

    fn histogram(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        bins: &[(f64, f64)],
        marks: &[(String, f64)],
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        let counts: &[f64] = self.series.first().map_or(&[], |s| &s.values);
        let (mut x0, mut x1) = bins
            .iter()
            .flat_map(|b| [b.0, b.1])
            .chain(marks.iter().map(|m| m.1))
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
        if !(x0.is_finite() && x1 > x0) {
            let mid = if x0.is_finite() { x0 } else { 0.0 };
            (x0, x1) = (mid - 0.5, mid + 0.5);
        }
        let pad = 0.03 * (x1 - x0);
        let top = counts
            .iter()
            .copied()
            .filter(|c| c.is_finite())
            .fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d((x0 - pad)..(x1 + pad), 0.0..top * 1.08)?;
        chart
            .configure_mesh()
            .max_light_lines(1)
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 17))
            .disable_x_mesh()
            .x_labels(10)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .draw()?;
        let col = colour(0);
        chart.draw_series(
            bins.iter()
                .zip(counts)
                .map(|(b, c)| Rectangle::new([(b.0, 0.0), (b.1, finite(Some(c)))], col.filled())),
        )?;
        // Thin white edges keep neighbouring bins apart.
        chart.draw_series(bins.iter().zip(counts).map(|(b, c)| {
            Rectangle::new(
                [(b.0, 0.0), (b.1, finite(Some(c)))],
                ShapeStyle::from(&WHITE).stroke_width(1),
            )
        }))?;
        for (k, (_, x)) in marks.iter().enumerate() {
            let style = ShapeStyle::from(&colour(self.series.len() + k)).stroke_width(2);
            chart.draw_series(DashedLineSeries::new(
                vec![(*x, 0.0), (*x, top * 1.08)],
                6,
                4,
                style,
            ))?;
        }
        Ok(())
    }

    fn tornado(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        base: f64,
    ) -> Result<(), Box<dyn std::error::Error + '_>> {
        let n = self.categories.len();
        let (mut lo, mut hi) = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .chain(std::iter::once(base))
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
        if !(lo.is_finite() && hi > lo) {
            let mid = if lo.is_finite() { lo } else { 0.0 };
            (lo, hi) = (mid - 1.0, mid + 1.0);
        }
        let pad = 0.05 * (hi - lo);
        let cats = &self.categories;
        let label = |v: &f64| -> String {
            let r = v.round();
            if (v - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < cats.len() {
                cats[r as usize].clone()
            } else {
                String::new()
            }
        };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(200)
            .build_cartesian_2d((lo - pad)..(hi + pad), (n as f64 - 0.5)..-0.5)?;
        chart
            .configure_mesh()
            .max_light_lines(1)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .disable_y_mesh()
            .y_labels(n.max(2))
            .y_label_formatter(&label)
            .x_labels(10)
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .draw()?;
        // Per row, the longer bar first so the shorter one stays visible when both lie on
        // the same side of the base.
        let mut rects = Vec::new();
        for i in 0..n {
            let mut row: Vec<(usize, f64)> = self
                .series
                .iter()
                .enumerate()
                .map(|(k, s)| (k, s.values.get(i).copied().unwrap_or(f64::NAN)))
                .filter(|(_, v)| v.is_finite())
                .collect();
            row.sort_by(|a, b| (b.1 - base).abs().total_cmp(&(a.1 - base).abs()));
            for (k, v) in row {
                rects.push(Rectangle::new(
                    [(base, i as f64 - 0.35), (v, i as f64 + 0.35)],
                    colour(k).filled(),
                ));
            }
        }
        chart.draw_series(rects)?;
        chart.draw_series(LineSeries::new(
            vec![(base, n as f64 - 0.5), (base, -0.5)],
            ShapeStyle::from(&colour(TORNADO_BASE_COLOUR)).stroke_width(2),
        ))?;
        Ok(())
    }
}

/// Colour of a tornado's base line (black in the palette).
const TORNADO_BASE_COLOUR: usize = 7;
/// Colour of a fan's shaded band (the middle series' colour, light).
const BAND_COLOUR: usize = 1;

fn finite(v: Option<&f64>) -> f64 {
    v.copied().filter(|x| x.is_finite()).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(series: usize, categories: usize) -> Chart {
        Chart {
            id: "t",
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            categories: (0..categories).map(|c| format!("c{c}")).collect(),
            x: vec![],
            series: (0..series)
                .map(|s| {
                    Series::new(
                        format!("source: a rather long series name number {s}"),
                        vec![1.0; categories],
                    )
                })
                .collect(),
            kind: Kind::Bars {
                horizontal: false,
                overlay: vec![],
            },
            decimals: 1,
            note: String::new(),
        }
    }

    #[test]
    fn long_legend_names_wrap_inside_the_panel() {
        assert_eq!(
            wrap("source: cost overrun facility drawn", 22),
            vec!["source: cost overrun", "facility drawn"]
        );
        for l in wrap("source: IVA facility (drawn less repaid)", LEGEND_CHARS) {
            assert!(l.chars().count() <= LEGEND_CHARS, "{l}");
        }
        // A dozen wrapped entries stay above the foot of the panel: every legend text's
        // y is within the drawing.
        let svg = bars(12, 2).svg().unwrap();
        let side = &svg[svg.find("source: a rather").unwrap()..];
        assert!(!side.is_empty());
        for part in svg.split("<text").skip(1) {
            if let Some(at) = part.find("y=\"") {
                let y: f64 = part[at + 3..].split('"').next().unwrap().parse().unwrap();
                assert!(y < f64::from(H), "text at y = {y}");
            }
        }
    }

    #[test]
    fn a_table_wider_than_it_is_long_reads_across_and_sits_under_the_plot() {
        // Twelve series over two categories: one row per series, two value columns,
        // beside the plot.
        let h = bars(12, 2).html().unwrap();
        assert!(h.starts_with("<figure class=\"chart\" id="), "{}", &h[..60]);
        assert_eq!(h.matches("<tr><th scope=\"row\">source:").count(), 12);
        assert_eq!(h.matches("<th scope=\"col\">c").count(), 2);
        // Six series over ten categories: six value columns, under the plot.
        let h = bars(6, 10).html().unwrap();
        assert!(
            h.starts_with("<figure class=\"chart wide\" id="),
            "{}",
            &h[..60]
        );
        assert_eq!(h.matches("<tr><th scope=\"row\">c").count(), 10);
        // Two series over many categories: as before, one row per category, beside it.
        let h = bars(2, 20).html().unwrap();
        assert!(h.starts_with("<figure class=\"chart\" id="));
        assert_eq!(h.matches("<tr><th scope=\"row\">c").count(), 20);
    }
}
