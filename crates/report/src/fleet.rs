//! Tables of a fleet-sizing study: the chosen fleet per scenario and target, its equipment
//! and crews, marginal tonnes, and every per-section fleet evaluated.

use crate::export::Output;
use crate::{Cell, Table};
use mine::fleet::Sizing;
use serde::Serialize;

/// One or more sizing studies (scenario x target).
#[derive(Serialize)]
pub struct SizingReport {
    /// The studies, in the order run.
    pub studies: Vec<Sizing>,
}

fn label(s: &Sizing) -> String {
    format!(
        "{} @ {:.1} Mt/y",
        s.scenario,
        s.plant_feed_dry_t_per_year / 1e6
    )
}

impl SizingReport {
    fn summary(&self) -> Table {
        let mut t = Table::new(
            "fleet",
            "Smallest fleet meeting the plant feed (underground share) with the required probability",
            &[
                "study", "underground dry t/y", "confidence", "sections", "bolters/section", "haulers/section",
                "probability", "fleet dry t/y (mean)", "headcount",
            ],
        );
        for s in &self.studies {
            let crew: f64 = s.crew.iter().map(|r| r.1).sum();
            t.push(vec![
                label(s).into(),
                Cell::Num(s.underground_dry_t_per_year, 0),
                Cell::Num(s.confidence, 2),
                Cell::Num(f64::from(s.sections), 0),
                Cell::Num(f64::from(s.bolters_per_section), 0),
                Cell::Num(f64::from(s.haulers_per_section), 0),
                Cell::Num(s.probability, 3),
                Cell::Num(s.fleet_dry_t_per_year, 0),
                Cell::Num(crew, 0),
            ]);
        }
        t
    }

    fn equipment(&self) -> Table {
        let mut t = Table::new(
            "equipment",
            "Equipment list",
            &["study", "machine", "count"],
        );
        for s in &self.studies {
            for (m, n) in &s.equipment {
                t.push(vec![
                    label(s).into(),
                    m.clone().into(),
                    Cell::Num(f64::from(*n), 0),
                ]);
            }
        }
        t
    }

    fn crew(&self) -> Table {
        let mut t = Table::new("crew", "Crew by role", &["study", "role", "people"]);
        for s in &self.studies {
            for (r, n) in &s.crew {
                t.push(vec![label(s).into(), r.clone().into(), Cell::Num(*n, 0)]);
            }
        }
        t
    }

    fn marginal(&self) -> Table {
        let mut t = Table::new(
            "marginal",
            "Marginal dry tonnes per year of each machine added to (or taken from) the chosen fleet",
            &["study", "change", "dry t/y", "note"],
        );
        for s in &self.studies {
            for m in &s.marginal {
                t.push(vec![
                    label(s).into(),
                    m.change.clone().into(),
                    Cell::Num(m.dry_t_per_year, 0),
                    marginal_note(&m.change, m.dry_t_per_year).into(),
                ]);
            }
        }
        t
    }

    fn options(&self) -> Table {
        let mut t = Table::new(
            "options",
            "Every per-section fleet evaluated",
            &[
                "study",
                "bolters",
                "haulers",
                "section dry t/y",
                "ci95_low",
                "ci95_high",
                "sections needed",
                "probability",
            ],
        );
        for s in &self.studies {
            for o in &s.options {
                t.push(vec![
                    label(s).into(),
                    Cell::Num(f64::from(o.bolters_per_section), 0),
                    Cell::Num(f64::from(o.haulers_per_section), 0),
                    Cell::Num(o.section_dry_t_per_year.mean, 0),
                    Cell::Num(o.section_dry_t_per_year.ci95_low, 0),
                    Cell::Num(o.section_dry_t_per_year.ci95_high, 0),
                    match o.sections_needed {
                        Some(n) => Cell::Num(f64::from(n), 0),
                        None => "over 200".into(),
                    },
                    Cell::Num(o.probability, 3),
                ]);
            }
        }
        t
    }
}

/// Why a marginal change has the "wrong" sign: a machine added that loses tonnes (or one
/// taken away that gains) is not the section's constraint; the two fleets' rates are each
/// estimated from their own simulated days, so the difference is noise within their 95%
/// confidence intervals (the options table) or the extra machine waiting for places.
fn marginal_note(change: &str, dry_t_per_year: f64) -> String {
    let added = change.starts_with("one more");
    if (added && dry_t_per_year < 0.0) || (!added && dry_t_per_year > 0.0) {
        format!(
            "no real {}: not the bottleneck; the difference is simulation noise (see the options' 95% CIs) or the machine waiting for places",
            if added { "gain" } else { "loss" }
        )
    } else {
        String::new()
    }
}

impl SizingReport {
    /// The sizing curve of each study (CSV and JSON; the HTML report draws it).
    fn curve(&self) -> Table {
        let mut t = Table::new(
            "curve",
            "Probability of meeting the underground target against the number of sections (chosen per-section fleet)",
            &["study", "sections", "probability", "fleet dry t/y (mean)"],
        );
        for s in &self.studies {
            for p in &s.curve {
                t.push(vec![
                    label(s).into(),
                    Cell::Num(f64::from(p.sections), 0),
                    Cell::Num(p.probability, 3),
                    Cell::Num(p.fleet_dry_t_per_year, 0),
                ]);
            }
        }
        t
    }
}

impl Output for SizingReport {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("sizing report serialises")
    }

    fn tables(&self) -> Vec<Table> {
        vec![
            self.summary(),
            self.equipment(),
            self.crew(),
            self.marginal(),
            self.options(),
            self.curve(),
        ]
    }

    fn terminal_tables(&self) -> Vec<Table> {
        vec![self.summary(), self.equipment(), self.marginal()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_that_adds_nothing_is_explained() {
        assert!(
            marginal_note("one more roof bolter in one section", -1_014.0)
                .starts_with("no real gain: not the bottleneck")
        );
        assert!(marginal_note("one hauler fewer in one section", 591.0).starts_with("no real loss"));
        assert_eq!(
            marginal_note("one more hauler in one section", 47_830.0),
            ""
        );
        assert_eq!(marginal_note("one section fewer", -616_550.0), "");
    }
}
