//! The `manto` command: parses arguments, turns flags into scenario overrides, calls the
//! study library and renders. It holds no model logic. One exit point ([`main`] over
//! [`try_main`]): bad input or usage exits 2 with one `error:` line per problem naming the
//! file, line and key (or the flag); a failure to write an output exits 1; a NaN or an
//! infinity reaching an output (an internal error) exits 3, nothing written.

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use report::export::{CsvExporter, ExportError, Exporter, JsonExporter, Output, TerminalExporter};
use report::output::{OutputError, OutputSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use study::shard::{Partial, Shard};
use study::{Override, SizeOptions, StudyError};

#[derive(Parser)]
#[command(
    name = "manto",
    version,
    about = "Evaluate an underground room-and-pillar mine from the cut cycle to the debt cover"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `manto` alone is `manto run`, and takes its flags
    #[command(flatten)]
    run: RunArgs,
}

/// Options every command that runs a scenario takes.
#[derive(Args, Clone, Default)]
struct Common {
    /// Scenario: a bundled name (see `manto scenario list`) or a TOML file; default `boleo`
    scenario: Option<String>,
    /// Override a scenario key: KEY is its dotted path as errors print it
    /// (`section.bolters.count`, `section.miner.failures[0].tbf_h`), VALUE is TOML
    /// (`2`, `"text"`, `{ dist = "exponential", mean = 25 }`); repeatable, applied in order
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Base random seed (default: the scenario's `simulation.seed`)
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    out: OutputArgs,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
}

/// Where a result goes besides the terminal: every command that prints one, and `merge`.
#[derive(Args, Clone, Default)]
struct OutputArgs {
    /// Write the full result as JSON to this path
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the result tables as CSV (table,row,column,value) to this path
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Print tables at full width instead of splitting them to fit the terminal
    #[arg(long)]
    wide: bool,
}

/// `--shard K/N --out PATH`: the commands whose work is a set of independent indices.
#[derive(Args, Clone, Default)]
struct ShardArgs {
    /// Run only shard K of N (the indices i with i mod N = K, numbered from 0) and write
    /// a partial result to `--out`; `manto merge` puts the N parts together
    #[arg(long, value_name = "K/N", requires = "out", conflicts_with_all = ["json", "csv", "wide"])]
    shard: Option<Shard>,
    /// Where `--shard` writes its partial result (replaced atomically; `-` is standard output)
    #[arg(long, value_name = "PATH", requires = "shard")]
    out: Option<PathBuf>,
}

/// `manto section`.
#[derive(Args, Clone, Default)]
struct SectionArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    shard: ShardArgs,
    /// Days counted per replication (scenario key `simulation.days`)
    #[arg(long)]
    days: Option<u32>,
    /// Warm-up days discarded before counting (scenario key `simulation.warmup_days`)
    #[arg(long)]
    warmup_days: Option<u32>,
    /// Independent replications (scenario key `simulation.replications`)
    #[arg(long)]
    replications: Option<u32>,
    /// Units of the production and sections-needed tables: metric (m, t) or imperial (ft,
    /// short tons); default: the scenario's top-level `units`, else metric. JSON stays metric
    #[arg(long, value_name = "SYSTEM", value_parser = ["metric", "imperial"])]
    units: Option<String>,
}

/// `manto schedule` and `manto finance`.
#[derive(Args, Clone, Default)]
struct ScheduleArgs {
    #[command(flatten)]
    common: Common,
    /// Operating years to schedule (scenario key `schedule.years`)
    #[arg(long)]
    years: Option<u32>,
    /// Life-of-mine replications (scenario key `schedule.replications`)
    #[arg(long)]
    replications: Option<u32>,
}

/// `manto schedule`.
#[derive(Args, Clone, Default)]
struct ScheduleCmd {
    #[command(flatten)]
    sched: ScheduleArgs,
    #[command(flatten)]
    shard: ShardArgs,
}

/// `manto merge`.
#[derive(Args, Clone)]
struct MergeArgs {
    /// Partial result files written by `--shard K/N --out PATH`, in any order
    #[arg(required = true, value_name = "PARTS")]
    parts: Vec<PathBuf>,
    /// Print the shard numbers still to run, one per line (nothing when none), instead of
    /// merging
    #[arg(long, conflicts_with_all = ["json", "csv", "wide"])]
    missing: bool,
    #[command(flatten)]
    out: OutputArgs,
    /// Risk parts: write every iteration as a wide CSV here (as `manto risk --iterations-csv`)
    #[arg(long, value_name = "PATH", conflicts_with = "missing")]
    iterations_csv: Option<PathBuf>,
    /// No progress bar (merge shows one while it reads and checks the parts)
    #[arg(long, short)]
    quiet: bool,
}

/// `manto finance`.
#[derive(Args, Clone, Default)]
struct FinanceArgs {
    #[command(flatten)]
    sched: ScheduleArgs,
    /// Run one bank case (see `manto cases`), with the debt sized on the base case
    #[arg(long)]
    case: Option<String>,
    #[command(flatten)]
    hold: HoldDebt,
}

/// `--hold-debt`: the finance commands.
#[derive(Args, Clone, Default)]
struct HoldDebt {
    /// Keep the debt the banks sized on the scenario before its `--set` overrides (loan
    /// and repayment profile), instead of re-sizing it on the overridden scenario: how the
    /// bank cases and breakevens of `manto cases` hold it
    #[arg(long)]
    hold_debt: bool,
}

/// `manto cases`.
#[derive(Args, Clone, Default)]
struct CasesArgs {
    #[command(flatten)]
    sched: ScheduleArgs,
    #[command(flatten)]
    hold: HoldDebt,
}

/// `manto run`.
#[derive(Args, Clone, Default)]
struct RunArgs {
    #[command(flatten)]
    common: Common,
    /// Days counted per section replication (scenario key `simulation.days`)
    #[arg(long)]
    days: Option<u32>,
    /// Warm-up days of the section study (scenario key `simulation.warmup_days`)
    #[arg(long)]
    warmup_days: Option<u32>,
    /// Replications of the section study and of the life of mine (scenario keys
    /// `simulation.replications` and `schedule.replications`)
    #[arg(long)]
    replications: Option<u32>,
    /// Operating years to schedule (scenario key `schedule.years`)
    #[arg(long)]
    years: Option<u32>,
    #[command(flatten)]
    hold: HoldDebt,
}

