//! Bounds on every count, size and physical value a scenario or a command-line flag may
//! give.
//!
//! Two kinds of reason set them. **Physical plausibility**: a value outside the range is a
//! typing error (a row spacing of a nanometre, a 2-billion-car section), and the message
//! quotes the plausible range. **Cost**: nothing the program does may allocate memory or
//! loop in proportion to an unchecked number, so every count that drives a loop or an
//! allocation (replications, days, machines, panels, years, array lengths) is bounded with
//! room to spare above any real study. The table in `docs/scenario.md#limits` lists them all.
//!
//! Every bound is inclusive: `MAX_DAYS` days are accepted, one more is refused.

// ---- run size (cost) ----------------------------------------------------------------

/// Largest scenario file read, bytes (1 MiB). The bundled scenarios are about 33 kB; a
/// bigger file is a wrong file, and parsing and locating errors cost time and memory in
/// proportion to its size (a 4 MB file takes seconds and 100 MB to refuse, a 50 MB one took
/// 51 s and 4.5 GB).
pub const MAX_SCENARIO_BYTES: u64 = 1024 * 1024;

/// Most counted days per section replication (100 years). Cost: the run time and the
/// per-shift tallies grow with it.
pub const MAX_DAYS: u32 = 36_500;

/// Most warm-up days per section replication (10 years). A section forgets its start-up
/// state within days; more is only cost.
pub const MAX_WARMUP_DAYS: u32 = 3_650;

/// Most section replications (a confidence interval narrows with the square root of the
/// count: 10,000 replications are already 30 times tighter than 10).
pub const MAX_REPLICATIONS: u32 = 10_000;

/// Most section-days one section study may simulate in total, replications × (warm-up +
/// counted days): 2 million section-days take of the order of an hour on one core, and
/// every replication's shift tallies are held until the summary.
pub const MAX_SECTION_DAYS_TOTAL: u64 = 2_000_000;

/// Most worker threads. More threads than cores help nothing, and each costs a stack.
pub const MAX_THREADS: usize = 256;

/// Most operating years of a life-of-mine schedule (and of any year list that feeds it).
pub const MAX_SCHEDULE_YEARS: u32 = 100;

/// Most life-of-mine replications: each simulates every section of the mine panel by panel
/// for the whole mine life (seconds each).
pub const MAX_SCHEDULE_REPLICATIONS: u32 = 1_000;

/// Most section-years one life-of-mine study may simulate, replications × years ×
/// sections (each section runs panel by panel for the whole mine life). El Boleo's default
/// is 3 × 25 × 6 = 450.
pub const MAX_SCHEDULE_SECTION_YEARS: u64 = 20_000;

/// Most sections in the whole deposit (the sum over the mines).
pub const MAX_SECTIONS_TOTAL: usize = 100;

/// Most section-years simulated by a fleet sizing, `max_bolters × max_haulers ×
/// replications` (each a one-year section run).
pub const MAX_SIZING_SECTION_YEARS: u64 = 20_000;

/// Most section-years per fleet in a sizing (`--replications` of `manto size`).
pub const MAX_SIZING_REPLICATIONS: u32 = 1_000;

/// Largest number of sections reported as "needed" for a target; a section that produces
/// so little that more would be needed reports none (`null`) instead of a huge count.
pub const MAX_SECTIONS_NEEDED: u32 = 10_000;

// ---- the section (physical plausibility) --------------------------------------------

/// Most roof bolters in one section (real sections run one to three).
pub const MAX_BOLTERS: u32 = 10;

/// Most haulers (shuttle cars, battery haulers) in one section (real sections run two to
/// five).
pub const MAX_HAULERS: u32 = 20;

/// Most machines of one section: the miner, the bolters, the haulers, the feeder and the
/// belt.
pub const MAX_MACHINES_PER_SECTION: u32 = 1 + MAX_BOLTERS + MAX_HAULERS + 2;

/// Most parallel entries of one section. Production panels drive three to nine, US coal
/// super-sections and room panels up to 21 or so; 40 leaves room for any published panel
/// while the place searches (linear in the entries) stay cheap.
pub const MAX_ENTRIES: u32 = 40;

/// Most phases of a mining plan (`[[section.plan]]`): development, rooms on each flank,
/// retreat, with room to spare.
pub const MAX_PLAN_PHASES: usize = 20;

/// Most nodes of a haul-road network (`[section.network]`): faces, feeder, station,
/// passing points and points along the roads.
pub const MAX_NETWORK_NODES: usize = 200;

/// Most links of a haul-road network.
pub const MAX_NETWORK_LINKS: usize = 400;

/// Plausible length of one network link, m.
pub const LINK_LENGTH_M: (f64, f64) = (0.1, 10_000.0);

