//! The inputs of one continuous-miner section: geometry, miner, roof bolters, haulage,
//! feeder-breaker and section belt, with their breakdown modes.
//!
//! All tonnages entered here are wet (as mined, at in-situ moisture); dry tonnes are derived
//! with `moisture_pct` and reported separately. Durations carry their unit in the key name
//! and may be any [`Dist`].

use crate::limits;
use des::input::Invalid;
use des::Dist;
use serde::{Deserialize, Serialize};

/// Everything that defines one section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    /// Panel geometry and the ore's in-situ properties.
    pub geometry: Geometry,
    /// The continuous miner.
    pub miner: MinerConfig,
    /// The roof bolting: separate roof bolters, or the miner bolting its own cuts; omit the
    /// table for a section that does not bolt.
    #[serde(
        default = "BolterConfig::absent",
        skip_serializing_if = "BolterConfig::is_absent"
    )]
    pub bolters: BolterConfig,
    /// Shuttle cars or battery haulers.
    pub haulage: HaulageConfig,
    /// The feeder-breaker the cars dump into.
    pub feeder: FeederConfig,
    /// The section belt that takes ore from the feeder out of the panel.
    pub belt: BeltConfig,
    /// The mining plan: phases worked in turn (`[[section.plan]]`); empty: every entry,
    /// nearest place first, without end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<super::plan::PhaseConfig>,
    /// The haul-road network (`[section.network]`); `None`: the haul follows the face
    /// (or `haulage.fixed_haul_m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<super::network::NetworkConfig>,
    /// Machine-hour costs, for a cost per tonne (`[section.costs]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<CostsConfig>,
}

/// Costs per scheduled machine-hour (`[section.costs]`): every machine is charged for
/// each hour of counted scheduled time it is on the section, working or not (ownership
/// and operating cost as one rate), plus a crew cost per production shift.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsConfig {
    /// The miner, US$ per scheduled hour.
    #[serde(default)]
    pub miner_usd_per_h: f64,
    /// Each roof bolter, US$ per scheduled hour.
    #[serde(default)]
    pub bolter_usd_per_h: f64,
    /// Each haul unit, US$ per scheduled hour.
    #[serde(default)]
    pub hauler_usd_per_h: f64,
    /// The feeder-breaker, US$ per scheduled hour.
    #[serde(default)]
    pub feeder_usd_per_h: f64,
    /// The section belt, US$ per scheduled hour.
    #[serde(default)]
    pub belt_usd_per_h: f64,
    /// The section crew, US$ per counted production shift.
    #[serde(default)]
    pub crew_usd_per_shift: f64,
}

/// Who bolts the roof.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoltingKind {
    /// Separate roof bolters (`count` of them) bolt each cut after the miner has left.
    #[default]
    RoofBolter,
    /// A bolter-miner cuts and bolts at once: the cut takes as long as the longer of its
    /// cutting and its bolting cycle.
    BolterMiner,
    /// A miner-bolter bolts each cut itself after cutting it, before it moves on.
    MinerBolter,
    /// No bolting (the `[section.bolters]` table omitted).
    #[serde(skip)]
    None,
}

impl BoltingKind {
    fn is_default(&self) -> bool {
        *self == BoltingKind::RoofBolter
    }
}

/// Panel geometry and in-situ ore properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Geometry {
    /// Number of parallel entries driven by the section.
    pub entries: u32,
    /// Width of an entry or crosscut (the roof span).
    pub entry_width_m: f64,
    /// Largest roof span allowed by the ground-control plan.
    pub max_span_m: f64,
    /// Mining height (seam or manto thickness mined).
    pub seam_height_m: f64,
    /// Depth of one cut (advance between bolting cycles).
    pub cut_depth_m: f64,
    /// Largest unsupported cut allowed: a cut may never go deeper than this.
    pub max_cut_depth_m: f64,
    /// Centre-to-centre distance between entries.
    pub pillar_centres_m: f64,
    /// Centre-to-centre distance between crosscuts along the entries.
    pub crosscut_centres_m: f64,
    /// Bulk density of the ore in place, wet.
    pub insitu_density_wet_t_per_m3: f64,
    /// Moisture as a percentage of wet mass.
    pub moisture_pct: f64,
    /// How far the leading entry may get ahead of the last one.
    pub max_entry_lead_m: f64,
}

