#!/usr/bin/env bash
# Checks `manto report` in real programs (issue 12). Installs what it needs itself (as
# root, from Debian), and fails loudly, never skips, when it cannot:
#   1. the HTML report in headless Chromium (DevTools protocol over a pipe): no request but
#      the file itself, no console message, exception or log entry; every chart present
#      with its SVG, title and table; the summary numbers equal to `manto run --json` and
#      the risk numbers to `manto risk --json`;
#      a PNG of the first page for review;
#   2. the workbook recalculated by LibreOffice on load: NPV at every rate, IRR, min DSCR,
#      every quarter's DSCR and balance check equal to manto's within 1e-6 relative; its
#      Risk sheet (manto's risk study as values) equal to `manto risk --json`, every cell
#      that names its JSON path;
#   3. that each check fails on a deliberately broken input (a request, a missing chart, a
#      changed number, an input cell changed in the workbook, a Risk sheet number changed
#      or missing), and that the workbook follows
#      its inputs: the copper price 10% higher on Inputs raises every NPV and the balance
#      sheet still balances in every quarter after LibreOffice's recalculation.
# Outputs go to $MANTO_REPORTS_OUT (default target/reports). A short study keeps it fast:
# 8 years, 2 schedule replications, 3 section replications of 10 days, of `boleo-risk` so
# the risk section's charts are checked too (60 risk iterations, about 5 s more).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
out=${MANTO_REPORTS_OUT:-target/reports}
rm -rf "$out"
mkdir -p "$out"

install() { # command, Debian package
  if command -v "$1" >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" != 0 ]; then
    echo "error: $1 is missing and this is not root: apt-get install $2" >&2
    exit 1
  fi
  echo "installing $2 (for $1)" >&2
  apt-get update -qq >&2 || true
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2; then
    echo "error: cannot install $2 (needed for $1)" >&2
    exit 1
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "error: $2 installed but $1 not found" >&2; exit 1; }
}
install python3 python3
install chromium chromium
install soffice libreoffice-calc-nogui
t_install=$(date +%s)

cargo build --release -q
bin=target/release/manto
sets=(boleo-risk --set schedule.years=8 --set schedule.replications=2 --set simulation.replications=3 --set simulation.days=10)
"$bin" report -q "${sets[@]}" --iterations 60 --html "$out/report.html" --xlsx "$out/report.xlsx"
"$bin" run -q "${sets[@]}" --json "$out/run.json" >/dev/null
"$bin" cases -q "${sets[@]}" --json "$out/cases.json" >/dev/null
"$bin" risk -q "${sets[@]}" --iterations 60 --json "$out/risk.json" >/dev/null
check=(python3 scripts/check_reports.py)
ids=$(sed -n '/pub const CHART_IDS/,/\];/p' crates/report/src/html/mod.rs | grep -o '"[a-z-]*"' | tr -d '"')
[ -n "$ids" ] || { echo "error: no chart ids found in crates/report/src/html/mod.rs" >&2; exit 1; }
risk_ids=$(sed -n '/pub const RISK_CHART_IDS/,/\];/p' crates/report/src/html/mod.rs | grep -o '"[a-z-]*"' | tr -d '"')
[ -n "$risk_ids" ] || { echo "error: no risk chart ids found in crates/report/src/html/mod.rs" >&2; exit 1; }
ids="$ids $risk_ids"
t_gen=$(date +%s)

# ---- 1. HTML in Chromium ----------------------------------------------------------
"${check[@]}" browse chromium "$out/report.html" "$out/report-dom.html" "$out/report-first-page.png"
"${check[@]}" dom "$out/report-dom.html" "$out/run.json" --risk "$out/risk.json" $ids
t_html=$(date +%s)

# ---- 2. The workbook recalculated by LibreOffice ------------------------------------
recalc() { # xlsx, outdir: every sheet to CSV after a forced recalculation on load
  local profile
  profile=$(mktemp -d)
  mkdir -p "$profile/user"
  cat >"$profile/user/registrymodifications.xcu" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
EOF
  # CSV filter: comma, double quote, UTF-8, from line 1, full precision (not as shown),
  # every sheet to its own file (-1).
  timeout 300 soffice -env:UserInstallation="file://$profile" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
    --outdir "$2" "$1" >"$2.log" 2>&1 || { cat "$2.log" >&2; rm -rf "$profile"; return 1; }
  rm -rf "$profile"
  local base
  base=$(basename "$1" .xlsx)
  [ -s "$2/$base-Outputs.csv" ] || { echo "error: LibreOffice wrote no Outputs sheet" >&2; cat "$2.log" >&2; return 1; }
}
recalc "$out/report.xlsx" "$out/recalc"
"${check[@]}" xlsx "$out/recalc/report-Outputs.csv" "$out/run.json"
# A real valuation of real decks (escalated prices, costs and capital; NPV and IRR in money
# of the base year): the same check on a second workbook.
real=(boleo --set schedule.years=8 --set schedule.replications=2 --set simulation.replications=3 --set simulation.days=10
  --set 'finance.escalation.decks="real"' --set 'finance.metrics.npv_basis="real"' --set 'finance.metrics.npv_timing="mid_year"')
