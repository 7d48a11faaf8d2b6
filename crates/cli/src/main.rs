//! The `manto` command: parses arguments, loads the scenario and calls the libraries.
//! Bad input exits with code 2 and one message per problem naming file, line and key.

mod scenario;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use report::export::{CsvExporter, Exporter, JsonExporter, Output, TerminalExporter};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "manto",
    version,
    about = "Evaluate an underground room-and-pillar mine from the cut cycle to the debt cover"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// Options shared by simulation commands.
#[derive(clap::Args, Clone)]
struct SimArgs {
    /// Scenario: a bundled name (see `manto scenario list`) or a TOML file; default `boleo`
    scenario: Option<String>,
    /// Days counted per replication (default: the scenario's `simulation.days`)
    #[arg(long)]
    days: Option<u32>,
    /// Warm-up days discarded before counting (default: the scenario's)
    #[arg(long)]
    warmup_days: Option<u32>,
    /// Independent replications (default: the scenario's)
    #[arg(long)]
    replications: Option<u32>,
    /// Base random seed (default: the scenario's)
    #[arg(long)]
    seed: Option<u64>,
    /// Operating years to schedule (default: the scenario's `schedule.years`)
    #[arg(long)]
    years: Option<u32>,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    threads: Option<usize>,
    /// Write the full result as JSON to this path
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the result tables as CSV (table,row,column,value) to this path
    #[arg(long)]
    csv: Option<PathBuf>,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
}

/// Options of `manto size`.
#[derive(clap::Args, Clone)]
struct SizeArgs {
    #[command(flatten)]
    sim: SimArgs,
    /// Plant feed target in Mt/y of dry ore (default: each of the scenario's targets)
    #[arg(long)]
    target_dry_mtpa: Option<f64>,
    /// Probability the fleet must meet the target with
    #[arg(long, default_value_t = 0.9)]
    confidence: f64,
    /// Most roof bolters per section to try
    #[arg(long, default_value_t = 3)]
    max_bolters: u32,
    /// Most haulers per section to try
    #[arg(long, default_value_t = 4)]
    max_haulers: u32,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate one continuous-miner section: tonnes per shift, machine states, bottleneck
    Section(SimArgs),
    /// Simulate the life of mine: sections panel by panel, open pit, stockpile and plant,
    /// by year and quarter
    Schedule(SimArgs),
    /// Project economics and financing: cash flows, taxes, debt, statements, returns
    Finance(SimArgs),
    /// The main job: section study, life-of-mine schedule and finance, with a headline
    Run(SimArgs),
    /// Fleet sizing: the fewest sections (and bolters and haulers per section) meeting a
    /// plant feed target with a given probability; without a scenario, both Boleo variants
    /// for the scenario's targets
    Size(SizeArgs),
    /// List or print the bundled scenarios
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
}

#[derive(Subcommand)]
enum ScenarioAction {
    /// List the bundled scenarios
    List,
    /// Print a bundled scenario's TOML, to copy and edit
    Show {
        /// Bundled scenario name (default `boleo`)
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Run(SimArgs {
        scenario: None,
        days: None,
        warmup_days: None,
        replications: None,
        seed: None,
        years: None,
        threads: None,
        json: None,
        csv: None,
        quiet: false,
    }));
    match command {
        Command::Section(args) => section(&args),
        Command::Schedule(args) => schedule(&args),
        Command::Finance(args) => finance_cmd(&args),
        Command::Run(args) => run_cmd(&args),
        Command::Size(args) => size_cmd(&args),
        Command::Scenario { action } => scenario_cmd(action),
    }
}

/// Exit code for bad input.
const BAD_INPUT: u8 = 2;