/// A way a machine breaks down: operating time between failures and time to repair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureMode {
    /// Label in reports (e.g. "conveyor", "electrical").
    pub name: String,
    /// Operating hours between failures (its mean is the MTBF).
    pub tbf_h: Dist,
    /// Hours to repair, elapsed (its mean is the MTTR); repairs continue between shifts.
    pub ttr_h: Dist,
}

/// The continuous miner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinerConfig {
    /// Cutting-and-loading rate into a car, wet t per minute (sampled per car). Required
    /// unless `car_load_time_min` replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutting_rate_t_per_min: Option<Dist>,
    /// If given, time to load a full car (pro rata for part loads) instead of the rate;
    /// for calibrating against a time study.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub car_load_time_min: Option<Dist>,
    /// Tramming speed between places.
    pub tram_speed_m_per_min: f64,
    /// If given, the time of a move between places whatever its distance (a time study's
    /// move time), instead of distance / `tram_speed_m_per_min`; `place_change_min` is
    /// added as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_time_min: Option<Dist>,
    /// Set-up at a new place (cable handling, positioning, ventilation), per place change.
    pub place_change_min: Dist,
    /// Breakdown modes.
    #[serde(default)]
    pub failures: Vec<FailureMode>,
}

/// The roof bolters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BolterConfig {
    /// Who bolts: separate roof bolters (default), a bolter-miner or a miner-bolter.
    #[serde(default, skip_serializing_if = "BoltingKind::is_default")]
    pub kind: BoltingKind,
    /// Number of separate bolters in the section (0 when the miner bolts).
    pub count: u32,
    /// Drilling booms per bolter, working in parallel on a row.
    pub booms: u32,
    /// Bolts per row across the entry.
    pub bolts_per_row: u32,
    /// Distance between rows along the entry.
    pub row_spacing_m: f64,
    /// Time to drill one hole.
    pub drill_time_min: Dist,
    /// Time to install one bolt after drilling (resin, insert, spin, tension).
    pub install_time_min: Dist,
    /// Set-up at a new place, per place change.
    pub place_change_min: Dist,
    /// Tramming speed between places.
    pub tram_speed_m_per_min: f64,
    /// Probability that a cut's roof needs supplementary support (mesh, extra or longer
    /// bolts) before the place can be cut again.
    #[serde(default)]
    pub extra_support_probability: f64,
    /// Extra bolting time when supplementary support is needed.
    #[serde(default)]
    pub extra_support_min: Dist,
    /// Breakdown modes.
    #[serde(default)]
    pub failures: Vec<FailureMode>,
}

impl BolterConfig {
    /// No bolting: the table omitted.
    pub fn absent() -> BolterConfig {
        let zero = Dist::fixed(0.0).expect("zero is a valid fixed value");
        BolterConfig {
            kind: BoltingKind::None,
            count: 0,
            booms: 0,
            bolts_per_row: 0,
            row_spacing_m: 0.0,
            drill_time_min: zero.clone(),
            install_time_min: zero.clone(),
            place_change_min: zero.clone(),
            tram_speed_m_per_min: 0.0,
            extra_support_probability: 0.0,
            extra_support_min: zero,
            failures: Vec::new(),
        }
    }

    /// Is this the omitted table (no bolting)?
    pub fn is_absent(&self) -> bool {
        self.kind == BoltingKind::None
    }
}

/// Haulage unit type; all are modelled the same way (loaded by the miner, hauling to the
/// feeder), battery units add battery changes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HaulerKind {
    /// Cable-reel shuttle car.
    ShuttleCar,
    /// Battery-powered hauler.
    BatteryHauler,
    /// Ramcar (a battery or diesel coal hauler with a dumping ram).
    Ramcar,
    /// Load-haul-dump loader used as a haul unit behind the miner.
    Lhd,
}

/// Shuttle cars or battery haulers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaulageConfig {
    /// Unit type.
    pub kind: HaulerKind,
    /// Number of units.
    pub count: u32,
    /// Payload per load, wet tonnes.
    pub payload_t: f64,
    /// Speed loaded, m/min, drawn once per trip (a plain number: fixed).
    pub loaded_speed_m_per_min: Dist,
    /// Speed empty, m/min, drawn once per trip.
    pub empty_speed_m_per_min: Dist,
    /// Change-out: spotting under the miner's conveyor.
    pub change_out_s: Dist,
    /// Fixed part of a dump at the feeder (positioning, discharge start); the flow part is
    /// load / feeder rate.
    pub dump_time_s: Dist,
    /// One-way haul distance fixed at this value instead of following the face (for
    /// matching a time study); omit to use the geometry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_haul_m: Option<f64>,
    /// Operating hours between battery changes; 0 for none (cable-reel cars).
    #[serde(default)]
    pub battery_change_every_h: f64,
    /// Duration of a battery change.
    #[serde(default)]
    pub battery_change_min: Dist,
    /// Breakdown modes.
    #[serde(default)]
    pub failures: Vec<FailureMode>,
}

