//! Sharded studies: a study whose work is a set of independent indices (section
//! replications, life-of-mine trials) is split into `N` shards; shard `K` computes the
//! indices `i` with `i mod N = K` and writes a [`Partial`] result; [`merge`] checks that a
//! set of partials is one complete study and returns the per-index records in index order,
//! which the study's own pure aggregate (the function the unsharded run calls on the same
//! records) turns into a result byte-identical to the unsharded run.
//!
//! The format is generic: a partial carries records of any serde type, tagged by the
//! command that made them, so another study (a Monte Carlo risk study) needs only its
//! per-index function, its aggregate and a command name.

use crate::error::StudyError;
use crate::scenario::{self, Scenario};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

/// The `format` tag of a partial result file.
pub const FORMAT: &str = "manto-partial/2";

/// The manto version written into (and required of) every partial.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Largest partial result file read (1 GiB): a bigger file is refused, so a wrong path (a
/// disk image, a log) cannot exhaust memory. Split the study into more shards instead.
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// Most shards a study may be split into.
pub const MAX_SHARDS: u32 = 1_000_000;

/// Shard `k` of `n` (0 ≤ `k` < `n`): it holds the indices `i` with `i mod n = k`, so the
/// shards of one study are balanced to within one index and need nothing but `(k, n)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard's number, from 0.
    pub k: u32,
    /// Shards in the study.
    pub n: u32,
}

impl Shard {
    /// Shard `k` of `n`, checked.
    pub fn new(k: u32, n: u32) -> Result<Shard, String> {
        if n == 0 {
            return Err("N must be at least 1".into());
        }
        if n > MAX_SHARDS {
            return Err(format!("N must be at most {MAX_SHARDS}"));
        }
        if k >= n {
            return Err(format!(
                "K must be below N (shards are numbered 0 to {})",
                n - 1
            ));
        }
        Ok(Shard { k, n })
    }

    /// The whole study as one shard.
    pub const ALL: Shard = Shard { k: 0, n: 1 };

