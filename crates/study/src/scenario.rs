//! The scenario file: the tables of every library crate in one TOML document, bundled
//! scenarios compiled in, overrides, and loading with located errors.

use crate::error::StudyError;
use crate::overrides::{self, Override};
use des::input::{self, InputError, Invalid};
use des::units::{self, UnitSystem};
use mine::layout::LayoutConfig;
use mine::plant::{CrewConfig, PlantConfig};
use mine::schedule::{MineModel, ScheduleConfig};
use mine::section::{RunOptions, Targets};
use mine::{CalendarConfig, SectionConfig};
use serde::{Deserialize, Serialize};

/// A complete scenario. Each part is owned and validated by the crate that uses it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, shown in reports.
    pub name: String,
    /// One line on what the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Run length, warm-up, replications and seed.
    pub simulation: RunOptions,
    /// Plant feed targets for sizing.
    pub targets: Targets,
    /// Shift calendar.
    pub calendar: CalendarConfig,
    /// The continuous-miner section.
    pub section: SectionConfig,
    /// Life-of-mine run options.
    pub schedule: ScheduleConfig,
    /// Mantos, mines and open pit.
    pub deposit: LayoutConfig,
    /// Processing plant and stockpile.
    pub plant: PlantConfig,
    /// Crews and staff.
    pub crew: CrewConfig,
    /// Ground classes, support, roof falls and pillars (optional; without it the section
    /// runs as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground: Option<mine::ground::GroundConfig>,
    /// Project economics and financing.
    pub finance: finance::FinanceConfig,
    /// The risk study (`manto risk`): uncertain inputs, correlations, price processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::risk::RiskConfig>,
    /// The build and financing schedule (`manto build`; with `[risk]`, the schedule behind
    /// each risk iteration's commercial-production date and capital).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub construction: Option<crate::build::ConstructionConfig>,
    /// The unit system the file declares for its outputs (top-level `units = "..."`,
    /// removed by the unit pre-pass before deserialisation; metric when absent).
    #[serde(skip)]
    pub units: UnitSystem,
    /// Debt sized beforehand and held (`--hold-debt`: the banking-case sizing of the
    /// scenario before its `--set` overrides); `None` sizes it on this scenario's banking
    /// case ([`crate::pipeline::banking_sizing`]). Not a scenario key.
    #[serde(skip)]
    pub held_debt: Option<finance::SizedDebt>,
}

/// The tables a full scenario must have (every command but `manto section` needs them all).
pub const FULL_TABLES: [&str; 9] = [
    "simulation",
    "targets",
    "calendar",
    "section",
    "schedule",
    "deposit",
    "plant",
    "crew",
    "finance",
];

/// The tables a section-only scenario has: what the section model reads.
pub const SECTION_TABLES: [&str; 4] = ["simulation", "targets", "calendar", "section"];

/// What `manto section` reads: the run options, the calendar, the section and, optionally,
/// the plant-feed targets it is sized against. Read from a section-only scenario (those
/// tables alone, `[targets]` optional) or taken from a full [`Scenario`] (which keeps its
/// `[ground]`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionScenario {
    /// Short name, shown in reports.
    pub name: String,
    /// One line on what the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Run length, warm-up, replications and seed.
    pub simulation: RunOptions,
    /// Plant feed targets for sizing; absent in a section-only scenario means none (the
    /// report's sections-needed table is then empty).
    #[serde(default = "no_targets")]
    pub targets: Targets,
    /// Shift calendar.
    pub calendar: CalendarConfig,
    /// The continuous-miner section.
    pub section: SectionConfig,
    /// Ground classes (only from a full scenario: they refer to its mantos).
    #[serde(skip)]
    pub ground: Option<mine::ground::GroundConfig>,
    /// The unit system the file declares for its outputs (metric when absent).
    #[serde(skip)]
    pub units: UnitSystem,
}

fn no_targets() -> Targets {
    Targets {
        plant_feed_dry_t_per_year: Vec::new(),
        underground_share_pct: 100.0,
    }
}

impl From<&Scenario> for SectionScenario {
    fn from(s: &Scenario) -> SectionScenario {
        SectionScenario {
            name: s.name.clone(),
            description: s.description.clone(),
            simulation: s.simulation,
            targets: s.targets.clone(),
            calendar: s.calendar.clone(),
            section: s.section.clone(),
            ground: s.ground.clone(),
            units: s.units,
        }
    }
}