/// `manto size`.
#[derive(Args, Clone)]
#[command(mut_arg("scenario", |a| a.help(
    "Scenario: a bundled name or a TOML file; default: both `boleo` and `boleo-trial1`"
)))]
struct SizeArgs {
    #[command(flatten)]
    common: Common,
    /// Section-years simulated per per-section fleet (scenario key `simulation.replications`)
    #[arg(long)]
    replications: Option<u32>,
    /// Days simulated per section-year sample (its mean per shift is scaled to a year)
    #[arg(long, default_value_t = SizeOptions::DEFAULT.days)]
    days: u32,
    /// Warm-up days before each section-year sample
    #[arg(long, default_value_t = SizeOptions::DEFAULT.warmup_days)]
    warmup_days: u32,
    /// Plant feed target in Mt/y of dry ore (default: each of the scenario's targets)
    #[arg(long)]
    target_dry_mtpa: Option<f64>,
    /// Probability the fleet must meet the target with
    #[arg(long, default_value_t = SizeOptions::DEFAULT.confidence)]
    confidence: f64,
    /// Most roof bolters per section to try
    #[arg(long, default_value_t = SizeOptions::DEFAULT.max_bolters)]
    max_bolters: u32,
    /// Most haulers per section to try
    #[arg(long, default_value_t = SizeOptions::DEFAULT.max_haulers)]
    max_haulers: u32,
    #[command(flatten)]
    shard: ShardArgs,
}

/// `manto report`: the common flags that apply (no `--json`, `--csv` or `--wide`: the
/// report writes its own files) and the two outputs, at least one of them.
#[derive(Args, Clone)]
#[command(group(clap::ArgGroup::new("outputs").required(true).multiple(true).args(["html", "xlsx"])))]
struct ReportArgs {
    /// Scenario: a bundled name (see `manto scenario list`) or a TOML file; default `boleo`
    scenario: Option<String>,
    /// Override a scenario key (as for the other commands); repeatable, applied in order
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Base random seed (default: the scenario's `simulation.seed`)
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
    /// Write the HTML report (self-contained: inline SVG charts and CSS) to this path
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Write the Excel workbook (inputs, time flags, live-formula calculations, outputs)
    #[arg(long, value_name = "PATH")]
    xlsx: Option<PathBuf>,
    /// Require the risk study (it runs whenever the scenario has a [risk] table; an error
    /// when it has none)
    #[arg(long)]
    risk: bool,
    /// Risk iterations (scenario key `risk.iterations`); only with a [risk] table
    #[arg(long)]
    iterations: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate one continuous-miner section: tonnes per shift, machine states, bottleneck
    Section(SectionArgs),
    /// Simulate the life of mine: sections panel by panel, open pit, stockpile and plant,
    /// by year and quarter
    Schedule(ScheduleCmd),
    /// Project economics and financing: cash flows, taxes, debt, statements, returns
    /// (`--years` and `--replications` apply when the production source is the schedule)
    Finance(FinanceArgs),
    /// Bank cases: every standard downside (prices, capex, opex, production, delay, ramp-up,
    /// combined) and the scenario's own, with the debt sized on the base case and held
    /// fixed; the sensitivity table and the breakevens
    Cases(CasesArgs),
    /// The main job: section study, life-of-mine schedule and finance, with a headline;
    /// each life-of-mine replication is also valued on its own
    Run(RunArgs),
    /// Fleet sizing: the fewest sections (and bolters and haulers per section) meeting a
    /// plant feed target with a given probability. Without a scenario: `boleo` and
    /// `boleo-trial1` (trial-2 and trial-1 bolting), each for the scenario's targets
    Size(SizeArgs),
    /// Put the partial results of a study run in shards (`--shard K/N`) together: the
    /// output is byte-identical to the unsharded run's; `--missing` lists the shards to run
    Merge(MergeArgs),
    /// Monte Carlo risk from the face to the debt cover: every iteration draws the
    /// scenario's uncertain inputs and price paths, simulates the mine and values it with
    /// the debt sized once and held fixed. Without a scenario: `boleo-risk`, the El Boleo
    /// study dated mid-2007
    Risk(RiskArgs),
    /// Build and financing schedule risk: the CPM of the scenario's [construction]
    /// network (or a P6 XER or MS Project XML file) with floats and the critical path, and
    /// the Monte Carlo of its risk drivers, risk register and financing window: milestone
    /// P10-P90 dates, criticality and cruciality, merge bias, the cost S-curve
    Build(BuildArgs),
    /// Back-testing: what happened placed on a risk study's distribution (each actual's
    /// percentile, the futures nearest it, calibration and proper scores), after the
    /// hindsight lint. Without arguments: the bundled 2007 El Boleo study against the
    /// bundled El Boleo actuals
    Backtest(BacktestArgs),
    /// Reports people read: an HTML report with charts (summary, mine, finance, risk) and
    /// an Excel workbook whose finance rows are live formulas; runs the main job, the bank
    /// cases, one traced shift and, when the scenario has a [risk] table, the risk study
    Report(ReportArgs),
    /// List or print the bundled scenarios
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
}

/// `manto build`.
#[derive(Args, Clone)]
#[command(mut_arg("scenario", |a| a.help(
    "Scenario with a [construction] table (bundled name or TOML file; default `boleo-build`), \
     or a Primavera P6 XER (.xer) or MS Project XML (.xml) schedule file"
)))]
struct BuildArgs {
    #[command(flatten)]
    common: Common,
    /// Monte Carlo iterations (scenario key `construction.iterations`; for a schedule file,
    /// default 1000)
    #[arg(long)]
    iterations: Option<u64>,
    /// Day 0 of a schedule file's network, YYYY-MM-DD (default: the file's project start);
    /// a scenario's is `construction.start_date`
    #[arg(long, value_name = "YYYY-MM-DD")]
    start_date: Option<String>,
    /// Write every iteration's milestone days and dates and its cost as a wide CSV here
    #[arg(long, value_name = "PATH")]
    iterations_csv: Option<PathBuf>,
}

/// `manto risk`.
#[derive(Args, Clone)]
#[command(mut_arg("scenario", |a| a.help(
    "Scenario with a [risk] table: a bundled name or a TOML file; default `boleo-risk`"
)))]
struct RiskArgs {
    #[command(flatten)]
    common: Common,
    /// Iterations (scenario key `risk.iterations`)
    #[arg(long)]
    iterations: Option<u64>,
    /// `latin_hypercube` or `monte_carlo` (scenario key `risk.sampling`)
    #[arg(long, value_parser = ["latin_hypercube", "monte_carlo"])]
    sampling: Option<String>,
    /// Run the full DES life of mine in every iteration instead of the fast path (about
    /// 4 CPU-seconds an iteration for El Boleo: for large machines and clusters)
    #[arg(long)]
    exact: bool,
    /// Write every iteration (inputs drawn, average prices, outputs) as a wide CSV here
    #[arg(long, value_name = "PATH", conflicts_with = "shard")]
    iterations_csv: Option<PathBuf>,
    #[command(flatten)]
    shard: ShardArgs,
}