/// Plausible cost of one machine per scheduled hour, US$ (`[section.costs]`): 0 (not
/// costed) to 100,000.
pub const USD_PER_MACHINE_H: (f64, f64) = (0.0, 100_000.0);

/// Plausible crew cost per production shift, US$.
pub const CREW_USD_PER_SHIFT: (f64, f64) = (0.0, 10_000_000.0);

/// Plausible advance of a plan phase from the starting face line, m (a panel is at most a
/// few kilometres long).
pub const PLAN_ADVANCE_M: (f64, f64) = (0.5, 100_000.0);

/// Most drilling booms on one bolter.
pub const MAX_BOOMS: u32 = 8;

/// Most bolts in one row across an entry.
pub const MAX_BOLTS_PER_ROW: u32 = 20;

/// Most failure modes per machine.
pub const MAX_FAILURE_MODES: usize = 20;

/// Plausible entry width (roof span), m.
pub const ENTRY_WIDTH_M: (f64, f64) = (2.0, 12.0);
/// Plausible largest allowed roof span, m.
pub const MAX_SPAN_M: (f64, f64) = (2.0, 15.0);
/// Plausible mining height (seam or manto thickness), m: continuous miners cut 0.6 to 6 m.
pub const SEAM_HEIGHT_M: (f64, f64) = (0.5, 10.0);
/// Plausible depth of one cut (and of the unsupported-cut limit), m.
pub const CUT_DEPTH_M: (f64, f64) = (0.5, 20.0);
/// Plausible entry centres (pillar width plus entry), m.
pub const PILLAR_CENTRES_M: (f64, f64) = (5.0, 100.0);
/// Plausible crosscut centres, m.
pub const CROSSCUT_CENTRES_M: (f64, f64) = (5.0, 200.0);
/// Plausible in-situ wet density, t/m³ (coal 1.3, clays 2, massive sulphides 4.5).
pub const DENSITY_T_PER_M3: (f64, f64) = (0.5, 6.0);
/// Plausible lead of the first entry over the last, m.
pub const MAX_ENTRY_LEAD_M: (f64, f64) = (0.5, 1_000.0);
/// Plausible tramming speed of a miner or bolter, m/min.
pub const TRAM_SPEED_M_PER_MIN: (f64, f64) = (1.0, 200.0);
/// Plausible mean cutting-and-loading rate, wet t/min (the largest miners reach ~50).
pub const CUTTING_RATE_T_PER_MIN: (f64, f64) = (0.1, 200.0);
/// Plausible mean time to load a full car, min.
pub const CAR_LOAD_TIME_MIN: (f64, f64) = (0.05, 120.0);
/// Plausible distance between rows of bolts, m.
pub const ROW_SPACING_M: (f64, f64) = (0.3, 5.0);
/// Plausible hauler payload, wet t.
pub const PAYLOAD_T: (f64, f64) = (1.0, 100.0);
/// Plausible hauler speed, loaded or empty, m/min (60 km/h at most).
pub const HAUL_SPEED_M_PER_MIN: (f64, f64) = (1.0, 1_000.0);
/// Plausible fixed one-way haul, m.
pub const FIXED_HAUL_M: (f64, f64) = (0.0, 10_000.0);
/// Plausible operating hours between battery changes (0 means none).
pub const BATTERY_CHANGE_EVERY_H: (f64, f64) = (0.0, 1_000.0);
/// Feeder-breaker or section-belt capacity, wet t/h. Real ones run 300 to 5,000 t/h; the
/// upper end is left loose on purpose so that a validation study may make a feeder or belt
/// "unlimited" (1e12 t/h). A capacity costs nothing to simulate.
pub const CAPACITY_T_PER_H: (f64, f64) = (10.0, 1e12);
/// Plausible feeder set-back, m.
pub const SETBACK_M: (f64, f64) = (0.0, 1_000.0);
/// Plausible feeder move interval, m (0 means never).
pub const MOVE_EVERY_M: (f64, f64) = (0.0, 10_000.0);
/// Plausible mean operating hours between failures of one mode: at least 0.1 h, or a
/// machine would fail thousands of times a shift (and a zero would fail forever).
pub const MTBF_H: (f64, f64) = (0.1, 1e9);
/// Largest mean of any duration input (a year in the unit of the key is far beyond any
/// activity): a typing error otherwise.
pub const MAX_MEAN_DURATION_H: f64 = 8_760.0;

// ---- ground (physical plausibility and cost) -----------------------------------------