/// The parts of a scenario the section study reads, borrowed from a full [`Scenario`] or a
/// [`SectionScenario`].
#[derive(Clone, Copy, Debug)]
pub struct SectionParts<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// Run options.
    pub simulation: RunOptions,
    /// Targets the report sizes against.
    pub targets: &'a Targets,
    /// Shift calendar.
    pub calendar: &'a CalendarConfig,
    /// The section.
    pub section: &'a SectionConfig,
    /// Ground classes, if any.
    pub ground: Option<&'a mine::ground::GroundConfig>,
}

/// Anything the section study can run on.
pub trait SectionSource {
    /// The parts the section study reads.
    fn section_parts(&self) -> SectionParts<'_>;
}

impl SectionSource for Scenario {
    fn section_parts(&self) -> SectionParts<'_> {
        SectionParts {
            name: &self.name,
            simulation: self.simulation,
            targets: &self.targets,
            calendar: &self.calendar,
            section: &self.section,
            ground: self.ground.as_ref(),
        }
    }
}

impl SectionSource for SectionScenario {
    fn section_parts(&self) -> SectionParts<'_> {
        SectionParts {
            name: &self.name,
            simulation: self.simulation,
            targets: &self.targets,
            calendar: &self.calendar,
            section: &self.section,
            ground: self.ground.as_ref(),
        }
    }
}

/// A bundled scenario's text: its fragments in `scenarios/`, joined by newlines.
macro_rules! fragments {
    ($first:literal $(, $rest:literal)*) => {
        concat!(
            include_str!(concat!("../../../scenarios/", $first))
            $(, "\n", include_str!(concat!("../../../scenarios/", $rest)))*
        )
    };
}

/// A bundled scenario: name, one-line summary, full TOML text.
#[derive(Copy, Clone, Debug)]
pub struct Bundled {
    /// Name to pass on the command line.
    pub name: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// The TOML text.
    pub text: &'static str,
}

impl Scenario {
    /// True when the finance model reads the scenario's production table rather than the
    /// simulated schedule (`finance.production_source = "table"`).
    pub fn uses_production_table(&self) -> bool {
        self.finance.production_source == finance::config::ProductionSource::Table
    }

    /// The `[construction]` schedule model, when the scenario has one (validated when the
    /// scenario was parsed; a network file is read again here).
    pub fn construction_model(&self) -> Option<Result<crate::build::Model, StudyError>> {
        let c = self.construction.as_ref()?;
        Some(crate::build::Model::new(c, None).map_err(|e| {
            match e {
                crate::build::ModelError::File(e) => StudyError::Input(vec![e]),
                crate::build::ModelError::Invalid(p) => StudyError::Input(
                    p.into_iter()
                        .map(|i| InputError {
                            file: "<scenario>".into(),
                            line: None,
                            path: i.path,
                            message: i.message,
                        })
                        .collect(),
                ),
            }
        }))
    }

    /// The mine-to-plant model of this scenario.
    pub fn mine_model(&self) -> MineModel<'_> {
        MineModel {
            calendar: &self.calendar,
            section: &self.section,
            layout: &self.deposit,
            plant: &self.plant,
            crew: &self.crew,
            ground: self.ground.as_ref(),
        }
    }
}