/// The feeder-breaker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeederConfig {
    /// Throughput, wet t/h.
    pub capacity_t_per_h: f64,
    /// Distance from the feeder back from the starting face line.
    pub setback_m: f64,
    /// The feeder and belt tail are advanced by this distance when the face has moved that
    /// far beyond the set-back; 0 never moves it.
    pub move_every_m: f64,
    /// Duration of a feeder and belt move (section haulage stopped).
    pub move_h: Dist,
    /// Move the feeder and belt on the maintenance shift (starting when the production
    /// shift ends) instead of stopping haulage as soon as the move is due.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub move_on_maintenance_shift: bool,
    /// Breakdown modes.
    #[serde(default)]
    pub failures: Vec<FailureMode>,
}

/// The section belt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeltConfig {
    /// Capacity, wet t/h.
    pub capacity_t_per_h: f64,
    /// Breakdown modes (the failure clock runs whenever the section is working).
    #[serde(default)]
    pub failures: Vec<FailureMode>,
}

fn duration(out: &mut Vec<Invalid>, path: String, d: &Dist) {
    duration_in(out, path, d, 60.0);
}

/// A duration in a unit with `per_h` units to the hour (60 for minutes, 3,600 for seconds,
/// 1 for hours): no negative sample, and a plausible mean.
fn duration_in(out: &mut Vec<Invalid>, path: String, d: &Dist, per_h: f64) {
    if let Err(e) = d.validate_non_negative() {
        out.push(Invalid::new(path, e.to_string()));
        return;
    }
    let max = limits::MAX_MEAN_DURATION_H * per_h;
    let mean = d.mean();
    if !(mean <= max) {
        out.push(Invalid::new(
            path,
            format!(
                "mean {} is outside the plausible 0 to {} (a year)",
                limits::fmt_num(mean),
                limits::fmt_num(max)
            ),
        ));
    }
}

fn failures(out: &mut Vec<Invalid>, path: &str, modes: &[FailureMode]) {
    if !limits::check_len(
        out,
        format!("{path}.failures"),
        modes.len(),
        limits::MAX_FAILURE_MODES,
    ) {
        return;
    }
    for (i, f) in modes.iter().enumerate() {
        let p = format!("{path}.failures[{i}]");
        if let Err(e) = f.tbf_h.validate_non_negative() {
            out.push(Invalid::new(format!("{p}.tbf_h"), e.to_string()));
        } else if f.tbf_h.mean() <= 0.0 {
            out.push(Invalid::new(
                format!("{p}.tbf_h"),
                "mean time between failures must be positive",
            ));
        } else {
            limits::check_range(
                out,
                format!("{p}.tbf_h"),
                "mean time between failures",
                f.tbf_h.mean(),
                limits::MTBF_H,
                " h",
            );
        }
        duration_in(out, format!("{p}.ttr_h"), &f.ttr_h, 1.0);
    }
}

