//! The scenario file: the tables of every library crate in one TOML document, bundled
//! scenarios compiled in, and loading with located errors.

use des::input::{self, InputError, Invalid};
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
    /// Project economics and financing.
    pub finance: finance::FinanceConfig,
}

impl Scenario {
    /// The mine-to-plant model of this scenario.
    pub fn mine_model(&self) -> MineModel<'_> {
        MineModel {
            calendar: &self.calendar,
            section: &self.section,
            layout: &self.deposit,
            plant: &self.plant,
            crew: &self.crew,
        }
    }
}

/// Bundled scenarios: (name, one-line summary, full TOML text).
pub const BUNDLED: &[(&str, &str, &str)] = &[
    (
        "boleo",
        "El Boleo with trial-2 bolting (the default)",
        concat!(
            include_str!("../../../scenarios/boleo.toml"),
            "\n",
            include_str!("../../../scenarios/boleo-mine.toml"),
            "\n",
            include_str!("../../../scenarios/finance-boleo.toml")
        ),
    ),
    (
        "boleo-trial1",
        "El Boleo with trial-1 bolting and the failing CM conveyor",
        concat!(
            include_str!("../../../scenarios/boleo-trial1.toml"),
            "\n",
            include_str!("../../../scenarios/boleo-mine.toml"),
            "\n",
            include_str!("../../../scenarios/finance-boleo.toml")
        ),
    ),
];

/// The default scenario's name.
pub const DEFAULT: &str = "boleo";

/// A loaded scenario with where it came from.
pub struct Loaded {
    /// The parsed, validated scenario.
    pub scenario: Scenario,
}

/// The text of a bundled scenario.
pub fn bundled(name: &str) -> Option<&'static str> {
    BUNDLED
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, s)| *s)
}

/// Loads a bundled scenario by name, or a file by path; `None` means the default.
pub fn load(arg: Option<&str>) -> Result<Loaded, Vec<InputError>> {
    let name = arg.unwrap_or(DEFAULT);
    let (src, file) = match bundled(name) {
        Some(src) => (src.to_string(), format!("<bundled {name}>")),
        None => match std::fs::read_to_string(name) {
            Ok(src) => (src, name.to_string()),
            Err(e) => {
                let names: Vec<&str> = BUNDLED.iter().map(|b| b.0).collect();
                let message = if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "no such file, and not a bundled scenario (bundled: {})",
                        names.join(", ")
                    )
                } else {
                    format!("cannot read the file: {e}")
                };
                return Err(vec![InputError {
                    file: name.to_string(),
                    line: None,
                    path: String::new(),
                    message,
                }]);
            }
        },
    };
    parse(&src, &file).map(|scenario| Loaded { scenario })
}

/// Parses and validates scenario text.
pub fn parse(src: &str, file: &str) -> Result<Scenario, Vec<InputError>> {
    let scenario: Scenario = input::parse(src, file).map_err(|e| vec![e])?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(problems
            .iter()
            .map(|p| input::locate(src, file, p))
            .collect())
    }
}

fn validate(s: &Scenario) -> Vec<Invalid> {
    let mut out = s.simulation.validate("simulation");
    out.extend(s.targets.validate("targets"));
    out.extend(s.calendar.validate("calendar"));
    out.extend(s.section.validate("section"));
    out.extend(s.schedule.validate("schedule"));
    out.extend(s.deposit.validate("deposit"));
    out.extend(s.plant.validate("plant"));
    out.extend(s.crew.validate("crew"));
    out.extend(s.finance.validate());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_scenarios_load() {
        for (name, _, _) in BUNDLED {
            let s = load(Some(name)).unwrap_or_else(|e| panic!("{name}: {}", e[0]));
            assert_eq!(&s.scenario.name, name);
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