/// Bundled scenarios, compiled in (concatenations of `scenarios/*.toml` fragments).
pub const BUNDLED: &[Bundled] = &[
    Bundled {
        name: "boleo",
        summary: "El Boleo with trial-2 bolting (the default)",
        text: fragments!("boleo-name.toml", "boleo.toml", "boleo-mine.toml", "finance-boleo.toml"),
    },
    Bundled {
        name: "boleo-trial1",
        summary: "El Boleo with trial-1 bolting and the failing CM conveyor",
        text: fragments!("boleo-trial1.toml", "boleo-mine.toml", "finance-boleo.toml"),
    },
    Bundled {
        name: "boleo-risk",
        summary: "El Boleo risk study dated mid-2007, from sources public by then: priors from reference classes, price processes (manto risk, manto backtest)",
        text: fragments!("risk-boleo.toml", "boleo.toml", "boleo-mine.toml", "finance-boleo-2007.toml"),
    },
    Bundled {
        name: "boleo-risk-hindsight",
        summary: "The first El Boleo risk study: dated mid-2007 but citing later sources and tax reforms (for comparison)",
        text: fragments!("risk-boleo-hindsight.toml", "boleo.toml", "boleo-mine.toml", "finance-boleo.toml"),
    },
    Bundled {
        name: "boleo-build",
        summary: "El Boleo with the mid-2007 build and financing schedule (manto build)",
        text: fragments!(
            "boleo-build-name.toml",
            "boleo.toml",
            "boleo-mine.toml",
            "finance-boleo.toml",
            "construction-boleo.toml"
        ),
    },
    Bundled {
        name: "boleo-ground",
        summary: "El Boleo with ground classes for the clay mantos: support by class, roof falls, bogging, pillars ([ground])",
        text: fragments!("boleo-ground-name.toml", "boleo.toml", "boleo-mine.toml", "finance-boleo.toml", "ground-boleo.toml"),
    },
    Bundled {
        name: "coal-battery-hauler",
        summary: "Section only (manto section): a US coal section with battery haulers, from a published Arena model and time study, in feet, short tons and Arena notation (docs/section-case.md)",
        text: fragments!("coal-battery-hauler.toml"),
    },
];

/// True when the bundled scenario `name` is section-only (runs with `manto section` alone).
pub fn is_section_only(text: &str) -> bool {
    section_only(text).is_some()
}

/// The default scenario's name.
pub const DEFAULT: &str = "boleo";

/// The text of a bundled scenario.
pub fn bundled(name: &str) -> Option<&'static str> {
    BUNDLED.iter().find(|b| b.name == name).map(|b| b.text)
}

/// The source of a scenario argument: (text, file name for messages). A bundled name, or a
/// file path; `None` means the default.
fn source(arg: Option<&str>) -> Result<(String, String), StudyError> {
    let name = arg.unwrap_or(DEFAULT);
    if let Some(src) = bundled(name) {
        return Ok((src.to_string(), format!("<bundled {name}>")));
    }
    let path = std::path::Path::new(name);
    if !path.exists() {
        let names: Vec<&str> = BUNDLED.iter().map(|b| b.name).collect();
        return Err(StudyError::Input(vec![InputError {
            file: name.to_string(),
            line: None,
            path: String::new(),
            message: format!(
                "no such file, and not a bundled scenario (bundled: {})",
                names.join(", ")
            ),
        }]));
    }
    let src = input::read_file(path, mine::limits::MAX_SCENARIO_BYTES)
        .map_err(|e| StudyError::Input(vec![e]))?;
    Ok((src, name.to_string()))
}

/// The scenario text with the overrides applied (what `manto scenario show` prints); the
/// overridden text is validated too, so a bad override is reported here as well.
pub fn text(arg: Option<&str>, overrides: &[Override]) -> Result<String, StudyError> {
    let (src, file) = source(arg)?;
    let edited = overrides::apply(&src, &file, overrides)?;
    if section_only(&edited).is_some() {
        parse_section(&src, &edited, &file, overrides)?;
    } else {
        parse_overridden(&src, &edited, &file, overrides)?;
    }
    Ok(edited)
}

/// Loads a bundled scenario by name, or a file by path (`None`: the default), applies the
/// overrides in order and validates the result as one document.
pub fn load(arg: Option<&str>, overrides: &[Override]) -> Result<Scenario, StudyError> {
    let (src, file) = source(arg)?;
    let edited = overrides::apply(&src, &file, overrides)?;
    parse_overridden(&src, &edited, &file, overrides)
}

/// Parses `edited` (`original` with `overrides` applied), naming the override in a
/// problem it caused.
fn parse_overridden(
    original: &str,
    edited: &str,
    file: &str,
    overrides: &[Override],
) -> Result<Scenario, StudyError> {
    parse(edited, file).map_err(|e| StudyError::Input(overrides::attribute(e, overrides, original)))
}

/// The top-level tables of `src` when it is a section-only scenario: it parses as TOML and
/// lacks at least one of the tables only a full scenario has. `None` for a full scenario
/// (or text that does not parse, which the full parse then reports).
fn section_only(src: &str) -> Option<Vec<String>> {
    let doc = toml_edit::ImDocument::parse(src.to_string()).ok()?;
    let present: Vec<String> = doc.as_table().iter().map(|(k, _)| k.to_string()).collect();
    let full_only = &FULL_TABLES[SECTION_TABLES.len()..];
    if full_only.iter().all(|t| present.iter().any(|p| p == t)) {
        None
    } else {
        Some(present)
    }
}