impl SectionConfig {
    /// Every problem with the inputs, with key paths under `path` (e.g. "section").
    ///
    /// Besides consistency (a cut no deeper than allowed, pillars wider than entries, ...)
    /// every count and physical value must lie in its plausible range ([`crate::limits`]).
    /// A configuration that passes runs without panicking and in time proportional to the
    /// simulated days.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        use limits::{check_count, check_range};
        let mut out = Vec::new();
        let g = &self.geometry;
        let gp = |k: &str| format!("{path}.geometry.{k}");
        if g.entries == 0 {
            out.push(Invalid::new(
                gp("entries"),
                "a section needs at least one entry",
            ));
        } else {
            check_count(
                &mut out,
                gp("entries"),
                "entries",
                u64::from(g.entries),
                1,
                u64::from(limits::MAX_ENTRIES),
            );
        }
        for (k, what, v, range) in [
            (
                "entry_width_m",
                "entry width",
                g.entry_width_m,
                limits::ENTRY_WIDTH_M,
            ),
            ("max_span_m", "span limit", g.max_span_m, limits::MAX_SPAN_M),
            (
                "seam_height_m",
                "seam height",
                g.seam_height_m,
                limits::SEAM_HEIGHT_M,
            ),
            (
                "cut_depth_m",
                "cut depth",
                g.cut_depth_m,
                limits::CUT_DEPTH_M,
            ),
            (
                "max_cut_depth_m",
                "cut limit",
                g.max_cut_depth_m,
                limits::CUT_DEPTH_M,
            ),
            (
                "pillar_centres_m",
                "pillar centres",
                g.pillar_centres_m,
                limits::PILLAR_CENTRES_M,
            ),
            (
                "crosscut_centres_m",
                "crosscut centres",
                g.crosscut_centres_m,
                limits::CROSSCUT_CENTRES_M,
            ),
            (
                "max_entry_lead_m",
                "entry lead",
                g.max_entry_lead_m,
                limits::MAX_ENTRY_LEAD_M,
            ),
        ] {
            check_range(&mut out, gp(k), what, v, range, " m");
        }
        check_range(
            &mut out,
            gp("insitu_density_wet_t_per_m3"),
            "density",
            g.insitu_density_wet_t_per_m3,
            limits::DENSITY_T_PER_M3,
            " t/m3",
        );
        if !(0.0..100.0).contains(&g.moisture_pct) {
            out.push(Invalid::new(
                gp("moisture_pct"),
                "must be at least 0 and below 100",
            ));
        }
        if g.entry_width_m > g.max_span_m {
            out.push(Invalid::new(
                gp("entry_width_m"),
                format!(
                    "span {} m is over the limit max_span_m = {} m",
                    g.entry_width_m, g.max_span_m
                ),
            ));
        }
        if g.cut_depth_m > g.max_cut_depth_m {
            out.push(Invalid::new(
                gp("cut_depth_m"),
                format!(
                    "cut {} m is deeper than allowed (max_cut_depth_m = {} m)",
                    g.cut_depth_m, g.max_cut_depth_m
                ),
            ));
        }
        if g.entries > 1 && g.pillar_centres_m <= g.entry_width_m {
            out.push(Invalid::new(
                gp("pillar_centres_m"),
                "must exceed entry_width_m (pillars need width)",
            ));
        }
        if g.entries > 1 && g.crosscut_centres_m <= g.entry_width_m {
            out.push(Invalid::new(
                gp("crosscut_centres_m"),
                "must exceed entry_width_m (pillars need length)",
            ));
        }
        if g.entries > 1 && g.cut_depth_m > g.crosscut_centres_m - g.entry_width_m {
            out.push(Invalid::new(
                gp("cut_depth_m"),
                "must not exceed the pillar length (crosscut_centres_m - entry_width_m)",
            ));
        }
        if g.max_entry_lead_m < g.cut_depth_m {
            out.push(Invalid::new(
                gp("max_entry_lead_m"),
                "must be at least cut_depth_m, or no entry could ever be cut",
            ));
        }

        let m = &self.miner;
        let mp = |k: &str| format!("{path}.miner.{k}");
        let before = out.len();
        match (&m.cutting_rate_t_per_min, &m.car_load_time_min) {
            (Some(rate), _) => duration(&mut out, mp("cutting_rate_t_per_min"), rate),
            (None, Some(_)) => {}
            (None, None) => out.push(Invalid::new(
                format!("{path}.miner"),
                "missing key `cutting_rate_t_per_min`: give the cutting rate into a car (wet \
                 t/min), or `car_load_time_min` to replace it",
            )),
        }
        if let (true, Some(rate)) = (out.len() == before, &m.cutting_rate_t_per_min) {
            if rate.support().0 <= 0.0 {
                out.push(Invalid::new(
                    mp("cutting_rate_t_per_min"),
                    "every sampled rate must be above zero: use a distribution bounded away from 0 (e.g. triangular with min > 0, or an offset)",
                ));
            } else {
                check_range(
                    &mut out,
                    mp("cutting_rate_t_per_min"),
                    "mean cutting rate",
                    rate.mean(),
                    limits::CUTTING_RATE_T_PER_MIN,
                    " t/min",
                );
            }
        }
        if let Some(d) = &m.car_load_time_min {
            let before = out.len();
            duration(&mut out, mp("car_load_time_min"), d);
            if out.len() == before {
                check_range(
                    &mut out,
                    mp("car_load_time_min"),
                    "mean car loading time",
                    d.mean(),
                    limits::CAR_LOAD_TIME_MIN,
                    " min",
                );
            }
        }
        check_range(
            &mut out,
            mp("tram_speed_m_per_min"),
            "tram speed",
            m.tram_speed_m_per_min,
            limits::TRAM_SPEED_M_PER_MIN,
            " m/min",
        );
        duration(&mut out, mp("place_change_min"), &m.place_change_min);
        if let Some(d) = &m.move_time_min {
            duration(&mut out, mp("move_time_min"), d);
        }
        failures(&mut out, &format!("{path}.miner"), &m.failures);