    /// The indices of `0..total` this shard holds, ascending.
    pub fn indices(self, total: u64) -> Vec<u64> {
        (u64::from(self.k)..total)
            .step_by(self.n as usize)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 0 <= K < N, e.g. 3/8; got `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// A partial result: one shard's per-index records and everything needed to check that it
/// belongs to a study and to finish that study. Serialised as one line of JSON (keys in
/// this order, a final newline); f64 values round-trip exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial<R> {
    /// [`FORMAT`].
    pub format: String,
    /// The manto version that computed it ([`VERSION`]).
    pub manto_version: String,
    /// The command whose study this is: `section`, `schedule`.
    pub command: String,
    /// SHA-256 of `scenario`, lower-case hex.
    pub scenario_sha256: String,
    /// The base seed (`simulation.seed`).
    pub seed: u64,
    /// Shards in the study (N).
    pub shards: u32,
    /// This shard (K).
    pub shard: u32,
    /// Indices in the whole study.
    pub total: u64,
    /// The indices this shard holds, ascending (`K, K + N, ...` below `total`).
    pub indices: Vec<u64>,
    /// The scenario text with every override applied, exactly as it was parsed.
    pub scenario: String,
    /// The command's options that are not scenario keys (JSON text; `{}` when it has
    /// none, as `section` and `schedule`): a study such as `size` or `risk` records its
    /// plan here, and every part must carry the same.
    pub options: String,
    /// SHA-256 of `records` as written (their JSON text, compact), lower-case hex: a record
    /// edited, cut, reordered or dropped after the run no longer matches it.
    pub records_sha256: String,
    /// One record per entry of `indices`, same order.
    pub records: Vec<R>,
}

/// SHA-256 of `text`, lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SHA-256 of the compact JSON text of `records` (what [`Partial::records_sha256`] holds).
pub fn records_sha256<R: Serialize>(records: &[R]) -> Result<String, String> {
    let bytes = serde_json::to_vec(records).map_err(|e| e.to_string())?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A per-index record of a sharded study, checked against its study when parts are
/// merged: a part from another version, a record cut short or an edited list (a schedule
/// of 12 quarters for 8, an emptied list of shifts) is refused by its shape before any
/// aggregate reads it, instead of panicking on an index or silently changing the answer.
pub trait Record {
    /// What is wrong with this record, the one of index `index`, in a study of `scenario`
    /// whose record of the lowest index is `first` (the records of one study share their
    /// shape); `None` when its shape is right.
    fn shape_error(&self, index: u64, scenario: &Scenario, first: &Self) -> Option<String>;
}

/// `size`: one section-year's dry tonnes, a finite non-negative number.
impl Record for f64 {
    fn shape_error(&self, _: u64, _: &Scenario, _: &f64) -> Option<String> {
        (!(self.is_finite() && *self >= 0.0))
            .then(|| format!("{self} dry t is not a section-year's tonnage (finite, not negative)"))
    }
}

/// `section`: one replication.
impl Record for mine::section::Replication {
    fn shape_error(&self, _: u64, s: &Scenario, first: &Self) -> Option<String> {
        let sim = s.simulation;
        let counted = s.calendar.counted_shifts(sim.warmup_days, sim.days);
        if self.shifts.len() as u64 != counted {
            // The calendar, not chance, decides which shifts are counted.
            return Some(format!(
                "{} shifts, but its scenario's calendar counts {counted} in simulation.days {} after simulation.warmup_days {}",
                self.shifts.len(),
                sim.days,
                sim.warmup_days
            ));
        }
        let names = |r: &Self| {
            r.machines
                .iter()
                .map(|m| (m.name.clone(), m.kind))
                .collect::<Vec<_>>()
        };
        if names(self) != names(first) {
            return Some(format!(
                "{} machines ({}) where the study's first record has {} ({})",
                self.machines.len(),
                self.machines
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                first.machines.len(),
                first
                    .machines
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if self.machines.is_empty() {
            return Some("no machines".into());
        }
        None
    }
}

/// `schedule`: one life-of-mine trial.
impl Record for mine::schedule::ScheduleReplication {
    fn shape_error(&self, index: u64, s: &Scenario, first: &Self) -> Option<String> {
        if self.trial != index {
            return Some(format!("trial {} where index {index} belongs", self.trial));
        }
        let years = s.schedule.years as usize;
        if self.quarters.len() != 4 * years {
            return Some(format!(
                "{} quarters, but its scenario's schedule.years {years} makes {}",
                self.quarters.len(),
                4 * years
            ));
        }
        for (i, q) in self.quarters.iter().enumerate() {
            let (year, quarter) = (i / 4 + 1, i % 4 + 1);
            if (q.year as usize, q.quarter as usize) != (year, quarter) {
                return Some(format!(
                    "quarter {} is labelled year {} quarter {}, not year {year} quarter {quarter}",
                    i + 1,
                    q.year,
                    q.quarter
                ));
            }
            let mines = s.deposit.mines.len();
            if q.by_mine_dry_t.len() != mines || q.by_mine_wet_t.len() != mines {
                return Some(format!(
                    "quarter {} has {} and {} mines, its scenario {mines} (deposit.mines)",
                    i + 1,
                    q.by_mine_dry_t.len(),
                    q.by_mine_wet_t.len()
                ));
            }
            let roles = first
                .quarters
                .first()
                .map_or(0, |f| f.headcount_by_role.len());
            if q.headcount_by_role.len() != roles {
                return Some(format!(
                    "quarter {} has {} crew roles where the study's first record has {roles}",
                    i + 1,
                    q.headcount_by_role.len()
                ));
            }
        }
        let mantos = s.deposit.mantos.len();
        if self.reserves_left_dry_t.len() != mantos {
            return Some(format!(
                "reserves left for {} mantos, its scenario has {mantos} (deposit.mantos)",
                self.reserves_left_dry_t.len()
            ));
        }
        None
    }
}

impl<R: Serialize + DeserializeOwned> Partial<R> {
    /// The partial of `shard` of a study of `total` indices; `records` are those of
    /// `shard.indices(total)`, in that order.
    pub fn new(
        command: &str,
        scenario_text: &str,
        seed: u64,
        shard: Shard,
        total: u64,
        records: Vec<R>,
    ) -> Partial<R> {
        Partial::with_options(command, scenario_text, "{}", seed, shard, total, records)
    }

    /// [`Partial::new`] for a command with options beyond the scenario (`options`: JSON).
    pub fn with_options(
        command: &str,
        scenario_text: &str,
        options: &str,
        seed: u64,
        shard: Shard,
        total: u64,
        records: Vec<R>,
    ) -> Partial<R> {
        Partial {
            format: FORMAT.into(),
            manto_version: VERSION.into(),
            command: command.into(),
            scenario_sha256: sha256_hex(scenario_text),
            seed,
            shards: shard.n,
            shard: shard.k,
            total,
            indices: shard.indices(total),
            scenario: scenario_text.into(),
            options: options.into(),
            records_sha256: records_sha256(&records).unwrap_or_default(),
            records,
        }
    }

    /// The file's bytes: one line of JSON and a newline. Checks that the part reads back
    /// and writes the same bytes again (a value JSON cannot carry, such as a NaN in a
    /// plain `f64`, is an error instead of a silent change; see [`exact_f64s`]).
    pub fn to_json(&self) -> Result<Vec<u8>, String> {
        let mut bytes = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let back: Partial<R> = serde_json::from_slice(&bytes)
            .map_err(|e| format!("a record does not survive JSON: {e}"))?;
        if serde_json::to_vec(&back).map_err(|e| e.to_string())? != bytes {
            return Err("a record does not read back equal from JSON".into());
        }
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// Serde for a `Vec<f64>` that may hold non-finite values, exactly: finite values as JSON
/// numbers (shortest text that reads back to the same bits), NaN, infinity and minus
/// infinity as the strings `"NaN"`, `"inf"`, `"-inf"` (plain serde_json writes them all
/// as `null`, which does not read back). Use as `#[serde(with = "study::shard::exact_f64s")]`.
pub mod exact_f64s {
    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::ser::{SerializeSeq, Serializer};

    /// Writes `v`.
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for &x in v {
            if x.is_finite() {
                seq.serialize_element(&x)?;
            } else if x.is_nan() {
                seq.serialize_element("NaN")?;
            } else if x > 0.0 {
                seq.serialize_element("inf")?;
            } else {
                seq.serialize_element("-inf")?;
            }
        }
        seq.end()
    }

    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Num {
        F(f64),
        S(String),
    }

    struct V;

    impl<'de> Visitor<'de> for V {
        type Value = Vec<f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of numbers or \"NaN\", \"inf\", \"-inf\"")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Vec<f64>, A::Error> {
            let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(n) = a.next_element::<Num>()? {
                out.push(match n {
                    Num::F(x) => x,
                    Num::S(s) => match s.as_str() {
                        "NaN" => f64::NAN,
                        "inf" => f64::INFINITY,
                        "-inf" => f64::NEG_INFINITY,
                        other => return Err(de::Error::custom(format!("not a number: {other}"))),
                    },
                });
            }
            Ok(out)
        }
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        d.deserialize_seq(V)
    }
}