/// The refusal of a section-only (or incomplete) scenario by a command that needs a full
/// one: file, and every missing table by name.
fn missing_tables(file: &str, present: &[String]) -> InputError {
    let missing: Vec<String> = FULL_TABLES
        .iter()
        .filter(|t| !present.iter().any(|p| p == *t))
        .map(|t| format!("[{t}]"))
        .collect();
    InputError {
        file: file.to_string(),
        line: None,
        path: String::new(),
        message: format!(
            "missing table(s) {}: this command needs a full scenario; a section-only \
             scenario (only [simulation], [targets], [calendar] and [section.*]) runs with \
             `manto section` alone",
            missing.join(", ")
        ),
    }
}

/// Parses and validates the text of a section-only scenario (see [`SectionScenario`]).
pub fn parse_section_only(src: &str, file: &str) -> Result<SectionScenario, Vec<InputError>> {
    let conv = units::to_metric(src, file).map_err(|e| vec![e])?;
    let src = conv.text.as_str();
    let mut s: SectionScenario = input::parse(src, file).map_err(|e| {
        let mut e = conv.user_error(e);
        if e.message.starts_with("unknown field") {
            e.message = format!(
                "{}; a section-only scenario has only name, description, [simulation], \
                 [targets], [calendar] and [section.*] (a full scenario adds [schedule], \
                 [deposit], [plant], [crew] and [finance], all of them)",
                e.message
            );
        }
        vec![e]
    })?;
    let mut out = s.simulation.validate("simulation");
    if !s.targets.plant_feed_dry_t_per_year.is_empty() {
        out.extend(s.targets.validate("targets"));
    }
    out.extend(s.calendar.validate("calendar"));
    out.extend(s.section.validate("section"));
    if !out.is_empty() {
        return Err(located(&conv, file, &out));
    }
    s.units = conv.units;
    Ok(s)
}

/// Validation problems located in the converted text, named with the user's keys.
fn located(conv: &units::Converted, file: &str, problems: &[Invalid]) -> Vec<InputError> {
    input::locate_all(&conv.text, file, problems)
        .into_iter()
        .map(|e| conv.user_error(e))
        .collect()
}

/// Loads what `manto section` reads, from a full scenario (parsed and validated whole, as
/// every command does) or from a section-only one (its tables alone).
pub fn load_section(
    arg: Option<&str>,
    overrides: &[Override],
) -> Result<SectionScenario, StudyError> {
    let (src, file) = source(arg)?;
    let edited = overrides::apply(&src, &file, overrides)?;
    parse_section(&src, &edited, &file, overrides)
}

fn parse_section(
    original: &str,
    edited: &str,
    file: &str,
    overrides: &[Override],
) -> Result<SectionScenario, StudyError> {
    let parsed = if section_only(edited).is_some() {
        parse_section_only(edited, file)
    } else {
        parse(edited, file).map(|s| SectionScenario::from(&s))
    };
    parsed.map_err(|e| StudyError::Input(overrides::attribute(e, overrides, original)))
}

/// Parses and validates scenario text. A section-only scenario is refused with the list of
/// the tables it lacks.
pub fn parse(src: &str, file: &str) -> Result<Scenario, Vec<InputError>> {
    let conv = units::to_metric(src, file).map_err(|e| vec![e])?;
    let src = conv.text.as_str();
    if let Some(present) = section_only(src) {
        return Err(vec![missing_tables(file, &present)]);
    }
    let mut scenario: Scenario = input::parse(src, file).map_err(|e| vec![conv.user_error(e)])?;
    scenario.units = conv.units;
    let mut problems = scenario.finance.apply_fiscal_rules();
    if problems.is_empty() {
        problems = validate(&scenario);
    }
    if !problems.is_empty() {
        return Err(located(&conv, file, &problems));
    }
    if let Some(c) = &mut scenario.construction {
        // A network file is found relative to the scenario file's directory.
        let dir = std::path::Path::new(file).parent();
        if let (Some(f), Some(dir)) = (&mut c.file, dir) {
            if std::path::Path::new(f).is_relative() && std::path::Path::new(file).exists() {
                *f = dir.join(&*f).display().to_string();
            }
        }
        match crate::build::Model::new(c, None) {
            // The deterministic case spends its capital as the planned schedule does.
            Ok(m) => {
                scenario.finance.capex.construction_phasing =
                    crate::build::planned_capital_by_quarter(&m);
            }
            Err(crate::build::ModelError::File(e)) => return Err(vec![e]),
            Err(crate::build::ModelError::Invalid(p)) => return Err(located(&conv, file, &p)),
        }
    }
    Ok(scenario)
}