        let b = &self.bolters;
        if b.kind != BoltingKind::None {
            let bp = |k: &str| format!("{path}.bolters.{k}");
            let own = matches!(b.kind, BoltingKind::BolterMiner | BoltingKind::MinerBolter);
            if own && b.count != 0 {
                out.push(Invalid::new(
                    bp("count"),
                    "with kind = \"bolter_miner\" or \"miner_bolter\" the miner bolts its own cuts: set count = 0 (separate bolters would have nothing to bolt)",
                ));
            }
            let mut counted = vec![
                ("booms", "booms", b.booms, limits::MAX_BOOMS),
                (
                    "bolts_per_row",
                    "bolts per row",
                    b.bolts_per_row,
                    limits::MAX_BOLTS_PER_ROW,
                ),
            ];
            if !own {
                counted.insert(0, ("count", "bolters", b.count, limits::MAX_BOLTERS));
            }
            for (k, what, v, max) in counted {
                if v == 0 {
                    out.push(Invalid::new(bp(k), "must be at least 1"));
                } else {
                    check_count(&mut out, bp(k), what, u64::from(v), 1, u64::from(max));
                }
            }
            check_range(
                &mut out,
                bp("row_spacing_m"),
                "row spacing",
                b.row_spacing_m,
                limits::ROW_SPACING_M,
                " m",
            );
            check_range(
                &mut out,
                bp("tram_speed_m_per_min"),
                "tram speed",
                b.tram_speed_m_per_min,
                limits::TRAM_SPEED_M_PER_MIN,
                " m/min",
            );
            duration(&mut out, bp("drill_time_min"), &b.drill_time_min);
            duration(&mut out, bp("install_time_min"), &b.install_time_min);
            duration(&mut out, bp("place_change_min"), &b.place_change_min);
            duration(&mut out, bp("extra_support_min"), &b.extra_support_min);
            if !(0.0..=1.0).contains(&b.extra_support_probability) {
                out.push(Invalid::new(
                    bp("extra_support_probability"),
                    format!(
                        "a probability must be between 0 and 1 (got {})",
                        b.extra_support_probability
                    ),
                ));
            }
            failures(&mut out, &format!("{path}.bolters"), &b.failures);
        }

        let h = &self.haulage;
        let hp = |k: &str| format!("{path}.haulage.{k}");
        if h.count == 0 {
            out.push(Invalid::new(hp("count"), "must be at least 1"));
        } else {
            check_count(
                &mut out,
                hp("count"),
                "haulers",
                u64::from(h.count),
                1,
                u64::from(limits::MAX_HAULERS),
            );
        }
        check_range(
            &mut out,
            hp("payload_t"),
            "payload",
            h.payload_t,
            limits::PAYLOAD_T,
            " t",
        );
        for (k, d) in [
            ("loaded_speed_m_per_min", &h.loaded_speed_m_per_min),
            ("empty_speed_m_per_min", &h.empty_speed_m_per_min),
        ] {
            let fixed = match d.kind() {
                des::DistKind::Fixed { value } => Some(value + d.offset()),
                _ => None,
            };
            match fixed {
                // A fixed speed reads as before.
                Some(v) => check_range(
                    &mut out,
                    hp(k),
                    "haul speed",
                    v,
                    limits::HAUL_SPEED_M_PER_MIN,
                    " m/min",
                ),
                None => super::network::speed(&mut out, hp(k), d),
            }
        }
        duration_in(&mut out, hp("change_out_s"), &h.change_out_s, 3_600.0);
        duration_in(&mut out, hp("dump_time_s"), &h.dump_time_s, 3_600.0);
        duration(&mut out, hp("battery_change_min"), &h.battery_change_min);
        if h.kind == HaulerKind::ShuttleCar && h.battery_change_every_h > 0.0 {
            out.push(Invalid::new(
                hp("battery_change_every_h"),
                "shuttle cars run on a trailing cable and have no battery to change; set kind = \"battery_hauler\" or 0 here",
            ));
        }
        if !(h.battery_change_every_h >= 0.0 && h.battery_change_every_h.is_finite()) {
            out.push(Invalid::new(
                hp("battery_change_every_h"),
                "must be zero (none) or positive",
            ));
        } else {
            check_range(
                &mut out,
                hp("battery_change_every_h"),
                "battery change interval",
                h.battery_change_every_h,
                limits::BATTERY_CHANGE_EVERY_H,
                " h",
            );
        }
        if let Some(d) = h.fixed_haul_m {
            if !(d >= 0.0 && d.is_finite()) {
                out.push(Invalid::new(hp("fixed_haul_m"), "must be zero or positive"));
            } else {
                check_range(
                    &mut out,
                    hp("fixed_haul_m"),
                    "haul distance",
                    d,
                    limits::FIXED_HAUL_M,
                    " m",
                );
            }
        }
        failures(&mut out, &format!("{path}.haulage"), &h.failures);