/// Reads a partial result file, at most [`MAX_PART_BYTES`]; an error names the file.
pub fn read_part(path: &Path) -> Result<Vec<u8>, StudyError> {
    let name = path.display().to_string();
    let err = |m: String| StudyError::usage(&name, m);
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let meta = file.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(err("is a directory, not a partial result file".into()));
    }
    // A regular file's size is known before reading it: refuse a big one unread.
    if let Some(len) = meta.filter(|m| m.is_file()).map(|m| m.len()) {
        if len > MAX_PART_BYTES {
            return Err(err(format!(
                "larger than {} MiB ({len} bytes): not a partial result, or split the study into more shards",
                MAX_PART_BYTES >> 20
            )));
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(err(format!(
            "larger than {} MiB: not a partial result, or split the study into more shards",
            MAX_PART_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// A partial's header: every field, the records skipped (not kept in memory).
pub type Header = Partial<IgnoredAny>;

/// The record of one section replication (`manto section --shard`).
pub type SectionRecord = mine::section::Replication;

/// The record of one life-of-mine trial (`manto schedule --shard`).
pub type ScheduleRecord = mine::schedule::ScheduleReplication;

/// Parses a partial result file's bytes; `name` (the file) is named in any error.
pub fn parse<R: DeserializeOwned>(name: &str, bytes: &[u8]) -> Result<Partial<R>, StudyError> {
    // The format tag first, so a file of another kind or version says so plainly.
    #[derive(Deserialize)]
    struct Tag {
        format: Option<String>,
    }
    let not_partial = || {
        StudyError::usage(
            name,
            "not a manto partial result (write one with `--shard K/N --out PATH`)",
        )
    };
    let tag: Tag = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() && bytes.starts_with(b"{\"format\":") {
            StudyError::usage(name, "truncated partial result (an interrupted copy?)")
        } else {
            not_partial()
        }
    })?;
    match tag.format.as_deref() {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(StudyError::usage(
                name,
                format!("partial result format `{other}`, this manto reads `{FORMAT}`"),
            ))
        }
        None => return Err(not_partial()),
    }
    serde_json::from_slice(bytes)
        .map_err(|e| StudyError::usage(name, format!("damaged partial result: {e}")))
}

/// Parses a partial's header (its records are checked for count, not kept).
pub fn parse_header(name: &str, bytes: &[u8]) -> Result<Header, StudyError> {
    parse(name, bytes)
}

/// Checks that `parts` (file name, header) are shards of one study, each consistent with
/// itself, none twice. Returns the shard numbers missing (ascending). An error names the
/// file at fault.
pub fn check<R>(parts: &[(String, Partial<R>)]) -> Result<Vec<u32>, StudyError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(StudyError::usage("merge", "no partial result given"));
    };
    let mut seen: Vec<Option<&str>> = Vec::new();
    for (name, p) in parts {
        let err = |m: String| Err(StudyError::usage(name, m));
        // The part on its own.
        let shard = match Shard::new(p.shard, p.shards) {
            Ok(s) => s,
            Err(e) => return err(format!("bad shard {}/{}: {e}", p.shard, p.shards)),
        };
        if p.manto_version != VERSION {
            // Another version may simulate, round or order differently: its records are
            // not this version's, and a merged study must be one version's throughout.
            return err(format!(
                "written by manto {}, this is manto {VERSION}: run the shards with one version",
                p.manto_version
            ));
        }
        if sha256_hex(&p.scenario) != p.scenario_sha256 {
            return err("its scenario does not match its scenario_sha256 (edited?)".into());
        }
        if p.indices != shard.indices(p.total) {
            return err(format!(
                "its indices are not those of shard {shard} of {} (i mod {} = {})",
                p.total, p.shards, p.shard
            ));
        }
        if p.records.len() != p.indices.len() {
            return err(format!(
                "{} records for {} indices",
                p.records.len(),
                p.indices.len()
            ));
        }
        // The part against the first.
        let fields: [(&str, String, String); 7] = [
            (
                "manto version",
                p.manto_version.clone(),
                first.manto_version.clone(),
            ),
            ("command", p.command.clone(), first.command.clone()),
            (
                "scenario (sha256)",
                p.scenario_sha256.clone(),
                first.scenario_sha256.clone(),
            ),
            ("seed", p.seed.to_string(), first.seed.to_string()),
            (
                "shard count N",
                p.shards.to_string(),
                first.shards.to_string(),
            ),
            ("index count", p.total.to_string(), first.total.to_string()),
            ("options", p.options.clone(), first.options.clone()),
        ];
        for (what, mine, theirs) in fields {
            if mine != theirs {
                let keys = if what == "options" {
                    differing_keys(&mine, &theirs)
                } else {
                    String::new()
                };
                return err(format!(
                    "not a shard of the same study as {first_name}: {what} `{mine}`, not `{theirs}`{keys}"
                ));
            }
        }
        if seen.is_empty() {
            seen = vec![None; p.shards as usize];
        }
        let slot = &mut seen[p.shard as usize];
        if let Some(other) = slot {
            return err(format!("shard {shard} given twice (also {other})"));
        }
        *slot = Some(name.as_str());
    }
    Ok(seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(k, _)| k as u32)
        .collect())
}