"$bin" report -q "${real[@]}" --xlsx "$out/real.xlsx"
"$bin" run -q "${real[@]}" --json "$out/real.json" >/dev/null
recalc "$out/real.xlsx" "$out/recalc-real"
"${check[@]}" xlsx "$out/recalc-real/real-Outputs.csv" "$out/real.json"
"${check[@]}" xlsx-risk "$out/recalc/report-Risk.csv" "$out/risk.json"
t_xlsx=$(date +%s)

# ---- 3. Each check fails on a broken input -----------------------------------------
must_fail() { # what, command...
  local what=$1
  shift
  if "$@" >"$out/selftest.log" 2>&1; then
    echo "error: the check passed $what" >&2
    cat "$out/selftest.log" >&2
    exit 1
  fi
  echo "self-test: the check fails on $what ($(grep -m1 FAIL "$out/selftest.log" || true))"
}
bad="$out/broken"
mkdir -p "$bad"
sed 's#</body>#<img alt="" src="http://example.invalid/x.png"></body>#' "$out/report.html" >"$bad/fetch.html"
must_fail "a report that asks for an image (blocked by its own CSP)" "${check[@]}" browse chromium "$bad/fetch.html" "$bad/dom.html" "$bad/x.png"
grep -v 'Content-Security-Policy' "$bad/fetch.html" >"$bad/fetch-no-csp.html"
must_fail "a report without its CSP that fetches an image" "${check[@]}" browse chromium "$bad/fetch-no-csp.html" "$bad/dom.html" "$bad/x.png"
grep -q 'network request: http://example.invalid' "$out/selftest.log" || { echo "error: the request was not seen" >&2; exit 1; }
sed 's#id="chart-metal"#id="not-a-chart"#' "$out/report-dom.html" >"$bad/nochart.html"
must_fail "a report without one chart" "${check[@]}" dom "$bad/nochart.html" "$out/run.json" --risk "$out/risk.json" $ids
sed -E '0,/data-json="finance.metrics.min_dscr" data-value="[^"]*"/s//data-json="finance.metrics.min_dscr" data-value="1.2345"/' \
  "$out/report-dom.html" >"$bad/number.html"
must_fail "a summary number that is not manto's" "${check[@]}" dom "$bad/number.html" "$out/run.json" --risk "$out/risk.json" $ids
sed -E '0,/data-risk-json="probabilities.0.p" data-value="[^"]*"/s//data-risk-json="probabilities.0.p" data-value="0.123457"/' \
  "$out/report-dom.html" >"$bad/risk-number.html"
must_fail "a risk number that is not manto risk's" "${check[@]}" dom "$bad/risk-number.html" "$out/run.json" --risk "$out/risk.json" $ids
must_fail "risk numbers with nothing to check them against" "${check[@]}" dom "$out/report-dom.html" "$out/run.json" $ids
# The Risk sheet with the headline NPV's P50 0.1% higher; without its first probability.
python3 - "$out/recalc/report-Risk.csv" "$out/risk.json" "$bad/risk-p50.csv" "$bad/risk-no-prob.csv" <<'EOF'
import csv, json, sys
src, risk_json, changed, dropped = sys.argv[1:]
risk = json.load(open(risk_json))
head = [k for k, o in enumerate(risk["outputs"]) if o["name"] == risk["headline_npv"]][0]
rows = list(csv.reader(open(src, encoding="utf-8")))
csv.writer(open(dropped, "w", encoding="utf-8", newline="")).writerows(
    r for r in rows if not (len(r) > 3 and r[3] == "probabilities.0"))
fields, done = None, False
for r in rows:
    if len(r) > 4 and r[3] == "JSON field:":
        fields = r[4:]
    elif len(r) > 4 and r[3] == f"outputs.{head}" and fields and "p50" in fields:
        c = 4 + fields.index("p50")
        r[c] = repr(float(r[c]) * 1.001)
        done = True
if not done:
    sys.exit("no headline NPV P50 on the Risk sheet")
csv.writer(open(changed, "w", encoding="utf-8", newline="")).writerows(rows)
EOF
must_fail "a Risk sheet whose headline NPV P50 is not manto risk's" "${check[@]}" xlsx-risk "$bad/risk-p50.csv" "$out/risk.json"
must_fail "a Risk sheet without a probability" "${check[@]}" xlsx-risk "$bad/risk-no-prob.csv" "$out/risk.json"
# The workbook with one input cell (the first non-zero number of Calculations row 5, direct
# capex, a manto input) 1% higher.
python3 - "$out/report.xlsx" "$bad/input.xlsx" <<'EOF'
import re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z:
    items = [(i, z.read(i.filename)) for i in z.infolist()]