fn scenario_cmd(action: ScenarioAction) -> ExitCode {
    match action {
        ScenarioAction::List => {
            for (name, summary, _) in scenario::BUNDLED {
                println!("{name:<14} {summary}");
            }
            ExitCode::SUCCESS
        }
        ScenarioAction::Show { name } => {
            let name = name.as_deref().unwrap_or(scenario::DEFAULT);
            match scenario::bundled(name) {
                Some(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                None => {
                    let names: Vec<&str> = scenario::BUNDLED.iter().map(|b| b.0).collect();
                    eprintln!(
                        "error: no bundled scenario `{name}` (bundled: {})",
                        names.join(", ")
                    );
                    ExitCode::from(BAD_INPUT)
                }
            }
        }
    }
}

fn load(args: &SimArgs) -> Result<scenario::Scenario, ExitCode> {
    if let Some(n) = args.threads {
        if n == 0 {
            eprintln!("error: --threads must be at least 1");
            return Err(ExitCode::from(BAD_INPUT));
        }
        // Only fails if a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    match scenario::load(args.scenario.as_deref()) {
        Ok(l) => Ok(l.scenario),
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            Err(ExitCode::from(BAD_INPUT))
        }
    }
}

fn run_options(
    args: &SimArgs,
    s: &scenario::Scenario,
) -> Result<mine::section::RunOptions, ExitCode> {
    let mut o = s.simulation;
    o.days = args.days.unwrap_or(o.days);
    o.warmup_days = args.warmup_days.unwrap_or(o.warmup_days);
    o.replications = args.replications.unwrap_or(o.replications);
    o.seed = args.seed.unwrap_or(o.seed);
    if o.days == 0 || o.replications == 0 {
        eprintln!("error: --days and --replications must be at least 1");
        return Err(ExitCode::from(BAD_INPUT));
    }
    Ok(o)
}

