#!/usr/bin/env python3
"""Opens dm_report pages and dm_report_svg charts in headless Chromium (Debian's package), driven
over the DevTools protocol on a pipe (stdlib only), and checks what a person would see:

- the page loads with no console error, no exception and no failed request (it fetches nothing);
- every chart's <svg> is drawn with a non-empty box and holds its data elements;
- the numbers the pictures carry equal the SQL functions' (a JSON file of expectations made by
  run.sh with psql: the confusion matrix cells, curve areas, point and bar counts, drift flags);
- each page is valid HTML5 (html5lib's strict parser) and each standalone SVG well-formed XML;
- screenshots of every page in light and dark colours, PNG, under the output folder.

Usage: browser.py OUTDIR EXPECTATIONS.json   (the pages are OUTDIR/<name>.html, charts *.svg).
With PG_MINING_DOCS_SHOTS=DIR it also writes the top of each page at half size to DIR/<name>.png
(the pictures in sql/docs/reports.md)."""
import base64
import json
import os
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import html5lib

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class Browser:
    """One headless Chromium; commands go down fd 3, replies and events come up fd 4."""

    def __init__(self):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # Copies first: a pipe may already sit on fd 3 or 4, and dup2 onto itself would
            # keep its close-on-exec flag.
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             "--disable-dev-shm-usage", "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    del self.events[: i + 1]
                    return e
            self.events.append(self._read())

    def open(self, path, dark=False):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=True)
        self.call("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
                  session=True)
        self.events.clear()
        self.call("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        self.wait_for("Page.loadEventFired")

    def js(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def problems(self):
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(f"console.{p.get('type')}: {p.get('args')}")
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(f"log: {p['entry'].get('text')}")
            elif m == "Network.requestWillBeSent" and not p.get("request", {}).get("url", "").startswith("file:"):
                out.append(f"request: {p['request'].get('url')}")
        return out

    def screenshot(self, file):
        size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
        shot = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}},
            session=True)
        data = base64.b64decode(shot["data"])
        file.write_bytes(data)
        return len(data)

    def small_screenshot(self, file, height=1800):
        """The top of the page at half size (the docs' pictures)."""
        size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
        shot = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], height),
                     "scale": 0.5}}, session=True)
        file.write_bytes(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        self.proc.wait(timeout=30)


# The pages whose pictures the docs show (sql/docs/reports.md).
DOCS_PAGES = {"species", "species_gb", "mass_drift", "groups"}

# What every chart shows, read back from the drawn page: per chart its box and data elements.
CHARTS_JS = """JSON.stringify([...document.querySelectorAll('svg.chart')].map(s => {
  const box = s.getBoundingClientRect();
  const attrs = (sel, names) => [...s.querySelectorAll(sel)].map(e => Object.fromEntries(names.map(n => [n, e.getAttribute('data-' + n)])));
  return {chart: s.dataset.chart, width: box.width, height: box.height,
          drawn: s.querySelectorAll('rect, polyline, circle').length,
          cells: attrs('rect.cell', ['actual', 'predicted', 'count']),
          curves: attrs('polyline.curve', ['class', 'auc', 'ap', 'points', 'series']),
          bars: attrs('rect.bar', ['name', 'value', 'flagged', 'count', 'series']),
          points: s.querySelectorAll('g.rows circle').length,
          trials: attrs('circle.trial', ['trial', 'chosen'])};
}))"""


def check_page(b, name, out, expect, failures):
    page = out / f"{name}.html"
    fail = lambda msg: failures.append(f"{name}: {msg}")
    try:
        html5lib.HTMLParser(strict=True).parse(page.read_bytes())
    except Exception as e:  # html5lib raises ParseError with the position
        fail(f"not valid HTML5: {e}")
    b.open(page)
    charts = json.loads(b.js(CHARTS_JS))
    shots = [b.screenshot(out / f"{name}.png")]
    docs = os.environ.get("PG_MINING_DOCS_SHOTS")
    if docs and name in DOCS_PAGES:
        b.small_screenshot(pathlib.Path(docs) / f"{name}.png")
    problems = b.problems()
    b.open(page, dark=True)
    dark_bg = b.js("getComputedStyle(document.body).backgroundColor")
    shots.append(b.screenshot(out / f"{name}-dark.png"))
    problems += b.problems()
    for p in problems:
        fail(p)
    if dark_bg != "rgb(13, 17, 23)":
        fail(f"dark colours not applied: body background {dark_bg}")
    by = {c["chart"]: c for c in charts}
    for want in expect.get("charts", []):
        if want not in by:
            fail(f"chart {want} missing (drawn: {sorted(by)})")
    for c in charts:
        if c["width"] <= 0 or c["height"] <= 0 or c["drawn"] == 0:
            fail(f"chart {c['chart']} is empty ({c['width']}x{c['height']}, {c['drawn']} shapes)")
    if "confusion" in expect:
        got = sorted((x["actual"], x["predicted"], int(x["count"])) for x in by["confusion_matrix"]["cells"])
        want = sorted(tuple(r) for r in expect["confusion"])
        if got != want:
            fail(f"confusion matrix cells {got} != dm_confusion_matrix {want}")
    if "roc_auc" in expect:
        aucs = [float(x["auc"]) for x in by["roc"]["curves"]]
        mean = sum(aucs) / len(aucs)
        if abs(mean - expect["roc_auc"]) > 1e-9:
            fail(f"ROC curves' mean AUC {mean} != dm_evaluate's roc_auc {expect['roc_auc']}")
    if "points" in expect:
        got = by["predicted_vs_actual"]["points"]
        if got != expect["points"]:
            fail(f"predicted_vs_actual has {got} points, the relation {expect['points']} rows")
        hist = sum(int(x["count"]) for x in by["residual_histogram"]["bars"])
        if hist != expect["points"]:
            fail(f"residual histogram counts {hist} rows, the relation {expect['points']}")
    if "clusters" in expect:
        got = sorted((x["name"], int(float(x["value"]))) for x in by["cluster_sizes"]["bars"])
        want = sorted((str(k), v) for k, v in expect["clusters"])
        if got != want:
            fail(f"cluster sizes {got} != dm_cluster's counts {want}")
    if "drifted" in expect:
        bars = by["drift"]["bars"]
        flagged = sorted(x["name"] for x in bars if x["flagged"] == "true")
        if len(bars) != expect["drift_columns"] or flagged != sorted(expect["drifted"]):
            fail(f"drift bars {len(bars)} flagged {flagged} != dm_drift's {expect['drift_columns']} / {expect['drifted']}")
    if "learning_points" in expect:
        lines = by["learning_curve"]["curves"]
        got = sorted((x["series"], int(x["points"])) for x in lines)
        want = [("training loss", expect["learning_points"]), ("validation loss", expect["learning_points"])]
        if got != want:
            fail(f"learning curve lines {got} != one point per boosting round run {want}")
    if "trials" in expect:
        chosen = [x["trial"] for x in by["trials"]["trials"] if x["chosen"] == "true"]
        if len(by["trials"]["trials"]) != expect["trials"] or chosen != [str(expect["chosen_trial"])]:
            fail(f"trials {by['trials']['trials']} != dm.search_trials' {expect['trials']}, chosen {expect['chosen_trial']}")
    print(f"  {name}: {len(charts)} charts ({', '.join(sorted(by))}); screenshots {shots[0]} and {shots[1]} bytes")


def check_svg(b, file, failures):
    try:
        root = ET.parse(file).getroot()
    except ET.ParseError as e:
        failures.append(f"{file.name}: not well-formed XML: {e}")
        return
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        failures.append(f"{file.name}: root element is {root.tag}")
    b.open(file)
    box = b.js("(() => { const r = document.documentElement.getBoundingClientRect(); return [r.width, r.height, document.querySelectorAll('rect, polyline, circle').length]; })()")
    for p in b.problems():
        failures.append(f"{file.name}: {p}")
    if box[0] <= 0 or box[1] <= 0 or box[2] == 0:
        failures.append(f"{file.name}: drawn empty {box}")
    b.screenshot(file.with_suffix(".png"))


def main():
    out, expectations = pathlib.Path(sys.argv[1]), json.loads(pathlib.Path(sys.argv[2]).read_text())
    failures = []
    b = Browser()
    try:
        print("  " + b.call("Browser.getVersion")["product"])
        for name, expect in expectations.items():
            check_page(b, name, out, expect, failures)
        svgs = sorted(out.glob("*.svg"))
        for f in svgs:
            check_svg(b, f, failures)
        print(f"  {len(svgs)} standalone charts opened")
    finally:
        b.close()
    for f in failures:
        print("FAIL " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
