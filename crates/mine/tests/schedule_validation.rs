use manto_mine as mine;
use mine::calendar::CalendarConfig;
use mine::layout::LayoutConfig;
use mine::plant::{CrewConfig, PlantConfig};
use mine::schedule::{MineModel, ScheduleConfig};
use mine::section::SectionConfig;
use serde::Deserialize;

#[derive(Deserialize)]
struct Part {
    calendar: CalendarConfig,
    section: SectionConfig,
    deposit: LayoutConfig,
    plant: PlantConfig,
    crew: CrewConfig,
    schedule: ScheduleConfig,
}

#[test]
fn probe() {
    let src = format!(
        "{}\n{}",
        include_str!("../../../scenarios/boleo.toml"),
        include_str!("../../../scenarios/boleo-mine.toml")
    );
    let p: Part = toml::from_str(&src).unwrap();
    let _ = p.schedule;
    for years in [1u32, 3] {
        let t = std::time::Instant::now();
        let m = MineModel {
            calendar: &p.calendar,
            section: &p.section,
            layout: &p.deposit,
            plant: &p.plant,
            crew: &p.crew,
        };
        let s = mine::schedule::run(
            &m,
            &ScheduleConfig {
                years,
                replications: 1,
            },
            1,
            &|| {},
        );
        let ug: f64 = s.years.iter().map(|y| y.underground_dry_t).sum();
        println!(
            "years {years}: {:?} events {} ug {ug} pad_full {}",
            t.elapsed(),
            s.events_per_replication,
            s.years
                .iter()
                .map(|y| y.section_shifts_pad_full)
                .sum::<f64>()
        );
        for y in &s.years {
            println!("{} mined {:.0} feed {:.0} target {:.0} close {:.0} sections {:.2} shifts {} padfull {}", y.label, y.mined_dry_t, y.plant_feed_dry_t, y.plant_target_dry_t, y.stockpile_closing_dry_t, y.sections, y.section_shifts, y.section_shifts_pad_full);
        }
    }
}