fn progress_bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed_precise}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// Prints the tables and writes the requested files.
fn emit(output: &dyn Output, args: &SimArgs) -> ExitCode {
    let text = TerminalExporter
        .serialize(output)
        .expect("terminal rendering");
    print!("{}", String::from_utf8_lossy(&text));
    let files: [(&Option<PathBuf>, &dyn Exporter); 2] =
        [(&args.json, &JsonExporter), (&args.csv, &CsvExporter)];
    for (path, exporter) in files {
        let Some(path) = path else { continue };
        let bytes = match exporter.serialize(output) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = report::write_atomic(path, &bytes) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// Runs the section study of a loaded scenario with the flags applied.
fn section_study(
    args: &SimArgs,
    s: &scenario::Scenario,
) -> Result<mine::section::SectionReport, ExitCode> {
    let opts = run_options(args, s)?;
    let bar = progress_bar(
        u64::from(opts.replications),
        args.quiet,
        "section replications",
    );
    let report = mine::section::run(&s.name, &s.section, &s.calendar, opts, &s.targets, &|| {
        bar.inc(1)
    });
    bar.finish_and_clear();
    Ok(report)
}

fn section(args: &SimArgs) -> ExitCode {
    match load(args).and_then(|s| section_study(args, &s)) {
        Ok(report) => emit(&report, args),
        Err(code) => code,
    }
}

/// Runs the life-of-mine schedule with the flags applied.
fn run_schedule(
    args: &SimArgs,
    s: &scenario::Scenario,
) -> Result<mine::schedule::Schedule, ExitCode> {
    let mut cfg = s.schedule;
    cfg.replications = args.replications.unwrap_or(cfg.replications);
    cfg.years = args.years.unwrap_or(cfg.years);
    let problems = cfg.validate("schedule");
    if !problems.is_empty() {
        for p in problems {
            let flag = p.path.trim_start_matches("schedule.");
            eprintln!("error: --{flag} (scenario key `{}`): {}", p.path, p.message);
        }
        return Err(ExitCode::from(BAD_INPUT));
    }
    let seed = args.seed.unwrap_or(s.simulation.seed);
    let bar = progress_bar(
        u64::from(cfg.replications),
        args.quiet,
        "life-of-mine replications",
    );
    let sched = mine::schedule::run(&s.mine_model(), &cfg, seed, &|| bar.inc(1));
    bar.finish_and_clear();
    Ok(sched)
}

fn schedule(args: &SimArgs) -> ExitCode {
    match load(args).and_then(|s| run_schedule(args, &s)) {
        Ok(sched) => emit(&sched, args),
        Err(code) => code,
    }
}

/// The production the finance model values: the schedule's, or the scenario's table when
/// `finance.production_source = "table"`; the schedule too when it was run.
type Production = (
    finance::ProductionProfile,
    Option<mine::schedule::Schedule>,
    &'static str,
);

fn production(args: &SimArgs, s: &scenario::Scenario) -> Result<Production, ExitCode> {
    use finance::config::ProductionSource;
    match s.finance.production_source {
        ProductionSource::Table => match s.finance.production_table() {
            Some(p) => Ok((p, None, "table")),
            None => {
                eprintln!("error: finance.production_source is \"table\" but the scenario has no [finance.production] table");
                Err(ExitCode::from(BAD_INPUT))
            }
        },
        ProductionSource::Schedule => {
            let sched = run_schedule(args, s)?;
            Ok((
                finance::ProductionProfile::from_schedule(&sched),
                Some(sched),
                "schedule",
            ))
        }
    }
}

fn finance_cmd(args: &SimArgs) -> ExitCode {
    let s = match load(args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match production(args, &s) {
        Ok((profile, _, _)) => emit(&finance::run(&s.finance, &profile), args),
        Err(code) => code,
    }
}

fn run_cmd(args: &SimArgs) -> ExitCode {
    let s = match load(args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let section = match section_study(args, &s) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (profile, schedule, source) = match production(args, &s) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let schedule = match schedule {
        Some(sched) => sched,
        None => match run_schedule(args, &s) {
            Ok(sched) => sched,
            Err(code) => return code,
        },
    };
    let finance = finance::run(&s.finance, &profile);
    // Plan against study: the same finance model on the scenario's own production table.
    let finance_with_table = match (source, s.finance.production_table()) {
        ("schedule", Some(table)) => Some(finance::run(&s.finance, &table)),
        _ => None,
    };
    let report = report::run::RunReport {
        scenario: s.name.clone(),
        production_source: source.to_string(),
        section,
        schedule,
        finance,
        finance_with_table,
    };
    emit(&report, args)
}

fn size_cmd(args: &SizeArgs) -> ExitCode {
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        eprintln!("error: --confidence must be between 0 and 1 (exclusive)");
        return ExitCode::from(BAD_INPUT);
    }
    if args
        .target_dry_mtpa
        .is_some_and(|t| !(t > 0.0 && t.is_finite()))
    {
        eprintln!("error: --target-dry-mtpa must be positive");
        return ExitCode::from(BAD_INPUT);
    }
    if args.max_bolters == 0 || args.max_haulers == 0 {
        eprintln!("error: --max-bolters and --max-haulers must be at least 1");
        return ExitCode::from(BAD_INPUT);
    }
    // Without a scenario: both Boleo variants, trial-2 and trial-1 bolting.
    let names: Vec<Option<String>> = match &args.sim.scenario {
        Some(n) => vec![Some(n.clone())],
        None => vec![Some("boleo".into()), Some("boleo-trial1".into())],
    };
    let mut studies = Vec::new();
    for name in names {
        let sim = SimArgs {
            scenario: name,
            ..args.sim.clone()
        };
        let s = match load(&sim) {
            Ok(s) => s,
            Err(code) => return code,
        };
        let targets: Vec<f64> = match args.target_dry_mtpa {
            Some(t) => vec![t * 1e6],
            None => s.targets.plant_feed_dry_t_per_year.clone(),
        };
        let replications = args.sim.replications.unwrap_or(s.simulation.replications);
        if replications < 2 {
            eprintln!("error: --replications must be at least 2 for sizing (fleet-years are drawn from the simulated section-years)");
            return ExitCode::from(BAD_INPUT);
        }
        let req = mine::fleet::SizingRequest {
            plant_feed_dry_t_per_year: targets[0],
            underground_share_pct: s.targets.underground_share_pct,
            confidence: args.confidence,
            max_bolters: args.max_bolters,
            max_haulers: args.max_haulers,
            replications,
            seed: args.sim.seed.unwrap_or(s.simulation.seed),
        };
        if !args.sim.quiet {
            eprintln!("sizing {} ...", s.name);
        }
        studies.extend(mine::fleet::size_for_targets(
            &s.name,
            &s.section,
            &s.calendar,
            &s.crew,
            &req,
            &targets,
        ));
    }
    emit(&report::fleet::SizingReport { studies }, &args.sim)
}