/// `manto backtest`.
#[derive(Args, Clone)]
#[command(mut_arg("scenario", |a| a.help(
    "Risk study (a [risk] table, dated): a bundled name or a TOML file; default `boleo-risk`"
)))]
struct BacktestArgs {
    #[command(flatten)]
    common: Common,
    /// Actuals file: TOML (`[[actual]]` tables) or CSV (a name ending `.csv`); default:
    /// the bundled El Boleo actuals (docs/backtest.md)
    #[arg(long, value_name = "FILE")]
    actuals: Option<PathBuf>,
    /// Iterations (scenario key `risk.iterations`)
    #[arg(long)]
    iterations: Option<u64>,
    /// Run a study the hindsight lint refuses; every output then says so
    #[arg(long)]
    allow_hindsight: bool,
    /// Full DES life of mine in every iteration instead of the fast path
    #[arg(long)]
    exact: bool,
    /// Write an HTML page drawing each actual on the study's S-curve and fan chart
    #[arg(long, value_name = "PATH", conflicts_with = "shard")]
    html: Option<PathBuf>,
    #[command(flatten)]
    shard: ShardArgs,
}

#[derive(Subcommand)]
enum ScenarioAction {
    /// List the bundled scenarios
    List,
    /// Print a scenario's TOML (bundled name or file; default `boleo`), with any `--set`
    /// overrides applied, to copy and edit
    Show {
        /// Bundled scenario name or file
        name: Option<String>,
        /// Override a scenario key (as for the other commands); repeatable
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
}

/// Every way the command can fail, with its exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    /// Bad scenario, override or flag: exit 2.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// An output destination is unusable (exit 2) or could not be written (exit 1).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// An output could not be serialised: exit 1.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A partial result could not be serialised exactly: exit 1.
    #[error("cannot write the partial result (--out): {0}")]
    Partial(String),
    /// A NaN or an infinity reached an output (a bug: bounded inputs cannot make one):
    /// exit 3, nothing written.
    #[error("internal error: {0}; nothing was written (please report it with the scenario)")]
    NonFinite(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Study(_) => 2,
            CliError::Output(
                OutputError::IsDirectory { .. }
                | OutputError::NoFileName { .. }
                | OutputError::Resolve { .. }
                | OutputError::SameDestination { .. },
            ) => 2,
            CliError::Output(_) | CliError::Export(_) | CliError::Partial(_) => 1,
            CliError::NonFinite(_) => 3,
        }
    }

    fn lines(&self) -> Vec<String> {
        match self {
            CliError::Study(e) => e.lines(),
            other => vec![other.to_string()],
        }
    }
}

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.lines() {
                eprintln!("error: {}", escape_controls(&line));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// `text` with its control characters (an escape sequence, a carriage return, a bell: from
/// a file name, a key or a value echoed in a message) written as Rust escapes (`\u{1b}`),
/// so a message cannot drive the terminal; line breaks between problems stay.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `manto NAME` where NAME is neither a bundled scenario nor a file: when NAME is close to
/// a command (`manto shedule`), the error says so instead of only "no such file".
fn check_command_typo(name: &str) -> Result<(), CliError> {
    use clap::CommandFactory;
    if study::bundled(name).is_some() || Path::new(name).exists() {
        return Ok(());
    }
    let commands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| format!("`{}`", c.get_name()))
        .collect();
    let message = study::with_hint(&format!(
        "unknown variant `{name}`, expected one of {}",
        commands.join(", ")
    ));
    if let Some((_, hint)) = message.split_once("; did you mean ") {
        let names: Vec<&str> = study::BUNDLED.iter().map(|b| b.name).collect();
        return Err(StudyError::usage(
            name,
            format!(
                "no such file, not a bundled scenario (bundled: {}) and not a command; did you mean {}",
                names.join(", "),
                hint.replacen('`', "`manto ", 1)
            ),
        )
        .into());
    }
    Ok(())
}

fn try_main() -> Result<(), CliError> {
    report::output::install_interrupt_cleanup()?;
    let cli = Cli::parse();
    if let (None, Some(name)) = (&cli.command, &cli.run.common.scenario) {
        check_command_typo(name)?;
    }
    let command = cli.command.unwrap_or(Command::Run(cli.run));
    match command {
        Command::Section(a) => {
            let ov = [
                flag("--days", "simulation.days", a.days),
                flag("--warmup-days", "simulation.warmup_days", a.warmup_days),
                flag("--replications", "simulation.replications", a.replications),
            ];
            if let (Some(shard), Some(path)) = (a.shard.shard, &a.shard.out) {
                if a.units.is_some() {
                    return Err(StudyError::usage(
                        "--units",
                        "has no effect with --shard: a part holds the replications' records, not tables (`manto merge` prints them in metric units)",
                    )
                    .into());
                }
                return run_shard(
                    ShardJob {
                        command: "section",
                        options: &no_options,
                        common: &a.common,
                        flags: &ov,
                        shard,
                        out: path,
                    },
                    |s| u64::from(s.simulation.replications),
                    study::Estimate::section,
                    |s, idx, p| Ok(study::section_replications(s, idx, p)),
                );
            }
            let out = Outputs::new(&a.common)?;
            // A full scenario or a section-only one (its section tables alone).
            let s = study::load_section(a.common.scenario.as_deref(), &overrides(&a.common, &ov)?)?;
            announce(
                study::Estimate::section(&s),
                s.simulation.replications,
                &a.common,
            );
            let r = study::section_study(&s, &bar(&a.common));
            let units = a
                .units
                .as_deref()
                .and_then(study::UnitSystem::parse)
                .unwrap_or(s.units);
            out.emit(&report::SectionInUnits { report: &r, units })
        }
        Command::Schedule(cmd) => {
            let a = &cmd.sched;
            if let (Some(shard), Some(path)) = (cmd.shard.shard, &cmd.shard.out) {
                return run_shard(
                    ShardJob {
                        command: "schedule",
                        options: &no_options,
                        common: &a.common,
                        flags: &schedule_flags(a),
                        shard,
                        out: path,
                    },
                    |s| u64::from(s.schedule.replications),
                    study::Estimate::schedule,
                    |s, idx, p| Ok(study::schedule_trials_for(s, idx, p)),
                );
            }
            let out = Outputs::new(&a.common)?;
            let s = load(&a.common, &schedule_flags(a))?;
            announce(
                study::Estimate::schedule(&s),
                s.schedule.replications,
                &a.common,
            );
            let r = study::schedule(&s, &bar(&a.common));
            out.emit(&r)
        }
        Command::Finance(f) => {
            let a = &f.sched;
            let out = Outputs::new(&a.common)?;
            let mut s = load_finance(a)?;
            let progress = bar(&a.common);
            hold_debt(&f.hold, &a.common, &schedule_flags(a), &mut s)?;
            match &f.case {
                Some(name) => {
                    let r = study::finance_case(&s, name, &progress)?;
                    out.emit(&report::CaseFinance {
                        case: name,
                        result: &r,
                    })
                }
                None => out.emit(&study::finance_study(&s, &progress)),
            }
        }
        Command::Cases(c) => {
            let a = &c.sched;
            let out = Outputs::new(&a.common)?;
            let mut s = load_finance(a)?;
            hold_debt(&c.hold, &a.common, &schedule_flags(a), &mut s)?;
            let r = study::cases(&s, &bar(&a.common));
            out.emit(&r)
        }
        Command::Run(a) => {
            let ov = [
                flag("--days", "simulation.days", a.days),
                flag("--warmup-days", "simulation.warmup_days", a.warmup_days),
                flag("--replications", "simulation.replications", a.replications),
                flag("--replications", "schedule.replications", a.replications),
                flag("--years", "schedule.years", a.years),
            ];
            let out = Outputs::new(&a.common)?;
            let mut s = load(&a.common, &ov)?;
            hold_debt(&a.hold, &a.common, &ov, &mut s)?;
            let cost = study::Estimate::section(&s).plus(study::Estimate::schedule(&s));
            announce(cost, s.schedule.replications, &a.common);
            let r = study::run(&s, &bar(&a.common));
            out.emit(&r)
        }
        Command::Size(a) => size(&a),
        Command::Merge(a) => merge(&a),
        Command::Risk(a) => risk(a),
        Command::Build(a) => build(a),
        Command::Backtest(a) => backtest(a),
        Command::Report(a) => report(&a),
        Command::Scenario { action } => match action {
            ScenarioAction::List => {
                let w = study::BUNDLED
                    .iter()
                    .map(|b| b.name.len())
                    .max()
                    .unwrap_or(0);
                for b in study::BUNDLED {
                    println!("{:<w$} {}", b.name, b.summary);
                }
                Ok(())
            }
            ScenarioAction::Show { name, set } => {
                let ov = set
                    .iter()
                    .map(|s| Override::parse_set(s))
                    .collect::<Result<Vec<_>, _>>()?;
                print!("{}", study::text(name.as_deref(), &ov)?);
                Ok(())
            }
        },
    }
}