done = False
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for info, data in items:
        if info.filename == "xl/worksheets/sheet5.xml" and not done:  # Calculations
            text = data.decode()
            # Number cells of row 5 (no t= attribute: not a string).
            for m in re.finditer(r'<c r="([A-Z]+)5"( s="\d+")?><v>([^<]+)</v>', text):
                if float(m.group(3)) != 0.0:
                    new = f'<c r="{m.group(1)}5"{m.group(2) or ""}><v>{float(m.group(3)) * 1.01!r}</v>'
                    text = text[:m.start()] + new + text[m.end():]
                    done = True
                    break
            data = text.encode()
        z.writestr(info, data)
if not done:
    sys.exit("no input cell found to change in Calculations row 5")
EOF
recalc "$bad/input.xlsx" "$bad/recalc"
must_fail "a workbook with one input changed" "${check[@]}" xlsx "$bad/recalc/input-Outputs.csv" "$out/run.json"
# The workbook is the bank deal under stress: every product price 10% lower on Inputs
# (their defined names) and LibreOffice's recalculation is manto's own bank case
# `price_-10`, the debt held as signed; unchanged, it is the base case (each fails against
# the other); every operating unit cost 10% higher, `opex_+10`; the capital, `capex_+10`.
"${check[@]}" xlsx-case "$out/recalc/report-Outputs.csv" "$out/run.json" "$out/cases.json" base
"${check[@]}" scale-inputs "$out/report.xlsx" "$bad/prices.xlsx" 0.9 'revenue_[a-z0-9_]+_price_usd_per_(lb|t)(_[0-9]+_value)?'
recalc "$bad/prices.xlsx" "$bad/recalc-prices"
"${check[@]}" xlsx-case "$bad/recalc-prices/prices-Outputs.csv" "$out/run.json" "$out/cases.json" price_-10
must_fail "a workbook with prices 10% lower, against the base case" "${check[@]}" xlsx-case "$bad/recalc-prices/prices-Outputs.csv" "$out/run.json" "$out/cases.json" base
must_fail "the workbook as written, against the price case" "${check[@]}" xlsx-case "$out/recalc/report-Outputs.csv" "$out/run.json" "$out/cases.json" price_-10
must_fail "a workbook with prices changed, against manto's run" "${check[@]}" xlsx "$bad/recalc-prices/prices-Outputs.csv" "$out/run.json"
# Every operating unit cost `manto cases` scales, 10% higher: its opex_+10 case.
opex='opex_(underground_usd_per_dry_t|open_pit_usd_per_dry_t|wage_mxn_per_shift|usd_per_bolt|usd_per_m_advance|mine_overhead_usd_per_person_year|processing_usd_per_dry_t|acid_usd_per_t|limestone_usd_per_t|power_usd_per_kwh|g_and_a_usd_per_year)'
"${check[@]}" scale-inputs "$out/report.xlsx" "$bad/opex.xlsx" 1.1 "$opex"
recalc "$bad/opex.xlsx" "$bad/recalc-opex"
"${check[@]}" xlsx-case "$bad/recalc-opex/opex-Outputs.csv" "$out/run.json" "$out/cases.json" opex_+10
# The initial capital 10% higher (its overrun, as manto scales it): capex_+10, which moves
# the sources and uses of construction; manto re-plans its DSRA target for the case, the
# workbook holds the pasted one, so the equity IRR is left out of that comparison.
"${check[@]}" scale-overrun "$out/report.xlsx" "$bad/capex.xlsx" 1.1
recalc "$bad/capex.xlsx" "$bad/recalc-capex"
"${check[@]}" xlsx-case "$bad/recalc-capex/capex-Outputs.csv" "$out/run.json" "$out/cases.json" capex_+10 --held-dsra-target
# The metal produced 10% lower on Production (its named rows): production_-10.
"${check[@]}" scale-inputs "$out/report.xlsx" "$bad/metal.xlsx" 0.9 'Row_prod_(cu|co|znso4|mnco3)'
recalc "$bad/metal.xlsx" "$bad/recalc-metal"
"${check[@]}" xlsx-case "$bad/recalc-metal/metal-Outputs.csv" "$out/run.json" "$out/cases.json" production_-10
t_end=$(date +%s)
echo "reports checked in $((t_end - t0)) s: install $((t_install - t0)) s, build and generate $((t_gen - t_install)) s," \
  "Chromium $((t_html - t_gen)) s, LibreOffice $((t_xlsx - t_html)) s, self-tests $((t_end - t_xlsx)) s;" \
  "first page: $out/report-first-page.png"