/// The keys in which two `options` texts (JSON objects) differ, as ` (KEY, KEY differ)` in
/// alphabetical order; empty when either is not an object.
fn differing_keys(a: &str, b: &str) -> String {
    use serde_json::{Map, Value};
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) else {
        return String::new();
    };
    let differs = |k: &String, m: &Map<String, Value>, o: &Map<String, Value>| m.get(k) != o.get(k);
    let mut keys: Vec<&String> = a.keys().filter(|k| differs(k, &a, &b)).collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    match keys.len() {
        0 => String::new(),
        1 => format!(" ({} differs)", keys[0]),
        _ => {
            let names: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
            format!(" ({} differ)", names.join(", "))
        }
    }
}

/// A complete study put back together: its scenario, its command and every record in
/// index order.
#[derive(Debug)]
pub struct Merged<R> {
    /// The command that made the partials.
    pub command: String,
    /// Its options beyond the scenario (JSON text, `{}` when none).
    pub options: String,
    /// The scenario (overrides applied), parsed from the partials' text.
    pub scenario: Scenario,
    /// That text.
    pub text: String,
    /// One record per index `0..total`, in index order.
    pub records: Vec<R>,
}

/// [`check`], and an error listing the missing shards when there are any.
pub fn check_complete<R>(parts: &[(String, Partial<R>)]) -> Result<(), StudyError> {
    let missing = check(parts)?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(StudyError::usage(
        "merge",
        format!(
            "incomplete study: missing shard(s) {} of {} (`manto merge --missing` lists them)",
            ranges(&missing),
            parts[0].1.shards
        ),
    ))
}