/// `--hold-debt`: sizes the debt on the scenario loaded without its `--set` overrides
/// (the command's flags and `--seed` kept) and makes `s` hold it. Refused without `--set`,
/// where it would change nothing.
fn hold_debt(
    h: &HoldDebt,
    c: &Common,
    flags: &[Option<Override>],
    s: &mut study::Scenario,
) -> Result<(), CliError> {
    if !h.hold_debt {
        return Ok(());
    }
    if c.set.is_empty() {
        return Err(StudyError::usage(
            "--hold-debt",
            "has no effect without --set: it holds the debt of the scenario before its --set overrides",
        )
        .into());
    }
    let base = study::load(c.scenario.as_deref(), &flag_overrides(c, flags))?;
    study::hold_debt(s, &base, &bar(c));
    Ok(())
}

/// The options of a command with none beyond its scenario.
fn no_options(_: &study::Scenario) -> String {
    "{}".into()
}

/// The override a flag stands for, when it was given.
fn flag(name: &'static str, key: &str, value: Option<u32>) -> Option<Override> {
    value.map(|v| Override::flag(name, key, v))
}

/// Loads the scenario of a finance command: `--years` and `--replications` only mean
/// something when the production source is the schedule, and are refused otherwise.
fn load_finance(a: &ScheduleArgs) -> Result<study::Scenario, CliError> {
    let s = load(&a.common, &schedule_flags(a))?;
    if s.uses_production_table() {
        for (name, given) in [
            ("--years", a.years.is_some()),
            ("--replications", a.replications.is_some()),
        ] {
            if given {
                return Err(StudyError::usage(
                    name,
                    "has no effect: finance.production_source is \"table\", so no schedule is run",
                )
                .into());
            }
        }
    } else {
        announce(
            study::Estimate::schedule(&s),
            s.schedule.replications,
            &a.common,
        );
    }
    Ok(s)
}

fn schedule_flags(a: &ScheduleArgs) -> [Option<Override>; 2] {
    [
        flag("--years", "schedule.years", a.years),
        flag("--replications", "schedule.replications", a.replications),
    ]
}

/// Sets up the thread pool and loads the scenario with `--set`, then the command's flags
/// (a flag wins over a `--set` of the same key), then `--seed`.
fn load(c: &Common, flags: &[Option<Override>]) -> Result<study::Scenario, CliError> {
    let ov = overrides(c, flags)?;
    Ok(study::load(c.scenario.as_deref(), &ov)?)
}

/// Sets up the thread pool and collects the overrides: `--set`, then the command's flags,
/// then `--seed`.
fn overrides(c: &Common, flags: &[Option<Override>]) -> Result<Vec<Override>, CliError> {
    if let Some(n) = c.threads {
        let max = study::MAX_THREADS;
        if n == 0 || n > max {
            return Err(StudyError::usage("--threads", format!("must be 1 to {max}")).into());
        }
        // Only fails if a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let mut ov = c
        .set
        .iter()
        .map(|s| Override::parse_set(s))
        .collect::<Result<Vec<_>, _>>()?;
    ov.extend(flag_overrides(c, flags));
    Ok(ov)
}

/// The command's flags, then `--seed`: the overrides other than `--set`.
fn flag_overrides(c: &Common, flags: &[Option<Override>]) -> Vec<Override> {
    let mut ov: Vec<Override> = flags.iter().flatten().cloned().collect();
    if let Some(seed) = c.seed {
        ov.push(Override::flag("--seed", "simulation.seed", seed));
    }
    ov
}

/// What a sharded run is: the command, its options, the shard and where it goes.
struct ShardJob<'a> {
    command: &'static str,
    /// The command's options beyond the scenario, as JSON (`{}` when none), from the
    /// scenario as loaded (a plan may repeat a scenario value, as `size` its replications).
    options: &'a dyn Fn(&study::Scenario) -> String,
    common: &'a Common,
    flags: &'a [Option<Override>],
    shard: Shard,
    out: &'a Path,
}

/// Runs one shard of a study: the records of the shard's indices, written with the
/// scenario text (overrides applied) as a partial result, atomically.
fn run_shard<R: serde::Serialize + serde::de::DeserializeOwned>(
    job: ShardJob,
    total: impl Fn(&study::Scenario) -> u64,
    estimate: impl Fn(&study::Scenario) -> study::Estimate,
    work: impl Fn(&study::Scenario, &[u64], &dyn study::Progress) -> Result<Vec<R>, CliError>,
) -> Result<(), CliError> {
    let c = job.common;
    let set = OutputSet::new(&[("--out", job.out)])?;
    let ov = overrides(c, job.flags)?;
    let text = study::text(c.scenario.as_deref(), &ov)?;
    let file = c.scenario.clone().unwrap_or_else(|| study::DEFAULT.into());
    let s = study::parse(&text, &file).map_err(StudyError::Input)?;
    let total = total(&s);
    let indices = job.shard.indices(total);
    let share = indices.len() as f64 / total.max(1) as f64;
    let e = estimate(&s);
    let part_cost = study::Estimate {
        section_days: e.section_days * share,
        cpu_seconds: e.cpu_seconds * share,
        memory_bytes: e.memory_bytes * share,
    };
    announce(part_cost, indices.len().min(u32::MAX as usize) as u32, c);
    let records = work(&s, &indices, &bar(c))?;
    let options = (job.options)(&s);
    let part = Partial::with_options(
        job.command,
        &text,
        &options,
        s.simulation.seed,
        job.shard,
        total,
        records,
    );
    let bytes = part.to_json().map_err(CliError::Partial)?;
    set.commit(&[bytes])?;
    if !c.quiet {
        eprintln!(
            "wrote {} (shard {} of {} {}: {} of {} indices)",
            job.out.display(),
            job.shard,
            job.command,
            s.name,
            indices.len(),
            total
        );
    }
    Ok(())
}