/// Most ground classes (`[[ground.classes]]`): real roof classifications use three to six.
/// Cost: the class chain and the per-class tallies grow with it.
pub const MAX_GROUND_CLASSES: usize = 8;
/// Plausible step of the class chain along a heading, m (a fraction of a cut to a pillar).
pub const GROUND_STEP_M: (f64, f64) = (0.1, 50.0);
/// Plausible mean run length of one class along a heading, m: at least one step, at most
/// 100 km (a class that never changes).
pub const GROUND_RUN_M: (f64, f64) = (0.1, 100_000.0);
/// Plausible roof rating (CMRR and RMR run 0 to 100; Q is mapped to the same scale by the
/// user).
pub const GROUND_RATING: (f64, f64) = (0.0, 100.0);
/// Plausible cutting-rate and haulage-speed factors of a class (a tenth to twice the base).
pub const GROUND_FACTOR: (f64, f64) = (0.1, 2.0);
/// Plausible bolt length, m.
pub const BOLT_LENGTH_M: (f64, f64) = (0.3, 12.0);
/// Most resin cartridges per bolt, straps per row, cable bolts per intersection.
pub const MAX_SUPPORT_UNITS: f64 = 50.0;
/// Plausible supported-roof falls per km of drivage (0 to one every metre).
pub const FALLS_PER_KM: (f64, f64) = (0.0, 1_000.0);
/// Plausible stand-up time of unsupported roof (Weibull scale), h: ten minutes to ten
/// years.
pub const STAND_UP_H: (f64, f64) = (0.1, 87_600.0);
/// Plausible Weibull shape of the unsupported-roof hazard (below 1 falls early, above 1
/// the roof weakens with time).
pub const HAZARD_SHAPE: (f64, f64) = (0.2, 10.0);
/// Plausible unit cost of one support item, US$ (0 when not costed).
pub const SUPPORT_UNIT_USD: (f64, f64) = (0.0, 100_000.0);
/// Plausible depth of cover, m.
pub const DEPTH_OF_COVER_M: (f64, f64) = (1.0, 3_000.0);
/// Plausible in-situ pillar strength (the formula's S1), MPa.
pub const PILLAR_STRENGTH_MPA: (f64, f64) = (0.1, 200.0);
/// Plausible minimum pillar safety factor.
pub const PILLAR_SAFETY_FACTOR: (f64, f64) = (0.5, 10.0);
/// Plausible overburden density, t/m3.
pub const OVERBURDEN_DENSITY_T_PER_M3: (f64, f64) = (1.0, 4.0);

// ---- the calendar --------------------------------------------------------------------

/// Plausible shift length, h (so at most 12 shifts a day).
pub const SHIFT_LENGTH_H: (f64, f64) = (2.0, 24.0);

// ---- the deposit, plant and crew -----------------------------------------------------

/// Most mantos (ore beds) in a deposit.
pub const MAX_MANTOS: usize = 100;
/// Most underground mines.
pub const MAX_MINES: usize = 50;
/// Most sections in one mine.
pub const MAX_SECTIONS_PER_MINE: usize = 20;
/// Most panels in the whole deposit, the sum of every panel run's `count`: each panel is
/// one section run and is held in the schedule's panel list.
pub const MAX_PANELS: u64 = 10_000;
/// Largest tonnage (reserve, panel, yearly rate, stockpile), dry t: 10 Gt, beyond the
/// largest deposits.
pub const MAX_TONNES: f64 = 1e10;
/// Smallest panel, dry t: a panel is at least a few shifts of one section.
pub const MIN_PANEL_DRY_T: f64 = 1_000.0;
/// Plausible days to move a section to its next panel.
pub const PANEL_MOVE_DAYS: (f64, f64) = (0.0, 365.0);
/// Largest plant nameplate, dry t/h.
pub const MAX_NAMEPLATE_DRY_T_PER_H: f64 = 100_000.0;
/// Most entries in a list of roles, targets or ramp-up years.
pub const MAX_LIST_LEN: usize = 100;
/// Most people in one role, and most crews.
pub const MAX_PEOPLE: f64 = 10_000.0;

// ---- helpers ---------------------------------------------------------------------------

pub use des::input::{check_count, check_len, check_range, fmt_num};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(36_500.0), "36,500");
        assert_eq!(fmt_num(0.3), "0.3");
        assert_eq!(fmt_num(1e10), "10,000,000,000");
        assert_eq!(fmt_num(1e300), "1e300");
        assert_eq!(fmt_num(f64::NAN), "NaN");
        assert_eq!(fmt_num(-1000.0), "-1,000");
        let mut out = Vec::new();
        check_range(
            &mut out,
            "a.b".into(),
            "row spacing",
            1e-9,
            ROW_SPACING_M,
            " m",
        );
        assert_eq!(
            out[0].message,
            "row spacing 1e-9 m is outside the plausible 0.3 to 5 m"
        );
    }
}
