//! Life-of-mine schedule speed: one replication of the bundled 25-year El Boleo schedule
//! (six sections, panel after panel, open pit, stockpile, plant) on one core, counted in
//! section DES events. Run with `cargo bench -p manto-mine --bench schedule`.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_mine::calendar::CalendarConfig;
use manto_mine::layout::LayoutConfig;
use manto_mine::plant::{CrewConfig, PlantConfig};
use manto_mine::schedule::{run, MineModel, Schedule, ScheduleConfig};
use manto_mine::section::SectionConfig;
use serde::Deserialize;

fn main() {
    divan::main();
}

#[derive(Deserialize)]
struct Part {
    calendar: CalendarConfig,
    section: SectionConfig,
    deposit: LayoutConfig,
    plant: PlantConfig,
    crew: CrewConfig,
    schedule: ScheduleConfig,
}

fn load() -> Part {
    let src = format!(
        "{}\n{}",
        include_str!("../../../scenarios/boleo.toml"),
        include_str!("../../../scenarios/boleo-mine.toml")
    );
    toml::from_str(&src).expect("bundled scenario parses")
}

/// The whole default life of mine, one replication, in a one-thread rayon pool.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn boleo_life_of_mine(bencher: Bencher) {
    let p = load();
    let model = MineModel {
        calendar: &p.calendar,
        section: &p.section,
        layout: &p.deposit,
        plant: &p.plant,
        crew: &p.crew,
    };
    let cfg = ScheduleConfig {
        years: p.schedule.years,
        replications: 1,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    let once = || -> Schedule { pool.install(|| run(&model, &cfg, 2007, &|| {})) };
    let events = once().events_per_replication as u64;
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| divan::black_box(once()));
}