/// `manto merge`: checks that the parts are one complete study and renders it through the
/// same aggregate and exporters as the unsharded run; `--missing` lists the shards to run.
fn merge(a: &MergeArgs) -> Result<(), CliError> {
    let out = Outputs::with(
        &a.out,
        &[(
            "--iterations-csv",
            &a.iterations_csv,
            &report::export::DataCsvExporter,
        )],
    )?;
    // An output that is one of the parts would replace what is being read.
    for p in &a.parts {
        if let Some(d) = out.set.same_file(p) {
            return Err(StudyError::usage(
                d.flag().unwrap_or("output"),
                format!(
                    "{} is also an input part ({}): write the result elsewhere",
                    d.path().display(),
                    p.display()
                ),
            )
            .into());
        }
    }
    let progress = bar(&Common {
        quiet: a.quiet,
        ..Common::default()
    });
    progress.0.set_message("merge: checking parts");
    progress.0.set_length(a.parts.len() as u64);
    // Headers first (records skipped): every file is checked before any is kept.
    let mut headers = Vec::with_capacity(a.parts.len());
    for p in &a.parts {
        let name = p.display().to_string();
        let bytes = study::shard::read_part(p)?;
        headers.push((name.clone(), study::shard::parse_header(&name, &bytes)?));
        progress.0.inc(1);
    }
    let missing = study::shard::check(&headers)?;
    if a.missing {
        let mut text = String::new();
        for k in missing {
            text.push_str(&format!("{k}\n"));
        }
        print!("{text}");
        return Ok(());
    }
    study::shard::check_complete(&headers)?;
    let (first, header) = &headers[0];
    let command = header.command.clone();
    let first = first.clone();
    drop(headers);
    if command != "risk" && a.iterations_csv.is_some() {
        return Err(StudyError::usage(
            "--iterations-csv",
            format!("only for the parts of `manto risk`, not of `manto {command}`"),
        )
        .into());
    }
    match command.as_str() {
        "risk" => {
            let m = read_parts::<study::risk::IterationRecord>(&a.parts, &progress)?;
            let n = m.scenario.risk.as_ref().map_or(0, |r| r.iterations);
            check_total(&first, &m, n, "risk.iterations")?;
            let exact = match m.options.as_str() {
                o if o == risk_options(study::risk::RiskOptions { exact: true }) => true,
                o if o == risk_options(study::risk::RiskOptions { exact: false }) => false,
                other => {
                    return Err(
                        StudyError::usage(first, format!("unknown risk options `{other}`")).into(),
                    )
                }
            };
            let opts = study::risk::RiskOptions { exact };
            let plan = study::risk::RiskPlan::prepare(&m.scenario, opts, &study::Silent)?;
            out.emit(&study::risk::summarise(&plan, m.records)?)
        }
        "backtest" => {
            let m = read_parts::<study::risk::IterationRecord>(&a.parts, &progress)?;
            let n = m.scenario.risk.as_ref().map_or(0, |r| r.iterations);
            check_total(&first, &m, n, "risk.iterations")?;
            let o = study::backtest::ShardOptions::parse(&m.options, &first)?;
            let hindsight = study::backtest::lint::lint(&m.scenario)?;
            if !hindsight.is_empty() && !o.allow_hindsight {
                return Err(study::backtest::refusal(&hindsight, &m.text, &first).into());
            }
            let cat = study::backtest::Catalogue::of(&m.scenario);
            let actuals = study::backtest::actuals::parse(&o.actuals, &o.actuals_file, &cat)?;
            let opts = study::risk::RiskOptions { exact: o.exact };
            let plan = study::risk::RiskPlan::prepare(&m.scenario, opts, &study::Silent)?;
            let setting =
                study::backtest::Setting::of(&plan, &o.actuals_file, hindsight, o.allow_hindsight);
            out.emit(&study::backtest::backtest(setting, &m.records, &actuals))
        }
        "size" => {
            let m = read_parts::<f64>(&a.parts, &progress)?;
            let plan = study::SizePlan::parse(&m.options).map_err(|e| {
                StudyError::usage(&first, format!("unknown size options `{}`: {e}", m.options))
            })?;
            let reps = m.scenario.simulation.replications;
            if plan.replications != reps {
                return Err(StudyError::usage(
                    first,
                    format!(
                        "its options' replications {} are not its scenario's simulation.replications {reps}",
                        plan.replications
                    ),
                )
                .into());
            }
            let opts = plan.options();
            let n = study::size_units(&m.scenario, &opts)?;
            check_total(
                &first,
                &m,
                n,
                "max_bolters x max_haulers x simulation.replications",
            )?;
            let studies = study::size_of(&m.scenario, &opts, &m.records)?;
            out.emit(&report::SizingReport { studies })
        }
        "section" => {
            let m = read_parts::<study::shard::SectionRecord>(&a.parts, &progress)?;
            let n = m.scenario.simulation.replications;
            check_total(&first, &m, u64::from(n), "simulation.replications")?;
            out.emit(&study::section_summary(&m.scenario, &m.records))
        }
        "schedule" => {
            let m = read_parts::<study::shard::ScheduleRecord>(&a.parts, &progress)?;
            let n = m.scenario.schedule.replications;
            check_total(&first, &m, u64::from(n), "schedule.replications")?;
            out.emit(&study::schedule_of(&m.scenario, &m.records))
        }
        other => Err(StudyError::usage(
            first,
            format!("a partial result of `manto {other}`, which this manto cannot merge"),
        )
        .into()),
    }
}

/// The parts' index count must be the study's, as its scenario says (`key`).
fn check_total<R>(
    file: &str,
    m: &study::shard::Merged<R>,
    expected: u64,
    key: &str,
) -> Result<(), CliError> {
    let n = m.records.len() as u64;
    if n == expected {
        return Ok(());
    }
    Err(StudyError::usage(
        file,
        format!("the parts hold {n} indices but their scenario's {key} is {expected}"),
    )
    .into())
}

/// Reads every part with its records and merges them (checked again, now with records).
fn read_parts<R: serde::de::DeserializeOwned + serde::Serialize + study::shard::Record>(
    paths: &[PathBuf],
    progress: &dyn study::Progress,
) -> Result<study::shard::Merged<R>, CliError> {
    progress.phase("merge: reading records", paths.len() as u64);
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        let name = p.display().to_string();
        let bytes = study::shard::read_part(p)?;
        let part: Partial<R> = study::shard::parse(&name, &bytes)?;
        parts.push((name, part));
        progress.advance(1);
    }
    Ok(study::shard::merge(parts)?)
}

