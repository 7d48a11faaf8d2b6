#!/usr/bin/env python3
"""Independent check of `manto build`'s Monte Carlo against pmcontrols (PyPI, MIT), an
open-source CPM/PERT tool with Monte Carlo schedule risk (pmcontrols.network.pert: PERT-beta
durations with alpha + beta = 6, numpy sampling, forward and backward passes per run,
criticality index = share of runs with zero slack).

The network is the Reliable Construction Company project of Hillier and Lieberman,
*Introduction to Operations Research* (PERT section: 14 activities, three-point estimates
in weeks, expected project length 44 weeks on A-B-C-E-F-J-L-N). It is run through both
tools with 20,000 iterations each, and the project duration's mean, P50 and P80 and every
activity's criticality index are compared within Monte Carlo tolerances (four standard
errors, plus the difference between percentile conventions). A deliberately wrong
network (N's pessimistic estimate doubled, in manto only) must fail the comparison, so the
check is shown to be able to fail.

Usage: scripts/check-build-mc.sh (makes a venv with pmcontrols and runs this), or
    python3 scripts/check_build_mc.py MANTO_BINARY   (pmcontrols importable)
Exit 0 when the tools agree, 1 otherwise.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

import pmcontrols

# id: (optimistic, most likely, pessimistic, predecessors); weeks.
NETWORK = {
    "A": (1, 2, 3, []),
    "B": (2, 3.5, 8, ["A"]),
    "C": (6, 9, 18, ["B"]),
    "D": (4, 5.5, 10, ["C"]),
    "E": (1, 4.5, 5, ["C"]),
    "F": (4, 4, 10, ["E"]),
    "G": (5, 6.5, 11, ["D"]),
    "H": (5, 8, 17, ["E", "G"]),
    "I": (3, 7.5, 9, ["C"]),
    "J": (3, 9, 9, ["F", "I"]),
    "K": (4, 4, 4, ["J"]),
    "L": (1, 5.5, 7, ["J"]),
    "M": (1, 2, 3, ["H"]),
    "N": (5, 5.5, 9, ["K", "L"]),
}
ITERATIONS = 20_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAGMENTS = ["boleo-build-name.toml", "boleo.toml", "boleo-mine.toml", "finance-boleo.toml"]


def scenario(network):
    """The bundled boleo-build with its [construction] replaced by `network` (PERT
    durations in days standing for weeks: the unit does not matter to the comparison)."""
    text = "".join(open(os.path.join(ROOT, "scenarios", f)).read() + "\n" for f in FRAGMENTS)
    text += '[construction]\nstart_date = "2007-06-01"\niterations = %d\n' % ITERATIONS
    for aid, (a, m, b, _) in network.items():
        dist = "%g" % m if a == b else '{ dist = "pert", min = %g, mode = %g, max = %g }' % (a, m, b)
        text += '[[construction.activities]]\nid = "%s"\nduration_days = %s\n' % (aid, dist)
    for aid, (_, _, _, preds) in network.items():
        for p in preds:
            text += '[[construction.relationships]]\nfrom = "%s"\nto = "%s"\n' % (p, aid)
    return text


def run_manto(manto, network, tmp):
    path = os.path.join(tmp, "hl.toml")
    with open(path, "w") as f:
        f.write(scenario(network))
    out = os.path.join(tmp, "hl.json")
    subprocess.run([manto, "build", path, "--quiet", "--json", out], check=True,
                   stdout=subprocess.DEVNULL)
    r = json.load(open(out))
    fin = next(m for m in r["milestones"] if m["name"] == "project_finish")
    return {
        "mean": fin["mean_days"],
        "p50": fin["percentile_days"][1],
        "p80": fin["percentile_days"][2],
        "crit": {a["id"]: a["criticality_pct"] / 100 for a in r["activities"]},
    }


def run_pmcontrols(network):
    acts = [{"id": k, "a": a, "m": m, "b": b, "predecessors": p}
            for k, (a, m, b, p) in network.items()]
    r = pmcontrols.pert(acts, n_sim=ITERATIONS, seed=0)
    t = r.table.set_index("activity")
    return {
        "mean": r.stats["mc_mean"],
        "p50": r.stats["mc_p50"],
        "p80": r.stats["mc_p80"],
        "crit": {k: float(t.loc[k, "criticality_index"]) for k in network},
    }


def compare(m, p, label):
    """Differences within four standard errors of the difference of two independent
    Monte Carlo estimates (sd of the finish ~ 3.2 weeks here; a quantile's standard error
    is sqrt(q (1 - q) / n) / f(x_q), f taken from a normal of that sd)."""
    sd = 3.2
    n = ITERATIONS
    se_mean = sd * math.sqrt(2 / n)
    normal = statistics.NormalDist()
    dens = lambda q: normal.pdf(normal.inv_cdf(q)) / sd
    se_q = lambda q: math.sqrt(q * (1 - q) / n) / dens(q) * math.sqrt(2)
    rows = [
        ("mean weeks", m["mean"], p["mean"], 4 * se_mean),
        ("P50 weeks", m["p50"], p["p50"], 4 * se_q(0.5) + 0.02),
        ("P80 weeks", m["p80"], p["p80"], 4 * se_q(0.8) + 0.02),
    ]
    for k in NETWORK:
        c = (m["crit"][k] + p["crit"][k]) / 2
        rows.append(("criticality %s" % k, m["crit"][k], p["crit"][k],
                     4 * math.sqrt(2 * max(c * (1 - c), 1 / n) / n) + 1e-9))
    ok = True
    print("%s: manto vs pmcontrols %s, %d iterations each" % (label, pmcontrols.__version__, n))
    print("%-16s %10s %10s %9s %9s" % ("quantity", "manto", "pmcontrols", "diff", "tol"))
    for name, a, b, tol in rows:
        good = abs(a - b) <= tol
        ok &= good
        print("%-16s %10.4f %10.4f %9.4f %9.4f %s" % (name, a, b, a - b, tol, "" if good else "DIFFERS"))
    return ok


def main():
    manto = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/manto")
    with tempfile.TemporaryDirectory() as tmp:
        p = run_pmcontrols(NETWORK)
        same = compare(run_manto(manto, NETWORK, tmp), p, "Hillier-Lieberman PERT network")
        broken = dict(NETWORK)
        a, m, b, preds = broken["N"]
        broken["N"] = (a, m, 2 * b, preds)
        print()
        caught = not compare(run_manto(manto, broken, tmp), p, "deliberately broken (N's pessimistic x2 in manto)")
    print()
    print("agree:", same, "| broken network detected:", caught)
    sys.exit(0 if same and caught else 1)


if __name__ == "__main__":
    main()