        let f = &self.feeder;
        let fp = |k: &str| format!("{path}.feeder.{k}");
        check_range(
            &mut out,
            fp("capacity_t_per_h"),
            "feeder capacity",
            f.capacity_t_per_h,
            limits::CAPACITY_T_PER_H,
            " t/h",
        );
        if !(f.setback_m >= 0.0 && f.setback_m.is_finite()) {
            out.push(Invalid::new(fp("setback_m"), "must be zero or positive"));
        } else {
            check_range(
                &mut out,
                fp("setback_m"),
                "set-back",
                f.setback_m,
                limits::SETBACK_M,
                " m",
            );
        }
        if !(f.move_every_m >= 0.0 && f.move_every_m.is_finite()) {
            out.push(Invalid::new(
                fp("move_every_m"),
                "must be zero (never) or positive",
            ));
        } else {
            check_range(
                &mut out,
                fp("move_every_m"),
                "feeder move interval",
                f.move_every_m,
                limits::MOVE_EVERY_M,
                " m",
            );
        }
        duration_in(&mut out, fp("move_h"), &f.move_h, 1.0);
        failures(&mut out, &format!("{path}.feeder"), &f.failures);

        check_range(
            &mut out,
            format!("{path}.belt.capacity_t_per_h"),
            "belt capacity",
            self.belt.capacity_t_per_h,
            limits::CAPACITY_T_PER_H,
            " t/h",
        );
        failures(&mut out, &format!("{path}.belt"), &self.belt.failures);
        if let Some(k) = &self.costs {
            for (key, v, range) in [
                (
                    "miner_usd_per_h",
                    k.miner_usd_per_h,
                    limits::USD_PER_MACHINE_H,
                ),
                (
                    "bolter_usd_per_h",
                    k.bolter_usd_per_h,
                    limits::USD_PER_MACHINE_H,
                ),
                (
                    "hauler_usd_per_h",
                    k.hauler_usd_per_h,
                    limits::USD_PER_MACHINE_H,
                ),
                (
                    "feeder_usd_per_h",
                    k.feeder_usd_per_h,
                    limits::USD_PER_MACHINE_H,
                ),
                (
                    "belt_usd_per_h",
                    k.belt_usd_per_h,
                    limits::USD_PER_MACHINE_H,
                ),
                (
                    "crew_usd_per_shift",
                    k.crew_usd_per_shift,
                    limits::CREW_USD_PER_SHIFT,
                ),
            ] {
                check_range(
                    &mut out,
                    format!("{path}.costs.{key}"),
                    "cost",
                    v,
                    range,
                    " US$",
                );
            }
        }
        if let Some(n) = &self.network {
            if self.haulage.fixed_haul_m.is_some() {
                out.push(Invalid::new(
                    hp("fixed_haul_m"),
                    "a fixed haul and a haul-road network cannot both be given: the network's routes set the haul",
                ));
            }
            out.extend(super::network::validate(
                n,
                self.geometry.entries,
                self.haulage.battery_change_every_h > 0.0,
                &format!("{path}.network"),
            ));
        }
        if out.is_empty() {
            out.extend(super::plan::validate(
                &self.plan,
                &self.geometry,
                &format!("{path}.plan"),
            ));
        }
        out
    }

    /// Wet tonnes in one full-depth cut of an entry.
    pub fn cut_wet_t(&self) -> f64 {
        let g = &self.geometry;
        g.entry_width_m * g.seam_height_m * g.cut_depth_m * g.insitu_density_wet_t_per_m3
    }

    /// Dry fraction of wet mass.
    pub fn dry_fraction(&self) -> f64 {
        1.0 - self.geometry.moisture_pct / 100.0
    }
}