fn risk(mut a: RiskArgs) -> Result<(), CliError> {
    a.common
        .scenario
        .get_or_insert_with(|| study::risk::DEFAULT_SCENARIO.to_string());
    let mut ov = vec![a
        .iterations
        .map(|n| Override::flag("--iterations", "risk.iterations", n))];
    ov.push(
        a.sampling
            .as_ref()
            .map(|m| Override::flag("--sampling", "risk.sampling", format!("\"{m}\""))),
    );
    // `--iterations`, `--sampling` or a `--set risk.KEY` would make a [risk] table of
    // their own in a scenario without one: refuse it as `manto risk SCENARIO` alone does.
    let made_by = [
        a.iterations.map(|_| "--iterations".to_string()),
        a.sampling.as_ref().map(|_| "--sampling".to_string()),
        a.common
            .set
            .iter()
            .find(|s| s.trim_start().starts_with("risk.") || s.trim_start().starts_with("risk="))
            .map(|s| format!("--set {s}")),
    ];
    if let Some(flag) = made_by.into_iter().flatten().next() {
        let plain = study::load(a.common.scenario.as_deref(), &[])?;
        if plain.risk.is_none() {
            return Err(StudyError::usage(
                flag,
                format!(
                    "scenario `{}` has no [risk] table (the bundled risk study is `boleo-risk`; \
                     docs/risk.md shows how to write one)",
                    plain.name
                ),
            )
            .into());
        }
    }
    if let (Some(shard), Some(path)) = (a.shard.shard, &a.shard.out) {
        let opts = study::risk::RiskOptions { exact: a.exact };
        let options = risk_options(opts);
        return run_shard(
            ShardJob {
                command: "risk",
                options: &|_| options.clone(),
                common: &a.common,
                flags: &ov,
                shard,
                out: path,
            },
            |s| s.risk.as_ref().map_or(0, |r| r.iterations),
            |s| risk_estimate(s, a.exact),
            |s, idx, p| {
                warn_hindsight(s);
                risk_shard_records("risk", s, opts, idx, p)
            },
        );
    }
    let out = Outputs::with(
        &a.common.out,
        &[(
            "--iterations-csv",
            &a.iterations_csv,
            &report::export::DataCsvExporter,
        )],
    )?;
    let s = load(&a.common, &ov)?;
    warn_hindsight(&s);
    let opts = study::risk::RiskOptions { exact: a.exact };
    if a.exact {
        // Every iteration, the base case and the tornado's two runs per input and price
        // process each simulate a full life of mine.
        let n = s.risk.as_ref().map_or(0, |r| {
            r.iterations + 1 + 2 * (r.inputs.len() + r.prices.len()) as u64
        });
        announce(
            risk_estimate(&s, true),
            n.min(u64::from(u32::MAX)) as u32,
            &a.common,
        );
    } else {
        let n = s.risk.as_ref().map_or(0, |r| r.iterations);
        announce(
            risk_estimate(&s, false),
            n.min(u64::from(u32::MAX)) as u32,
            &a.common,
        );
    }
    let r = study::risk::run(&s, opts, &bar(&a.common))?;
    out.emit(&r)
}

fn build(mut a: BuildArgs) -> Result<(), CliError> {
    let out = Outputs::with(
        &a.common.out,
        &[(
            "--iterations-csv",
            &a.iterations_csv,
            &report::export::DataCsvExporter,
        )],
    )?;
    let is_file = a.common.scenario.as_deref().is_some_and(|n| {
        let l = n.to_ascii_lowercase();
        l.ends_with(".xer") || l.ends_with(".xml")
    });
    let (model, seed, n) = if is_file {
        let name = a.common.scenario.clone().unwrap_or_default();
        if !a.common.set.is_empty() {
            return Err(StudyError::usage(
                "--set",
                "a schedule file has no scenario keys: put the file in a scenario's [construction] table (`file = ...`) to add risks and costs",
            )
            .into());
        }
        overrides(&a.common, &[])?;
        let f = study::build::read_network_file(Path::new(&name), study::build::MAX_FILE_BYTES)
            .map_err(|e| StudyError::Input(vec![e]))?;
        let start = match a.start_date.clone().or_else(|| f.start_date.clone()) {
            Some(d) => d,
            None => {
                return Err(StudyError::usage(
                    "--start-date",
                    format!(
                    "{name} gives no project start date: give day 0 with --start-date YYYY-MM-DD"
                ),
                )
                .into())
            }
        };
        if study::build::date::parse(&start).is_none() {
            return Err(StudyError::usage(
                "--start-date",
                format!("`{start}` is not a date YYYY-MM-DD"),
            )
            .into());
        }
        let n = a.iterations.unwrap_or(1000);
        if n == 0 || n > study::build::MAX_ITERATIONS {
            return Err(StudyError::usage(
                "--iterations",
                format!("must be 1 to {}", study::build::MAX_ITERATIONS),
            )
            .into());
        }
        let model = study::build::Model::from_file(f, &start, n)
            .map_err(|e| StudyError::usage(name.clone(), e.to_string()))?;
        (model, a.common.seed.unwrap_or(1), n)
    } else {
        if a.start_date.is_some() {
            return Err(StudyError::usage(
                "--start-date",
                "only for a schedule file; a scenario's day 0 is `construction.start_date` (use --set)",
            )
            .into());
        }
        a.common
            .scenario
            .get_or_insert_with(|| study::build::DEFAULT_SCENARIO.to_string());
        let ov = [a
            .iterations
            .map(|n| Override::flag("--iterations", "construction.iterations", n))];
        let s = load(&a.common, &ov)?;
        let Some(model) = s.construction_model() else {
            return Err(StudyError::usage(
                "manto build",
                format!(
                    "scenario `{}` has no [construction] table (docs/build.md; the bundled `boleo-build` has one)",
                    s.name
                ),
            )
            .into());
        };
        let model = model?;
        let n = model.iterations;
        (model, s.simulation.seed, n)
    };
    let r = study::build::run(&model, seed, n, &bar(&a.common));
    out.emit(&r)
}

/// The file name a scenario argument is reported under (as `study::load` names it).
fn scenario_file(arg: &str) -> String {
    if study::bundled(arg).is_some() {
        format!("<bundled {arg}>")
    } else {
        arg.to_string()
    }
}