/// Most runs of consecutive shard numbers [`ranges`] writes out.
const MAX_RANGES_SHOWN: usize = 20;

/// Ascending shard numbers as runs: `0-3, 5, 7-999999`; past [`MAX_RANGES_SHOWN`] runs,
/// the first ones and how many more (so a message stays one short line whatever N).
pub fn ranges(sorted: &[u32]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &k in sorted {
        match runs.last_mut() {
            Some((_, hi)) if k == *hi + 1 => *hi = k,
            _ => runs.push((k, k)),
        }
    }
    let shown: Vec<String> = runs
        .iter()
        .take(MAX_RANGES_SHOWN)
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    let mut text = shown.join(", ");
    if runs.len() > MAX_RANGES_SHOWN {
        text.push_str(&format!(
            " and {} more runs ({} shards in all)",
            runs.len() - MAX_RANGES_SHOWN,
            sorted.len()
        ));
    }
    text
}

/// Checks that `parts` (file name, partial) are every shard of one study exactly once,
/// that each part's records match its `records_sha256` and that every record has the shape
/// its scenario gives ([`Record`]), and returns the records in index order; a missing
/// shard is an error listing them.
pub fn merge<R: Record + Serialize>(
    parts: Vec<(String, Partial<R>)>,
) -> Result<Merged<R>, StudyError> {
    check_complete(&parts)?;
    let (name, first) = &parts[0];
    let scenario = scenario::parse(&first.scenario, name).map_err(StudyError::Input)?;
    let text = first.scenario.clone();
    let command = first.command.clone();
    let options = first.options.clone();
    let total = first.total;
    let mut parts = parts;
    parts.sort_by_key(|(_, p)| p.shard);
    for (name, p) in &parts {
        if records_sha256(&p.records).ok().as_deref() != Some(p.records_sha256.as_str()) {
            return Err(StudyError::usage(
                name,
                "its records do not match its records_sha256 (edited, reordered or damaged?)",
            ));
        }
    }
    if let Some(lowest) = parts[0].1.records.first() {
        for (name, p) in &parts {
            for (j, (r, &i)) in p.records.iter().zip(&p.indices).enumerate() {
                if let Some(m) = r.shape_error(i, &scenario, lowest) {
                    return Err(StudyError::usage(
                        name,
                        format!(
                            "record {} (index {i}) does not fit its scenario: {m}",
                            j + 1
                        ),
                    ));
                }
            }
        }
    }
    let parts: Vec<Partial<R>> = parts.into_iter().map(|(_, p)| p).collect();
    let n = parts.len() as u64;
    let mut iters: Vec<std::vec::IntoIter<R>> =
        parts.into_iter().map(|p| p.records.into_iter()).collect();
    let mut records = Vec::with_capacity(total as usize);
    for i in 0..total {
        // Index i is the (i / n)-th record of shard i mod n: checked above.
        if let Some(r) = iters[(i % n) as usize].next() {
            records.push(r);
        }
    }
    Ok(Merged {
        command,
        options,
        scenario,
        text,
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_syntax() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { k: 3, n: 8 }));
        assert_eq!("0/1".parse::<Shard>(), Ok(Shard::ALL));
        for bad in [
            "", "3", "8/8", "9/8", "0/0", "-1/4", "a/4", "1/b", "1/2/3", "1.5/4",
        ] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_cover_every_index_once() {
        for n in 1..=9u32 {
            for total in 0..30u64 {
                let mut all: Vec<u64> =
                    (0..n).flat_map(|k| Shard { k, n }.indices(total)).collect();
                all.sort_unstable();
                assert_eq!(all, (0..total).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn missing_shards_are_written_as_runs() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[1, 5]), "1, 5");
        assert_eq!(ranges(&[0, 1, 2, 3, 5, 7, 8, 9]), "0-3, 5, 7-9");
        let lone: Vec<u32> = (0..1_000_000).filter(|&k| k != 17).collect();
        assert_eq!(ranges(&lone), "0-16, 18-999999");
        let every_other: Vec<u32> = (0..1000).step_by(2).collect();
        let text = ranges(&every_other);
        assert!(
            text.ends_with(" and 480 more runs (500 shards in all)"),
            "{text}"
        );
        assert!(text.len() < 200, "{text}");
    }

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
