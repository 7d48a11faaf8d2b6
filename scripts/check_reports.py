#!/usr/bin/env python3
"""Checks of `manto report` in real programs, called by scripts/check-reports.sh.

  check_reports.py dom DOM.html RUN.json [--risk RISK.json] CHART_IDS...
      The DOM Chromium rendered: every chart present (figure, SVG with drawn shapes, the
      data table with rows), and every summary number (`data-json`) equal to RUN.json,
      its shown text the number at its scale and decimals; with --risk, every risk
      number (`data-risk-json`) equal to RISK.json (`manto risk --json`, same scenario,
      seed and iterations), the same way; at least 10 of them.
  check_reports.py browse CHROMIUM REPORT.html DOM_OUT PNG_OUT
      Opens the report in headless Chromium over the DevTools protocol: no request but
      the file itself, no console message, exception or log entry; writes the rendered
      DOM and a PNG of the first page (1240 x 1754 px, A4 proportions).
  check_reports.py xlsx OUTPUTS.csv RUN.json
      LibreOffice's recalculated workbook (the Outputs sheet's CSV; Time and Calculations
      beside it): NPV before tax, after tax and to equity at every rate, the IRRs, minimum
      DSCR, every quarter's DSCR and balance check, and every quarter of each live row that
      names its `manto run --json` key (column D), equal to manto's within 1e-6 relative
      (a live row relative to its largest value, the balance check to the largest total
      assets).
  check_reports.py scale-inputs SRC.xlsx DST.xlsx FACTOR NAME_REGEX
      Copies the workbook with every input whose defined name matches NAME_REGEX (a cell
      on Inputs, or an input row `Row_<key>` on Production or Calculations) multiplied by
      FACTOR (for LibreOffice to recalculate).
  check_reports.py scale-overrun SRC.xlsx DST.xlsx FACTOR
      The same for the capital overrun %, as manto's capex cases scale the capital:
      (1 + overrun/100) x FACTOR - 1.
  check_reports.py xlsx-case OUTPUTS.csv RUN.json CASES.json CASE [--held-dsra-target]
      A recalculated workbook against the bank case CASE of `manto cases --json` (the
      debt held as signed): NPV after tax, the IRRs, minimum DSCR and LLCR within 1e-6
      relative, and every quarter's balance check zero. --held-dsra-target: the case moves
      the debt drawn in construction, so manto re-plans the DSRA target the workbook holds
      as pasted; the equity IRR is not compared.
  check_reports.py xlsx-risk RISK.csv RISK.json
      The workbook's Risk sheet as LibreOffice reads it, against `manto risk --json` (same
      scenario, seed and iterations). Column D of a data row names the row's JSON path
      (`outputs.0`); the block's field row (column D "JSON field:") names each column's
      field under it (`p10`; empty: the row's path itself). Every cell with a path is
      checked: numbers within 1e-6 relative ("n/a" where the JSON has null), text and
      yes/no equal. Required among them: the headline NPV's mean, P10, P50 and P90, every
      probability, and every number of the JSON but the fast path's set-up.

Each prints what it checked and exits 1 on the first list of failures (never 0 on a
mismatch), 2 on bad usage.
"""

import csv
import json
import math
import re
import sys
from html.parser import HTMLParser

REL = 1e-6


def fail(problems, most=40):
    """Prints the problems (the first `most`, then how many more) and exits 1."""
    shown = problems[:most] + ([f"... and {len(problems) - most} more"] if len(problems) > most else [])
    for p in shown:
        print(f"FAIL: {p}", file=sys.stderr)
    sys.exit(1)


def largest_assets(bs):
    """The largest total assets over the quarters (at least 1): the scale of a balance check."""
    return max([1.0] + [abs(x["total_assets_usd"]) for x in bs])


def resolve(doc, path):
    """Values at a dotted path; `*` maps over an array."""
    vals = [doc]
    for part in path.split("."):
        nxt = []
        for v in vals:
            if part == "*":
                nxt.extend(v)
            elif isinstance(v, list):
                nxt.append(v[int(part)])
            else:
                nxt.append(v[part])
        vals = nxt
    return vals