/// `manto backtest`: the hindsight lint first (refused unless `--allow-hindsight`), then
/// the actuals, then the study's iterations and the back-test.
fn backtest(mut a: BacktestArgs) -> Result<(), CliError> {
    let name = a
        .common
        .scenario
        .get_or_insert_with(|| study::backtest::DEFAULT_SCENARIO.to_string())
        .clone();
    let ov = [a
        .iterations
        .map(|n| Override::flag("--iterations", "risk.iterations", n))];
    let all = overrides(&a.common, &ov)?;
    let text = study::text(Some(&name), &all)?;
    let file = scenario_file(&name);
    let s = study::parse(&text, &file).map_err(StudyError::Input)?;
    if s.risk.is_none() {
        return Err(StudyError::usage(
            "SCENARIO",
            format!(
                "scenario `{}` has no [risk] table: a back-test places actuals on a risk study's distribution (the bundled one is `boleo-risk`)",
                s.name
            ),
        )
        .into());
    }
    // The lint runs before any actuals are read.
    let hindsight = study::backtest::lint::lint(&s)?;
    if !hindsight.is_empty() && !a.allow_hindsight {
        return Err(study::backtest::refusal(&hindsight, &text, &file).into());
    }
    let (actuals_text, actuals_file) = match &a.actuals {
        Some(p) => (study::backtest::read_actuals(p)?, p.display().to_string()),
        None => (
            study::backtest::BUNDLED_ACTUALS.to_string(),
            study::backtest::BUNDLED_ACTUALS_NAME.to_string(),
        ),
    };
    let cat = study::backtest::Catalogue::of(&s);
    let actuals = study::backtest::actuals::parse(&actuals_text, &actuals_file, &cat)?;
    if !hindsight.is_empty() && !a.common.quiet {
        eprintln!(
            "warning: --allow-hindsight: the study dated {} uses {} item(s) known only later",
            s.risk.as_ref().map_or("", |r| r.dated.as_str()),
            hindsight.len()
        );
    }
    let opts = study::risk::RiskOptions { exact: a.exact };
    if let (Some(shard), Some(path)) = (a.shard.shard, &a.shard.out) {
        let options = study::backtest::ShardOptions {
            exact: a.exact,
            allow_hindsight: a.allow_hindsight,
            actuals_file: actuals_file.clone(),
            actuals: actuals_text.clone(),
        }
        .to_json();
        return run_shard(
            ShardJob {
                command: "backtest",
                options: &|_| options.clone(),
                common: &a.common,
                flags: &ov,
                shard,
                out: path,
            },
            |s| s.risk.as_ref().map_or(0, |r| r.iterations),
            |s| risk_estimate(s, a.exact),
            |s, idx, p| risk_shard_records("backtest", s, opts, idx, p),
        );
    }
    let out = Outputs::new(&a.common)?;
    let html = match &a.html {
        Some(p) if p.as_os_str() == "-" => {
            return Err(StudyError::usage(
                "--html",
                "the page cannot go to standard output beside the terminal tables: give a file",
            )
            .into())
        }
        Some(p) => Some(OutputSet::new(&[("--html", p)])?),
        None => None,
    };
    let progress = bar(&a.common);
    let plan = study::risk::RiskPlan::prepare(&s, opts, &progress)?;
    let setting = study::backtest::Setting::of(&plan, &actuals_file, hindsight, a.allow_hindsight);
    let r = study::backtest::run(&plan, &actuals, setting, &progress)?;
    drop(progress);
    out.emit(&r)?;
    if let Some(set) = html {
        let page = report::html::backtest::render(&r).map_err(ExportError::Report)?;
        set.commit(&[page.into_bytes()])?;
        for d in set.destinations() {
            if !d.is_stdout() {
                eprintln!("wrote {}", d.path().display());
            }
        }
    }
    Ok(())
}

/// `manto risk` on a dated study: the hindsight lint's findings as warnings on standard
/// error (a risk study may use what it likes; a back-test of it may not).
fn warn_hindsight(s: &study::Scenario) {
    match study::backtest::lint::lint(s) {
        Ok(items) => {
            for h in items {
                eprintln!("warning: {}", h.message());
            }
        }
        Err(e) => {
            for line in e.lines() {
                eprintln!("warning: {line}");
            }
        }
    }
}

/// What a risk study costs: with `--exact` a life-of-mine trial per iteration; on the fast
/// path [`study::risk::FAST_SECONDS_PER_ITERATION`] an iteration (no section-days).
/// The risk iterations `idx` of a shard of `command` (`risk` or `backtest`): a study with
/// `[risk.precision]` is refused, as where it stops depends on the results.
fn risk_shard_records(
    command: &str,
    s: &study::Scenario,
    opts: study::risk::RiskOptions,
    idx: &[u64],
    p: &dyn study::Progress,
) -> Result<Vec<study::risk::IterationRecord>, CliError> {
    if s.risk.as_ref().is_some_and(|r| r.precision.is_some()) {
        return Err(StudyError::usage(
            "--shard",
            "the scenario's [risk.precision] stops at a block boundary that depends on the results, so its iterations cannot be split: remove the table to shard",
        )
        .into());
    }
    let plan = study::risk::RiskPlan::prepare(s, opts, p)?;
    p.phase(
        &format!("{command}: {} iterations", idx.len()),
        idx.len() as u64,
    );
    Ok(study::risk::iterations(&plan, idx, p)?)
}

fn risk_estimate(s: &study::Scenario, exact: bool) -> study::Estimate {
    let n = s.risk.as_ref().map_or(0, |r| r.iterations);
    if !exact {
        return study::Estimate {
            section_days: 0.0,
            cpu_seconds: n as f64 * study::risk::FAST_SECONDS_PER_ITERATION,
            memory_bytes: n as f64 * study::risk::BYTES_PER_ITERATION,
        };
    }
    study::Estimate::schedule(s).times(n as f64 / f64::from(s.schedule.replications.max(1)))
}

/// The risk options a partial records beyond the scenario.
fn risk_options(o: study::risk::RiskOptions) -> String {
    format!("{{\"exact\":{}}}", o.exact)
}

fn size(a: &SizeArgs) -> Result<(), CliError> {
    let opts = SizeOptions {
        target_dry_mtpa: a.target_dry_mtpa,
        confidence: a.confidence,
        max_bolters: a.max_bolters,
        max_haulers: a.max_haulers,
        days: a.days,
        warmup_days: a.warmup_days,
    };
    let ov = [flag(
        "--replications",
        "simulation.replications",
        a.replications,
    )];
    if let (Some(shard), Some(path)) = (a.shard.shard, &a.shard.out) {
        if a.common.scenario.is_none() {
            return Err(StudyError::usage(
                "--shard",
                format!(
                    "`manto size` without a scenario sizes {}; a partial result holds one \
                     scenario's study: name it (`manto size {} --shard K/N ...`) and shard \
                     and merge each scenario on its own",
                    study::SIZE_DEFAULT_SCENARIOS.join(" and "),
                    study::SIZE_DEFAULT_SCENARIOS[0]
                ),
            )
            .into());
        }
        return run_shard(
            ShardJob {
                command: "size",
                options: &|s| study::SizePlan::new(s, &opts).to_json(),
                common: &a.common,
                flags: &ov,
                shard,
                out: path,
            },
            // A bad plan is refused by the work below, before anything is simulated.
            |s| study::size_units(s, &opts).unwrap_or(0),
            |s| study::Estimate::size(s, &opts),
            |s, idx, p| Ok(study::size_section_years(s, &opts, idx, p)?),
        );
    }
    let out = Outputs::new(&a.common)?;
    let names: Vec<Option<String>> = match &a.common.scenario {
        Some(n) => vec![Some(n.clone())],
        None => study::SIZE_DEFAULT_SCENARIOS
            .iter()
            .map(|n| Some(n.to_string()))
            .collect(),
    };
    let progress = bar(&a.common);
    let mut studies = Vec::new();
    for name in names {
        let common = Common {
            scenario: name,
            ..a.common.clone()
        };
        let s = load(&common, &ov)?;
        announce(
            study::Estimate::size(&s, &opts),
            s.simulation.replications,
            &common,
        );
        studies.extend(study::size(&s, &opts, &progress)?);
    }
    out.emit(&report::SizingReport { studies })
}