pub(crate) fn validate(s: &Scenario) -> Vec<Invalid> {
    let mut out = s.simulation.validate("simulation");
    out.extend(s.targets.validate("targets"));
    out.extend(s.calendar.validate("calendar"));
    out.extend(s.section.validate("section"));
    out.extend(s.schedule.validate_with_layout("schedule", &s.deposit));
    out.extend(s.deposit.validate("deposit"));
    out.extend(s.plant.validate("plant"));
    out.extend(s.crew.validate("crew"));
    if let Some(g) = &s.ground {
        let mantos: Vec<String> = s.deposit.mantos.iter().map(|m| m.name.clone()).collect();
        let before = out.len();
        out.extend(g.validate("ground", s.section.geometry.entry_width_m, &mantos));
        if out.len() == before {
            out.extend(mine::ground::validate_pillars(
                g, "ground", &s.section, &s.deposit,
            ));
        }
    }
    out.extend(s.finance.validate());
    if let Some(c) = &s.construction {
        out.extend(c.validate());
    }
    if let Some(r) = &s.risk {
        if out.is_empty() {
            if let Some(doc) = crate::risk::doc_for_validation(s) {
                out.extend(r.validate(&doc));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_scenarios_load() {
        for b in BUNDLED {
            if is_section_only(b.text) {
                let s =
                    load_section(Some(b.name), &[]).unwrap_or_else(|e| panic!("{}: {e}", b.name));
                assert_eq!(s.name, b.name);
                assert!(load(Some(b.name), &[]).is_err());
                continue;
            }
            let s = load(Some(b.name), &[]).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert_eq!(s.name, b.name);
        }
    }

    fn err(src: &str) -> InputError {
        parse(src, "x.toml").unwrap_err().remove(0)
    }

    #[test]
    fn bad_inputs_name_file_line_and_key() {
        let base = bundled("boleo").unwrap();
        let line_of = |needle: &str| base[..base.find(needle).unwrap()].lines().count() + 1;

        let e = err(&base.replace("seam_height_m = 2.5", "seam_hieght_m = 2.5"));
        assert_eq!(e.path, "section.geometry.seam_hieght_m");
        assert_eq!(e.line, Some(line_of("seam_height_m = 2.5")));
        assert!(
            e.message.contains("did you mean `seam_height_m`"),
            "{}",
            e.message
        );

        let e = err(&base.replace("entries = 5", "entries = \"five\""));
        assert_eq!(e.path, "section.geometry.entries");

        let e = err(&base.replace("tram_speed_m_per_min = 12", "tram_speed_m_per_min = -12"));
        assert_eq!(e.path, "section.miner.tram_speed_m_per_min");
        assert_eq!(e.line, Some(line_of("tram_speed_m_per_min = 12")));

        let e = err(&base.replace("cut_depth_m = 3.5", "cut_depth_m = 5.5"));
        assert_eq!(e.path, "section.geometry.cut_depth_m");
        assert!(e.message.contains("deeper than allowed"), "{}", e.message);

        let e = err(&base.replace("entry_width_m = 4.2", "entry_width_m = 5.0"));
        assert!(e.message.contains("over the limit"), "{}", e.message);

        let e = err(&base.replace(
            "place_change_min = { dist = \"triangular\", min = 3, mode = 5, max = 10 }",
            "place_change_min = { dist = \"triangular\", min = -3, mode = 5, max = 10 }",
        ));
        assert_eq!(e.path, "section.miner.place_change_min");

        let e = err(&base.replace(
            "tbf_h = { dist = \"exponential\", mean = 25 }",
            "tbf_h = { dist = \"exponential\", mean = 0 }",
        ));
        assert_eq!(e.path, "section.miner.failures[0].tbf_h");
        assert!(e.to_string().starts_with("x.toml:"), "{e}");
    }
}