def group(x, decimals):
    s = f"{x:,.{decimals}f}"
    return s


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.figures = {}  # id -> counts
        self.current_fig = None
        self.kpis = []  # (attrs, text)
        self.risk_kpis = []  # (attrs, text)
        self.kpi_open = None
        self.tables = {}
        self.current_table = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure" and a.get("id", "").startswith("chart-"):
            self.current_fig = a["id"][len("chart-"):]
            self.figures[self.current_fig] = {"svg": 0, "shapes": 0, "text": 0, "rows": 0, "caption": 0}
        fig = self.figures.get(self.current_fig) if self.current_fig else None
        if fig is not None:
            if tag == "svg":
                fig["svg"] += 1
            elif tag in ("rect", "path", "polyline", "line", "circle"):
                fig["shapes"] += 1
            elif tag == "text":
                fig["text"] += 1
            elif tag == "tr":
                fig["rows"] += 1
            elif tag == "figcaption":
                fig["caption"] += 1
        if tag == "td" and ("data-json" in a or "data-risk-json" in a):
            self.kpi_open = [a, ""]

    def handle_endtag(self, tag):
        if tag == "figure":
            self.current_fig = None
        if tag == "td" and self.kpi_open is not None:
            dest = self.kpis if "data-json" in self.kpi_open[0] else self.risk_kpis
            dest.append((self.kpi_open[0], self.kpi_open[1].strip()))
            self.kpi_open = None

    def handle_data(self, data):
        if self.kpi_open is not None:
            self.kpi_open[1] += data


def compare_numbers(kpis, doc, attr, what, problems):
    """Each number shown (`attr` = its path in `doc`) equals the JSON's value, and its
    text is that value at its scale and decimals ("n/a" for a missing one)."""
    for attrs, text in kpis:
        path = attrs[attr]
        try:
            vals = resolve(doc, path)
        except (KeyError, IndexError, ValueError, TypeError) as e:
            problems.append(f"{attr} {path}: not in {what} ({e!r})")
            continue
        agg = attrs.get("data-agg", "")
        if agg == "sum":
            want = math.fsum(vals)
        elif agg == "max":
            want = max(vals)
        else:
            want = vals[0]
        got = float(attrs["data-value"])
        if want is None:
            if not math.isnan(got) or text != "n/a":
                problems.append(f"{attr} {path}: report {got!r} / {text!r}, {what} null")
            continue
        if abs(got - want) > REL * max(1.0, abs(want)):
            problems.append(f"{attr} {path}: report {got!r}, {what} {want!r}")
        scale = float(attrs["data-scale"])
        dec = int(attrs["data-decimals"])
        shown = group(want / scale, dec)
        if shown == f"-{0:.{dec}f}":
            shown = f"{0:.{dec}f}"
        if text not in (shown, shown.replace("-0.", "0.")):
            problems.append(f"{attr} {path}: shows {text!r}, the JSON's value is {shown!r}")


def check_dom(dom_path, run_path, ids, risk_path=None):
    dom = Dom()
    with open(dom_path, encoding="utf-8") as f:
        dom.feed(f.read())
    run = json.load(open(run_path))
    problems = []
    for cid in ids:
        fig = dom.figures.get(cid)
        if fig is None:
            problems.append(f"chart {cid}: no <figure id=chart-{cid}> in the rendered page")
            continue
        if fig["svg"] != 1 or fig["shapes"] < 5 or fig["text"] < 5:
            problems.append(f"chart {cid}: SVG missing or empty ({fig})")
        if fig["rows"] < 2 or fig["caption"] != 1:
            problems.append(f"chart {cid}: title or data table missing ({fig})")
    extra = set(dom.figures) - set(ids)
    if extra:
        problems.append(f"charts not in the expected list: {sorted(extra)}")
    if len(dom.kpis) < 10:
        problems.append(f"only {len(dom.kpis)} summary numbers carry data-json")
    compare_numbers(dom.kpis, run, "data-json", "manto run --json", problems)
    risk_note = ""
    if risk_path is not None:
        risk = json.load(open(risk_path))
        if len(dom.risk_kpis) < 10:
            problems.append(f"only {len(dom.risk_kpis)} risk numbers carry data-risk-json")
        compare_numbers(dom.risk_kpis, risk, "data-risk-json", "manto risk --json", problems)
        risk_note = f"; {len(dom.risk_kpis)} risk numbers equal to manto risk --json"
    elif dom.risk_kpis:
        problems.append(f"{len(dom.risk_kpis)} risk numbers in the page but no --risk JSON to check them against")
    if problems:
        fail(problems)
    print(f"dom: {len(ids)} charts with SVG, title and table; {len(dom.kpis)} summary numbers equal to manto run --json{risk_note}")