fn report(a: &ReportArgs) -> Result<(), CliError> {
    let mut named: Vec<(&str, &PathBuf)> = Vec::new();
    if let Some(p) = &a.html {
        named.push(("--html", p));
    }
    if let Some(p) = &a.xlsx {
        named.push(("--xlsx", p));
    }
    let set = OutputSet::new(&named)?;
    let common = Common {
        scenario: a.scenario.clone(),
        set: a.set.clone(),
        seed: a.seed,
        threads: a.threads,
        quiet: a.quiet,
        ..Common::default()
    };
    let mut s = load(&common, &[])?;
    // The risk study runs when the scenario has a [risk] table; `--risk` insists on it and
    // `--iterations` only means something with one.
    if s.risk.is_none() {
        for (name, given) in [("--risk", a.risk), ("--iterations", a.iterations.is_some())] {
            if given {
                return Err(StudyError::usage(
                    name,
                    format!(
                        "scenario `{}` has no [risk] table, so there is no risk study to report \
                         (the bundled risk study is `boleo-risk`; docs/risk.md shows how to write one)",
                        s.name
                    ),
                )
                .into());
            }
        }
    }
    if let Some(n) = a.iterations {
        s = load(
            &common,
            &[Some(Override::flag("--iterations", "risk.iterations", n))],
        )?;
    }
    let cost = study::Estimate::section(&s).plus(study::Estimate::schedule(&s));
    announce(cost, s.schedule.replications, &common);
    let progress = bar(&common);
    // The risk study first: it is the part most likely to refuse the scenario.
    let risk = match s.risk {
        Some(_) => Some(study::risk::run(
            &s,
            study::risk::RiskOptions::default(),
            &progress,
        )?),
        None => None,
    };
    // The build schedule when the scenario has a [construction] table (its own iterations).
    let build = match s.construction_model() {
        Some(m) => {
            let m = m?;
            Some(study::build::run(
                &m,
                s.simulation.seed,
                m.iterations,
                &progress,
            ))
        }
        None => None,
    };
    let r = study::report_study(&s, &progress);
    let mut bytes = Vec::new();
    for (flag, _) in &named {
        bytes.push(match *flag {
            "--html" => report::html::render_report(&r, risk.as_ref(), build.as_ref())
                .map_err(ExportError::Report)?
                .into_bytes(),
            _ => report::xlsx::render_with_risk(&r, risk.as_ref())?,
        });
    }
    set.commit(&bytes)?;
    for d in set.destinations() {
        if !d.is_stdout() {
            eprintln!("wrote {}", d.path().display());
        }
    }
    Ok(())
}

/// Runs estimated to take longer than this say so before they start.
const ANNOUNCE_AFTER_S: f64 = 30.0;

/// Prints the estimated cost of a long run on standard error before it starts.
fn announce(e: study::Estimate, parallel_units: u32, c: &Common) {
    let threads = rayon::current_num_threads();
    let wall = e.wall_seconds(threads, u64::from(parallel_units));
    if !c.quiet && wall > ANNOUNCE_AFTER_S {
        let work = if e.section_days > 0.0 {
            format!("about {:.0} section-days to simulate", e.section_days)
        } else {
            format!("{parallel_units} iterations to compute")
        };
        let memory = if e.memory_bytes >= 1e8 {
            format!(" and about {:.1} GB of memory", e.memory_bytes / 1e9)
        } else {
            String::new()
        };
        eprintln!(
            "note: {work}: roughly {} on {threads} thread(s){memory}",
            human_seconds(wall)
        );
    }
}

fn human_seconds(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// A progress bar on standard error with a ticking clock and an ETA; hidden when quiet or
/// when standard error is not a terminal.
struct Bar(ProgressBar);

impl study::Progress for Bar {
    fn phase(&self, what: &str, total: u64) {
        self.0.set_message(what.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.reset_eta();
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn bar(c: &Common) -> Bar {
    if c.quiet || !std::io::stderr().is_terminal() {
        return Bar(ProgressBar::hidden());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} elapsed {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    Bar(bar)
}

/// The outputs a command was asked for, checked before any work is done: `-` is standard
/// output, devices and pipes are written through, files are replaced atomically, two flags
/// naming one destination are refused.
struct Outputs {
    set: OutputSet,
    exporters: Vec<&'static dyn Exporter>,
    wide: bool,
}

impl Outputs {
    fn new(c: &Common) -> Result<Outputs, CliError> {
        Outputs::with(&c.out, &[])
    }

    /// [`Outputs::new`] plus a command's own file flags and their exporters.
    fn with(
        o: &OutputArgs,
        extra: &[(&'static str, &Option<PathBuf>, &'static dyn Exporter)],
    ) -> Result<Outputs, CliError> {
        let mut named: Vec<(&str, &PathBuf)> = Vec::new();
        let mut exporters: Vec<&'static dyn Exporter> = Vec::new();
        let asked: [(&str, &Option<PathBuf>, &'static dyn Exporter); 2] = [
            ("--json", &o.json, &JsonExporter),
            ("--csv", &o.csv, &CsvExporter),
        ];
        for &(flag, path, exporter) in asked.iter().chain(extra) {
            if let Some(p) = path {
                named.push((flag, p));
                exporters.push(exporter);
            }
        }
        Ok(Outputs {
            set: OutputSet::new(&named)?,
            exporters,
            wide: o.wide,
        })
    }

    /// Prints the terminal tables (unless a file output goes to standard output) and
    /// commits every requested file together.
    fn emit(&self, output: &dyn Output) -> Result<(), CliError> {
        if let Some(field) = report::export::non_finite(output) {
            return Err(CliError::NonFinite(field));
        }
        if !self.set.writes_stdout() {
            let term = if self.wide {
                TerminalExporter::full()
            } else {
                TerminalExporter::fitted()
            };
            print!("{}", String::from_utf8_lossy(&term.serialize(output)?));
        }
        let bytes = self
            .exporters
            .iter()
            .map(|e| e.serialize(output))
            .collect::<Result<Vec<_>, _>>()?;
        self.set.commit(&bytes)?;
        for d in self.set.destinations() {
            if !d.is_stdout() {
                eprintln!("wrote {}", d.path().display());
            }
        }
        Ok(())
    }
}