def browse(chromium, html_path, dom_out, png_out):
    """Opens the report in headless Chromium driven over the DevTools protocol (a pipe,
    no port): records every request the page makes and every console message, exception
    and log entry, writes the rendered DOM and a screenshot of the first page."""
    import base64
    import os
    import subprocess
    import tempfile
    import time

    url = "file://" + os.path.abspath(html_path)
    profile = tempfile.mkdtemp(prefix="manto-chromium-")
    r_cmd, w_cmd = os.pipe()  # we write commands -> chromium reads fd 3
    r_out, w_out = os.pipe()  # chromium writes fd 4 -> we read
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
         "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
         f"--user-data-dir={profile}", "about:blank"],
        # The pipe ends may already be fds 3 and 4 (non-inheritable): copy them out of
        # the way first, then onto 3 and 4, which os.dup2 makes inheritable.
        preexec_fn=lambda: (lambda a, b: (os.dup2(a, 3), os.dup2(b, 4)))(os.dup(r_cmd), os.dup(w_out)),
        close_fds=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(r_cmd)
    os.close(w_out)
    inbox = b""
    next_id = [0]
    events = []

    def send(method, params=None, session=None):
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(w_cmd, json.dumps(msg).encode() + b"\0")
        return wait(lambda m: m.get("id") == next_id[0])

    def wait(pred, timeout=60):
        nonlocal inbox
        end = time.time() + timeout
        while True:
            while b"\0" in inbox:
                raw, inbox = inbox.split(b"\0", 1)
                m = json.loads(raw)
                if "method" in m:
                    events.append(m)
                if pred(m):
                    if "error" in m:
                        raise RuntimeError(f"DevTools: {m['error']}")
                    return m
            if time.time() > end:
                raise RuntimeError("Chromium did not answer in time")
            chunk = os.read(r_out, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium exited")
            inbox += chunk

    try:
        target = send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        sess = send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            send(f"{domain}.enable", {}, sess)
        send("Emulation.setDeviceMetricsOverride",
             {"width": 1240, "height": 1754, "deviceScaleFactor": 1, "mobile": False}, sess)
        send("Page.navigate", {"url": url}, sess)
        wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == sess)
        dom = send("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                          "returnByValue": True}, sess)["result"]["result"]["value"]
        shot = send("Page.captureScreenshot", {"format": "png"}, sess)["result"]["data"]
        # The print stylesheet: A4, the summary alone on the first page.
        pdf = base64.b64decode(send("Page.printToPDF", {"preferCSSPageSize": True}, sess)["result"]["data"])
        send("Browser.close")
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    with open(dom_out, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html>\n" + dom)
    with open(png_out, "wb") as f:
        f.write(base64.b64decode(shot))
    pdf_out = os.path.splitext(png_out)[0] + ".pdf"
    with open(pdf_out, "wb") as f:
        f.write(pdf)
    problems = []
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    if not pdf.startswith(b"%PDF") or pages < 3:
        problems.append(f"printing: {pages} PDF pages (the print stylesheet puts the summary, mine and finance on pages of their own)")
    requests = 0
    for e in events:
        if e.get("sessionId") != sess:
            continue
        m, p = e["method"], e.get("params", {})
        if m == "Network.requestWillBeSent":
            requests += 1
            u = p["request"]["url"]
            if u != url and not u.startswith("data:"):
                problems.append(f"network request: {u}")
        elif m == "Runtime.consoleAPICalled":
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console.{p.get('type')}: {args}")
        elif m == "Runtime.exceptionThrown":
            problems.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif m == "Log.entryAdded":
            entry = p["entry"]
            problems.append(f"console {entry.get('level')} ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}")
        elif m == "Network.loadingFailed":
            problems.append(f"load failed: {p.get('errorText')}")
    if requests == 0:
        problems.append("no request recorded at all: the browser check is not seeing the page")
    if problems:
        fail(problems)
    print(f"browser: loaded {url} ({requests} request: the file itself), no console message, "
          f"exception or log entry; DOM -> {dom_out}, first page -> {png_out}, "
          f"printed ({pages} A4 pages) -> {pdf_out}")


def num(s):
    s = s.strip()
    if s == "":
        return None
    return float(s)


MODEL_CHECK = "model check: the balance sheet balances in every quarter (to 1e-6 of the largest total assets)"


def model_check(by_label, problems):
    """The workbook's own model check on Outputs reads OK after the recalculation."""
    r = by_label.get(MODEL_CHECK)
    if r is None or len(r) < 3 or r[2] != "OK":
        problems.append(f"Outputs: model check {r[2] if r and len(r) > 2 else 'missing'!r}, not 'OK'")


def check_xlsx(outputs_csv, run_path):
    import os

    run = json.load(open(run_path))
    f = run["finance"]
    rows = list(csv.reader(open(outputs_csv, encoding="utf-8")))
    by_label = {}
    for r in rows:
        if r and r[0]:
            by_label.setdefault(r[0], r)
    problems = []
    checked = 0

    def close(label, got, want, scale=None):
        nonlocal checked
        checked += 1
        if want is None and got is None:
            return
        if want is None or got is None:
            problems.append(f"{label}: workbook {got!r}, manto {want!r}")
            return
        s = max(1.0, abs(want)) if scale is None else scale
        if abs(got - want) > REL * s:
            problems.append(f"{label}: workbook {got!r}, manto {want!r} (relative {abs(got - want) / s:.3g})")

    m = f["metrics"]
    for n in m["npv"]:
        rate = n["discount_rate_pct"]
        for what, field in (("project NPV after tax", "project_after_tax_usd"),
                            ("project NPV before tax", "project_pre_tax_usd"),
                            ("equity NPV", "equity_usd")):
            label = f"{what} at {rate:g}%"
            r = by_label.get(label)
            if r is None:
                problems.append(f"{label}: row missing from Outputs")
                continue
            close(label, num(r[2]), n[field])
    for what, field in (("project IRR after tax", "project_irr_after_tax_pct"),
                        ("project IRR before tax", "project_irr_pre_tax_pct"),
                        ("equity IRR", "equity_irr_pct")):
        r = by_label.get(what)
        if r is None:
            problems.append(f"{what}: row missing from Outputs")
            continue
        try:
            got = num(r[2])
        except ValueError:  # Excel's IRR is an error where the flows never change sign
            got = None
        close(f"{what}, %", got, m[field])
    r = by_label.get("minimum DSCR (quarters repaying principal)")
    close("minimum DSCR", num(r[2]) if r else None, m["min_dscr"])
    model_check(by_label, problems)
    for what, field in (("minimum LLCR", "min_llcr"), ("minimum PLCR", "min_plcr")):
        r = by_label.get(what)
        close(what, num(r[2]) if r else None, m[field])
    q = f["quarterly"]
    bs = f["balance_sheet"]
    # A balance is checked relative to the largest total assets of the model (a quarter
    # after everything is distributed holds almost nothing: its rounding is that of the
    # hundred-million-dollar flows through it).
    assets_scale = largest_assets(bs)
    first = 5  # A label, B unit, C how, D JSON key, E the start column
    d = by_label.get("DSCR (workbook)")
    b = by_label.get("balance check (workbook)")
    if d is None or b is None:
        problems.append("Outputs: DSCR or balance check row missing")
    else:
        if len(d) < first + len(q) or len(b) < first + len(q):
            problems.append(f"Outputs: {len(d) - first} DSCR columns for {len(q)} quarters")
        else:
            for t, p in enumerate(q):
                close(f"DSCR {p['label']}", num(d[first + t]), p["dscr"])
                close(f"balance check {p['label']}", num(b[first + t]), bs[t]["balance_check_usd"], assets_scale)
    # Every live row that names manto's JSON key in column D (Time and Calculations), each
    # quarter against manto's number.
    live_rows = 0
    for sheet in ("Time", "Calculations"):
        path = outputs_csv.replace("-Outputs.csv", f"-{sheet}.csv")
        if path == outputs_csv or not os.path.exists(path):
            problems.append(f"{sheet}: recalculated sheet {path} missing")
            continue
        for r in csv.reader(open(path, encoding="utf-8")):
            if len(r) < first or "." not in r[3] or not r[3].split(".")[0] in ("quarterly", "balance_sheet", "income_statement"):
                continue
            table, field = r[3].split(".", 1)
            rows_m = f[table]
            if len(r) < first + len(rows_m):
                problems.append(f"{sheet}: {r[0]} has {len(r) - first} columns for {len(rows_m)} quarters")
                continue
            live_rows += 1
            wants = []
            for pm in rows_m:
                want = pm
                for part in field.split("."):  # e.g. facilities.1.interest_usd
                    want = want[int(part)] if isinstance(want, list) else want[part]
                wants.append(want)
            # Relative to the row's largest value, as the Rust test compares.
            row_scale = max([1.0] + [abs(w) for w in wants if isinstance(w, (int, float))])
            for t, (pm, want) in enumerate(zip(rows_m, wants)):
                close(f"{sheet}: {r[0]} {pm['label']}", num(r[first + t]), want, row_scale)
    # Inputs lists every scenario input, mine and finance, each with a unit and a source.
    path = outputs_csv.replace("-Outputs.csv", "-Inputs.csv")
    keys = set()
    if os.path.exists(path):
        for r in csv.reader(open(path, encoding="utf-8")):
            if len(r) >= 4 and "." in r[0] and r[2] and r[3]:
                keys.add(r[0].split(".")[0].split("[")[0])
    for table in ("simulation", "targets", "calendar", "section", "schedule", "deposit", "plant", "crew", "finance"):
        checked += 1
        if table not in keys:
            problems.append(f"Inputs: no `{table}.*` input with a unit and a source")
    if live_rows < 40:
        problems.append(f"only {live_rows} live rows name manto's JSON key (Time, Calculations)")
    if problems:
        fail(problems)
    print(f"xlsx: {checked} recalculated values equal to manto within {REL:g} relative "
          f"(NPV after tax, before tax and equity at {len(m['npv'])} rates, three IRRs, min DSCR, LLCR and PLCR, {len(q)} quarters of DSCR and balance check, "
          f"{live_rows} live rows of Time and Calculations quarter by quarter)")


def check_xlsx_case(outputs_csv, run_path, cases_path, case_name, held_target=False):
    """A workbook recalculated with some of its inputs changed (or none) against one of
    `manto cases --json`'s bank cases (the debt held as sized on the banking case, as the
    workbook holds it): the after-tax NPV at the case's rate, the project and equity IRRs,
    the minimum DSCR and LLCR within 1e-6 relative, and the balance sheet balancing in every
    quarter (zero to 1e-6 of manto's total assets). With `held_target` (a case that moves
    the debt drawn in construction), the equity IRR is not compared: manto re-plans the
    DSRA target for the case, the workbook holds the target pasted from manto's planning
    pass (the DSRA circularity a spreadsheet breaks by a paste), so the reserve, the
    distributions and the equity return differ by design."""
    run = json.load(open(run_path))
    case = next((c for c in json.load(open(cases_path))["cases"] if c["name"] == case_name), None)
    if case is None:
        fail([f"no case {case_name!r} in {cases_path}"])
    rows = list(csv.reader(open(outputs_csv, encoding="utf-8")))
    by_label = {r[0]: r for r in rows if r and r[0]}
    problems = []

    def value(label):
        r = by_label.get(label)
        if r is None:
            problems.append(f"{label}: row missing from Outputs")
            return None
        try:
            return num(r[2])
        except ValueError:  # an Excel error (IRR of flows that never change sign)
            return None

    def close(what, got, want):
        if want is None and got is None:
            return
        if want is None or got is None or abs(got - want) > REL * max(1.0, abs(want)):
            problems.append(f"{what}: workbook {got!r}, manto's case {case_name} {want!r}")

    close("NPV after tax", value(f"project NPV after tax at {case['npv_rate_pct']:g}%"), case["npv_usd"])
    close("project IRR after tax, %", value("project IRR after tax"), case["irr_pct"])
    if not held_target:
        close("equity IRR, %", value("equity IRR"), case["equity_irr_pct"])
    close("minimum DSCR", value("minimum DSCR (quarters repaying principal)"), case["min_dscr"])
    close("minimum LLCR", value("minimum LLCR"), case["min_llcr"])
    model_check(by_label, problems)
    b = by_label.get("balance check (workbook)")
    bs = run["finance"]["balance_sheet"]
    if b is None:
        problems.append("Outputs: balance check row missing")
    else:
        scale = largest_assets(bs)
        for t, row in enumerate(bs):
            x = num(b[5 + t])
            if x is None or abs(x) > REL * scale:
                problems.append(f"balance check {row['label']}: {x!r}: the balance sheet does not balance")
    if problems:
        fail(problems, most=20)
    irrs = "the project IRR (the equity IRR follows the held DSRA target)" if held_target else "the two IRRs"
    print(f"xlsx: the recalculated workbook is manto's bank case {case_name}: NPV after tax at {case['npv_rate_pct']:g}%, "
          f"{irrs}, min DSCR and min LLCR within {REL:g}, balance sheet balanced in all {len(bs)} quarters")


def scale_inputs(src, dst, factor, pattern, overrun=False):
    """Copies the workbook SRC to DST with every input whose defined name matches PATTERN
    (a regular expression, whole name) multiplied by FACTOR: a named cell on Inputs, or
    every number of a named input row (`Row_<key>` on Production or Calculations); with
    `overrun`, the capital overrun % as manto's capex cases scale it: (1 + x/100) x FACTOR - 1."""
    import re
    import zipfile

    with zipfile.ZipFile(src) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
        book = z.read("xl/workbook.xml").decode()
    sheets = re.findall(r'<sheet name="([^"]+)"', book)
    targets = {}  # sheet file -> [(row, first column, last column)]
    for m in re.finditer(r'<definedName name="([^"]+)">([A-Za-z]+)!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?</definedName>', book):
        if not re.fullmatch(pattern, m.group(1)):
            continue
        sheet = f"xl/worksheets/sheet{sheets.index(m.group(2)) + 1}.xml"
        targets.setdefault(sheet, []).append((m.group(4), m.group(3), m.group(5) or m.group(3)))
    if not targets:
        fail([f"no defined name matches {pattern!r}"])

    def col_num(c):
        n = 0
        for ch in c:
            n = n * 26 + ord(ch) - 64
        return n

    def scale(x):
        return ((1.0 + x / 100.0) * factor - 1.0) * 100.0 if overrun else x * factor

    done = 0
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename in targets:
                text = data.decode()
                for row, first, last in targets[info.filename]:
                    lo, hi = col_num(first), col_num(last)

                    def one(c):
                        nonlocal done
                        if not lo <= col_num(c.group(1)) <= hi:
                            return c.group(0)
                        done += 1
                        return f'<c r="{c.group(1)}{row}"{c.group(2) or ""}><v>{scale(float(c.group(3)))!r}</v>'
                    text = re.sub(rf'<c r="([A-Z]+){row}"( s="\d+")?><v>([^<]+)</v>', one, text)
                data = text.encode()
            z.writestr(info, data)
    if done == 0:
        fail([f"the inputs named by {pattern!r} hold no number"])
    print(f"scaled {done} input cells named by {pattern!r} by {factor:g}: {dst}")


FIELD_MARK = "JSON field:"


def check_xlsx_risk(risk_csv, risk_path):
    risk = json.load(open(risk_path))
    problems = []
    checked = set()
    fields = None
    for i, r in enumerate(csv.reader(open(risk_csv, encoding="utf-8")), start=1):
        if len(r) < 5 or not r[3]:
            continue
        if r[3] == FIELD_MARK:
            fields = r[4:]
            continue
        if r[3] == "manto JSON":  # a header row: its block's field row follows
            fields = None
            continue
        if fields is None:
            problems.append(f"row {i}: {r[3]!r} in column D before any field row")
            continue
        for c, field in enumerate(fields):
            if c + 4 >= len(r):
                break
            path = r[3] if field == "" else f"{r[3]}.{field}"
            if field == "" and c > 0:
                continue  # columns past a block's own
            cell = r[4 + c]
            try:
                want = resolve(risk, path)[0]
            except (KeyError, IndexError, ValueError, TypeError) as e:
                problems.append(f"row {i} {r[0]!r}: {path} not in manto risk --json ({e!r})")
                continue
            where = f"row {i} {r[0]!r} ({path})"
            if isinstance(want, bool):
                if cell.upper() != str(want).upper():
                    problems.append(f"{where}: workbook {cell!r}, manto {want!r}")
            elif want is None:
                if cell != "n/a":
                    problems.append(f"{where}: workbook {cell!r}, manto null")
            elif isinstance(want, (int, float)):
                try:
                    # A share formatted as a percentage reads "36.6666666666667%".
                    got = float(cell[:-1]) / 100 if cell.endswith("%") else float(cell)
                except ValueError:
                    problems.append(f"{where}: workbook {cell!r} is not a number, manto {want!r}")
                    continue
                if abs(got - want) > REL * max(1.0, abs(want)):
                    problems.append(f"{where}: workbook {got!r}, manto {want!r} "
                                    f"(relative {abs(got - want) / max(1.0, abs(want)):.3g})")
            elif isinstance(want, str):
                if cell != want:
                    problems.append(f"{where}: workbook {cell!r}, manto {want!r}")
            else:
                problems.append(f"{where}: manto's value is not a scalar: {want!r}")
            checked.add(path)
    # What must be there: the headline NPV's statistics, every probability, and every
    # number manto risk computed but the fast path's set-up.
    head = [k for k, o in enumerate(risk["outputs"]) if o["name"] == risk["headline_npv"]]
    required = []
    if not head:
        problems.append(f"headline NPV {risk['headline_npv']!r} not among the outputs")
    else:
        required += [f"outputs.{head[0]}.{f}" for f in ("mean.mean", "p10", "p50", "p90")]
    required += [f"probabilities.{k}.p" for k in range(len(risk["probabilities"]))]
    leaves = []

    def walk(v, path):
        if isinstance(v, bool) or v is None:
            return
        if isinstance(v, (int, float)):
            leaves.append(path)
        elif isinstance(v, list):
            for k, x in enumerate(v):
                walk(x, f"{path}.{k}" if path else str(k))
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{path}.{k}" if path else k)

    walk({k: v for k, v in risk.items() if k != "fast_path"}, "")
    missing = [p for p in dict.fromkeys(required + leaves) if p not in checked]
    if missing:
        problems.append(f"{len(missing)} of manto risk's numbers not on the Risk sheet: {missing[:10]}")
    if problems:
        fail(problems)
    print(f"xlsx-risk: {len(checked)} cells of the Risk sheet equal to manto risk --json (numbers within {REL:g} "
          f"relative), among them {risk['headline_npv']} mean, P10, P50, P90 and {len(risk['probabilities'])} probabilities; "
          f"all {len(leaves)} numbers of the JSON but the fast path's are on the sheet")


def main(argv):
    if len(argv) >= 4 and argv[1] == "dom":
        rest = argv[4:]
        risk = None
        if rest[:1] == ["--risk"]:
            if len(rest) < 2:
                print(__doc__, file=sys.stderr)
                sys.exit(2)
            risk, rest = rest[1], rest[2:]
        check_dom(argv[2], argv[3], rest, risk)
    elif len(argv) == 6 and argv[1] == "browse":
        browse(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 4 and argv[1] == "xlsx":
        check_xlsx(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "xlsx-risk":
        check_xlsx_risk(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "xlsx-case":
        check_xlsx_case(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 7 and argv[1] == "xlsx-case" and argv[6] == "--held-dsra-target":
        check_xlsx_case(argv[2], argv[3], argv[4], argv[5], held_target=True)
    elif len(argv) == 6 and argv[1] == "scale-inputs":
        scale_inputs(argv[2], argv[3], float(argv[4]), argv[5])
    elif len(argv) == 5 and argv[1] == "scale-overrun":
        scale_inputs(argv[2], argv[3], float(argv[4]), "capex_overrun_pct", overrun=True)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
