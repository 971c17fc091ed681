#!/usr/bin/python3
"""tests/browser/console.py BUILD: the office's console in a real browser.

Builds a small province with the real programs (the office's `coso admin`,
`cosod central`, four field devices), through the merge code: two
districts of Lạng Sơn and their communes, the 2025 merger (communes
merged into others, districts ended), a rotation with its handover, a
record the central quarantines, reports of 2025-Q2 on time, late, signed
in time but sent late because offline, and missing (the device clocks of
July 2025 under faketime, the central's too while they are on time).
Then `cosod central run --http` serves the console, and headless Chromium
(Debian's chromium + chromium-driver, python3-selenium) signs in as the
office (a passphrase) and as a district leader (a challenge signed by
`coso console sign`), at laptop (1366x768) and phone (390x844) sizes:
  - each page's figures equal `cosod central report <view> --format json`
    for the same period and scope, cell by cell;
  - the district leader sees their district only, on the page and from
    the API (the other district is refused);
  - the print view becomes a PDF (Chrome DevTools Page.printToPDF) of one
    A4 page per section, each starting with its section, rendered to PNG
    by pdftoppm.
Screenshots of every page, laptop and phone, under BUILD/console/.  Exit 1
on any failure, 77 when the browser is not installed (a skip)."""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import (StaleElementReferenceException,
                                            TimeoutException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("console: python3-selenium is not installed: skipped")
    sys.exit(77)

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SHOTS = os.path.join(B, "console")
PHONE, LAPTOP = (390, 844), (1366, 768)
T = tempfile.mkdtemp(prefix="coso-console.")
ENV = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", TZ="UTC")
PROCS, FAILS, PASSES = [], [], [0]
START = time.time()
PERIOD = "2025-Q2"
# July 2025: the reports of 2025-Q2 are due on 10/07/2025 (the default
# schedule: 10 days, then 5 of grace).
JULY5, JULY8 = "@2025-07-05 03:00:00", "@2025-07-08 03:00:00"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
PASS_OFFICE = "mật khẩu văn phòng 2025"
PASS_182 = "lãnh đạo Văn Lãng"
PASS_KT = "khối kinh tế 2025"


def log(msg):
    print("console: [%5.1fs] %s" % (time.time() - START, msg), flush=True)


def check(cond, what):
    if cond:
        PASSES[0] += 1
    else:
        FAILS.append(what)
        log("FAIL: " + what)
    return cond


def same(got, want, what):
    return check(got == want, "%s: got %r, wanted %r" % (what, got, want))


class Fatal(Exception):
    pass


def env_at(at):
    """The environment of a program whose wall clock starts at `at` (and
    runs on); nng's timers keep the real monotonic clock.  libfaketime
    itself rather than faketime(1), which would stand between a signal
    and the program."""
    if at is None:
        return ENV
    return dict(ENV, LD_PRELOAD=FAKETIME_LIB, FAKETIME=at,
                FAKETIME_DONT_FAKE_MONOTONIC="1", FAKETIME_NO_CACHE="1")


def run(args, at=None, stdin=None, ok=True):
    """Runs a program of the build (its clock at `at`); its stdout, or
    Fatal."""
    p = subprocess.run(args, capture_output=True, text=True, env=env_at(at),
                       input=stdin, timeout=60)
    if ok and p.returncode != 0:
        raise Fatal("%s: exit %d: %s" % (" ".join(args[-6:]), p.returncode,
                                         p.stderr.strip()))
    return p.stdout if ok else p


def coso(store, *args, at=None, stdin=None):
    return run([os.path.join(B, "coso"), "--store", os.path.join(T, store)]
               + list(args), at=at, stdin=stdin)


def cosod(*args, at=None, stdin=None):
    return run([os.path.join(B, "cosod")] + list(args), at=at, stdin=stdin)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, secs=10):
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(p):
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# ---- the province, through the real programs ----
CPORT, HPORT = free_port(), free_port()
CURL = "tcp://127.0.0.1:%d" % CPORT
ORIGIN = "http://127.0.0.1:%d" % HPORT
DB = os.path.join(T, "central.db")
TREE_2024 = """code,name,level,parent_code,valid_from
20,Tỉnh Lạng Sơn,province,,2020-01-01
180,Huyện Tràng Định,district,20,2020-01-01
182,Huyện Văn Lãng,district,20,2020-01-01
06040,Thị trấn Thất Khê,commune,180,2020-01-01
06043,Xã Đào Viên,commune,180,2020-01-01
06058,Xã Quốc Việt,commune,180,2020-01-01
06151,Xã Hội Hoan,commune,182,2020-01-01
06160,Xã Gia Miễn,commune,182,2020-01-01
06043-01,Thôn Nà Nưa,village,06043,2020-01-01
06160-01,Thôn Bình Lập,village,06160,2020-01-01
"""
TREE_2025 = """code,name,level,parent_code,valid_from
20,Tỉnh Lạng Sơn,province,,2025-07-01
06040,Xã Thất Khê,commune,20,2025-07-01
06058,Xã Quốc Việt,commune,20,2025-07-01
06151,Xã Hội Hoan,commune,20,2025-07-01
"""
MERGE = """old_code,new_code
06040,06040
06043,06058
06058,06058
06151,06151
06160,06151
"""
# cadre, name, unit, to (None: open-ended), device
CADRES = [
    ("cb-1", "Lò Thị Mai", "06043", "2025-06-30"),
    ("cb-2", "Hoàng Văn Lan", "06040", None),
    ("cb-3", "Nông Thị Hoa", "06160", "2025-06-30"),
    ("cb-4", "Vi Văn Tùng", "06151", None),
    ("cb-5", "Lương Văn Khánh", "06058", None),
]
LEADERS = [("cb-l180", "Hà Văn Sơn", "180"), ("cb-l182", "Chu Thị Ngân",
                                                "182"),
           ("cb-vp", "Phạm Văn Tổ", None)]


def write(name, text):
    path = os.path.join(T, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def central_up(at=None):
    """The central, its HTTP API behind a bearer token as beyond
    loopback: the console's pages and views do without it (a browser
    sends none), the rest of the API does not."""
    args = [os.path.join(B, "cosod"), "central", "run", "--db", DB,
            "--listen", CURL, "--http", "127.0.0.1:%d" % HPORT,
            "--http-token", write("http.token", "coso-console-test-token-4f1c9\n")]
    out = open(os.path.join(T, "central.log"), "ab")
    p = subprocess.Popen(args, stdout=out, stderr=out, env=env_at(at))
    PROCS.append(p)
    if not (wait_port(CPORT) and wait_port(HPORT)):
        raise Fatal("the central does not listen (central.log: %s)" %
                    open(os.path.join(T, "central.log")).read()[-400:])
    return p


def province():
    """Everything up to the end of July 2025's first week, on the clocks
    of that week: the office, the central, the devices, the on-time
    report, the offline one signed; returns the central (still faked)."""
    log("the province, July 2025")
    a = JULY5
    pub = coso("admin", "init", "--cadre", "admin", "--name", "Ban Tổ chức",
               at=a)
    cpub = cosod("central", "init", "--db", DB, "--admin-key",
                 write("admin.pub", pub), "--origin",
                 "langson.example/coso/console", at=a)
    write("central.pub", cpub)
    coso("admin", "pin", "--central", CURL, "--central-key",
         os.path.join(T, "central.pub"), at=a)
    coso("admin", "admin", "units", "import", write("t24.csv", TREE_2024),
         at=a)
    coso("admin", "admin", "units", "import", write("t25.csv", TREE_2025),
         at=a)
    coso("admin", "admin", "units", "merge", write("m.csv", MERGE),
         "--date", "2025-07-01", at=a)
    for c, n, u, to in CADRES:
        coso("admin", "admin", "cadre", "add", "--id", c, "--name", n, at=a)
        coso("admin", "admin", "assign", "--cadre", c, "--unit", u,
             "--role", "in-charge", "--from", "2025-01-01",
             *(("--to", to) if to else ()), at=a)
    for c, n, u in LEADERS:
        coso("admin", "admin", "cadre", "add", "--id", c, "--name", n, at=a)
    # A sector team, as after the 2025 reform: cb-2 and cb-4 in the
    # economic sector, led by cb-kt.
    coso("admin", "admin", "sector", "add", "--code", "kt", "--name",
         "Khối Kinh tế", at=a)
    coso("admin", "admin", "cadre", "add", "--id", "cb-kt", "--name",
         "Đinh Văn Kinh", at=a)
    for c in ("cb-2", "cb-4"):
        coso("admin", "admin", "assign", "--cadre", c, "--sector", "kt",
             "--role", "support", "--from", "2025-01-01", at=a)
    # cb-1 goes on to Quốc Việt, which Đào Viên went into.
    coso("admin", "admin", "assign", "--cadre", "cb-1", "--unit", "06058",
         "--role", "in-charge", "--from", "2025-07-01", at=a)
    tokens = {}
    for c in ("cb-1", "cb-2", "cb-3", "cb-4", "cb-5", "cb-l180"):
        tokens[c] = coso("admin", "admin", "token", "--cadre", c,
                         at=a).split()[0]
    central = central_up(at=a)
    coso("admin", "sync", at=a)
    for c in tokens:
        coso(c, "init", "--cadre", c, "--name", c, "--central", CURL,
             "--central-key", os.path.join(T, "central.pub"), at=a)
        coso(c, "enroll", tokens[c], at=a)
        coso(c, "sync", at=a)
    visit("cb-1", "06043", "2025-05-20", "Kiểm tra đường",
          "Hỗ trợ 20 tấn xi măng làm đường")
    visit("cb-2", "06040", "2025-04-21", "Thăm hộ nghèo",
          "Cấp giống ngô vụ đông")
    visit("cb-3", "06160", "2025-05-03", "Họp dân", "Sửa cầu treo qua suối")
    visit("cb-4", "06151", "2025-06-10", "Kiểm tra trường")
    # cb-1's handover of Đào Viên, merged into Quốc Việt.
    coso("cb-1", "handover", "add", "--unit", "06043", "--text",
         "Bàn giao hồ sơ xã Đào Viên sau sáp nhập", "--to", "cb-5",
         "--date", "2025-06-30", at=a)
    # The rotation: the office moves cb-5 off Quốc Việt from 01/07/2025;
    # cb-5's device, not told yet, records a visit there after it: the
    # central will quarantine it (unassigned).
    coso("admin", "admin", "rotate", "--cadre", "cb-5", "--unit", "06058",
         "--to-cadre", "cb-1", "--date", "1/7/2025", "--note",
         "Bàn giao xã Quốc Việt cho đồng chí Mai", at=a)
    coso("admin", "sync", at=a)
    visit("cb-5", "06058", "2025-07-03", "Nắm tình hình")
    for c in ("cb-1", "cb-2", "cb-4", "cb-5"):
        coso(c, "sync", at=a)
    # On time: cb-2's report, signed and received on 05/07/2025.
    report("cb-2", "06040", a)
    coso("cb-2", "sync", at=a)
    # Offline: cb-3 signs on 08/07/2025, before the deadline, and syncs
    # only now (below).
    report("cb-3", "06160", JULY8)
    return central


def visit(c, unit, date, purpose, proposal=None):
    coso(c, "visit", "add", "--unit", unit, "--date", date, "--purpose",
         purpose, *(("--proposal", proposal) if proposal else ()), at=JULY5)


def report(c, unit, at):
    rid = coso(c, "report", "new", "--period", PERIOD, "--unit", unit,
               at=at).strip()
    for s in ("situation", "difficulties"):
        coso(c, "report", "edit", rid, "--section", s, "--text",
             "Phần %s của %s" % (s, c), at=at)
    coso(c, "report", "edit", rid, "--section", "proposals", "--text",
         "Bổ sung kinh phí sửa đường liên thôn", at=at)
    coso(c, "report", "submit", rid, at=at)
    return rid


def today_on(central):
    """The central on today's clock: cb-3's offline report arrives, cb-4
    reports late, cb-5 never does; a proposal is answered."""
    log("the province, today")
    stop(central)
    central = central_up()
    coso("cb-3", "sync")
    report("cb-4", "06151", None)
    coso("cb-4", "sync")
    coso("admin", "sync")
    pid = json.loads(cosod("central", "report", "proposals", "--db", DB,
                           "--format", "json"))
    pid = [p["id"] for p in pid["proposals"]
           if p["text"] == "Cấp giống ngô vụ đông"][0]
    coso("admin", "admin", "respond", pid[-8:], "--status", "answered",
         "--text", "Đã giao Sở Nông nghiệp cấp giống")
    coso("admin", "sync")
    return central


ACCESS = [True]


def grants():
    """Console access: granted by the office (signed), a passphrase set
    at the central.  A central without the access part: noted, skipped."""
    log("console access")
    p = subprocess.run([os.path.join(B, "coso"), "--store",
                        os.path.join(T, "admin"), "admin", "console",
                        "grant", "cb-vp", "--role", "office"],
                       capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        log("NOT TESTED: console access (`coso admin console grant`: %s)"
            % p.stderr.strip()[:120])
        ACCESS[0] = False
        return
    coso("admin", "admin", "console", "grant", "cb-l180", "--role",
         "leader", "--unit", "180")
    coso("admin", "admin", "console", "grant", "cb-l182", "--role",
         "leader", "--unit", "182")
    coso("admin", "admin", "console", "grant", "cb-kt", "--role",
         "leader", "--sector", "kt")
    coso("admin", "sync")
    cosod("central", "console", "passwd", "--db", DB, "cb-vp",
          stdin=PASS_OFFICE + "\n")
    cosod("central", "console", "passwd", "--db", DB, "cb-l182",
          stdin=PASS_182 + "\n")
    cosod("central", "console", "passwd", "--db", DB, "cb-kt",
          stdin=PASS_KT + "\n")


def http_status(path):
    """The status of a GET without cookie or token."""
    try:
        return urllib.request.urlopen(ORIGIN + path, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code


def cli(view, scope_unit=None, period=PERIOD, scope_sector=None):
    args = ["central", "report", view, "--db", DB, "--format", "json"]
    if view not in ("devices", "audit"):
        args += ["--period", period]
    if scope_unit:
        args += ["--scope-unit", scope_unit]
    if scope_sector:
        args += ["--scope-sector", scope_sector]
    return json.loads(cosod(*args))


# ---- the browser ----
D = None
SHOT_N = [0]


def browser():
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--disable-extensions", "--lang=vi",
              "--window-size=%d,%d" % LAPTOP):
        o.add_argument(a)
    o.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    svc = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    d = webdriver.Chrome(service=svc, options=o)
    d.set_script_timeout(30)
    return d


def els(css):
    return D.find_elements(By.CSS_SELECTOR, css)


def wait(fn, what, secs=10):
    try:
        return WebDriverWait(D, secs, 0.1, ignored_exceptions=[
            StaleElementReferenceException]).until(lambda d: fn())
    except TimeoutException:
        raise Fatal("timed out waiting for " + what)


def goto(hash_, ready):
    """Opens a page and waits until it says it has drawn its data."""
    D.execute_script("document.body.removeAttribute('data-ready');"
                     "if (location.hash === arguments[0]) route();"
                     "else location.hash = arguments[0];", hash_)
    wait(lambda: D.execute_script(
        "return document.body.getAttribute('data-ready')") == ready,
        "the page %s" % hash_)


def shot(name):
    """The page, whole, at laptop and at phone size."""
    SHOT_N[0] += 1
    for tag, wh in (("laptop", LAPTOP), ("phone", PHONE)):
        D.set_window_size(*wh)
        hh = D.execute_script("return document.documentElement.scrollHeight")
        D.set_window_size(wh[0], max(wh[1], min(hh + 140, 5000)))
        D.save_screenshot(os.path.join(
            SHOTS, "%02d-%s-%s.png" % (SHOT_N[0], name, tag)))
    D.set_window_size(*LAPTOP)


def fetch(path):
    """GET from the page (its cookie): [status, text]."""
    return D.execute_async_script("""
        var cb = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) {
            return r.text().then(function (t) { cb([r.status, t]); });
        }, function (e) { cb([0, String(e)]); });""", path)


def page_tables():
    """Every table on the page: its JSON key and its rows, each a dict of
    data-k -> data-v (the raw values) and the visible text."""
    return D.execute_script("""
        return Array.prototype.map.call(
            document.querySelectorAll('main table[data-key]'), function (t) {
            return {key: t.getAttribute('data-key'),
                rows: Array.prototype.map.call(t.querySelectorAll(
                    ':scope > tbody > tr'), function (tr) {
                    var o = {};
                    Array.prototype.forEach.call(tr.children, function (td) {
                        o[td.getAttribute('data-k')] =
                            [td.getAttribute('data-v'), td.innerText];
                    });
                    return o;
                })};
        });""")


def json_at(row, k):
    v = row
    for part in k.split("."):
        v = v.get(part) if isinstance(v, dict) else None
    return v


def shown(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return str(len(v))
    return "" if v is None else str(v)


def permille(v):
    """A rate in permille as the page shows it: 625 -> "62,5 %"."""
    return ("%d" % (v // 10) + ("" if v % 10 == 0 else ",%d" % (v % 10))
            + " %")


def is_count(k, v):
    """Whether the value is a number shown as a number (not a date, a
    time or a skew in seconds)."""
    if not isinstance(v, int) or isinstance(v, bool):
        return False
    return k.startswith("counts.") or not re.search(
        r"(_ms|date|due|grace_end|submitted|received|since|first|last|to|"
        r"from|id|rate_permille|level|ref|ended|started)$", k)


def same_rows(page_rows, json_rows, what):
    """The page's rows are the JSON's, in its order, every cell: the raw
    value, and a number shown as itself (Vietnamese grouping)."""
    if not same(len(page_rows), len(json_rows), what + ": rows"):
        return
    bad = []
    for i, (pr, jr) in enumerate(zip(page_rows, json_rows)):
        for k, (raw, txt) in pr.items():
            v = json_at(jr, k)
            if shown(v) != raw:
                bad.append("row %d %s: page %r, JSON %r" % (i, k, raw, v))
            elif k.endswith("rate_permille"):
                if txt != permille(v):
                    bad.append("row %d %s shows %r for %r" % (i, k, txt, v))
            elif is_count(k, v) and txt.replace(".", "") != str(v):
                bad.append("row %d %s shows %r for %r" % (i, k, txt, v))
    check(not bad, "%s: %d cells differ: %s" % (what, len(bad),
                                                "; ".join(bad[:4])))


def same_view(doc, what, only=None):
    """Every table on the page against the array of the same name in the
    CLI's JSON."""
    n = 0
    for t in page_tables():
        if only and t["key"] not in only:
            continue
        arr = doc.get(t["key"])
        if not check(isinstance(arr, list), "%s: the JSON has no %s" %
                     (what, t["key"])):
            continue
        same_rows(t["rows"], arr, "%s %s" % (what, t["key"]))
        n += 1
    return n


def login_passphrase(cadre, pw):
    goto("#/login", "login")
    e = els("#l-cadre")[0]
    e.clear()
    e.send_keys(cadre)
    els("#l-pass")[0].send_keys(pw)
    els("#l-go")[0].click()
    wait(lambda: D.execute_script(
        "return document.body.getAttribute('data-ready')") == "overview",
        "the overview after signing in as " + cadre)


def logout():
    els("#logout")[0].click()
    wait(lambda: els("#l-cadre"), "the sign-in page after signing out")


# ---- the pages ----
LEVELS = ("districts", "communes", "villages")


def overview(doc, scope):
    """The top of the overview: the counts, each unit row against the
    same unit in the JSON, the sectors, cadres and reports whole."""
    goto("#/overview?p=" + PERIOD, "overview")
    cards = {e.get_attribute("data-k"): e.get_attribute("data-v")
             for e in els("#totals .count[data-v]")}
    for k in ("expected", "on_time", "late", "offline_late", "missing",
              "rate_permille"):
        same(cards.get(k), str(doc["total"][k]),
             "%s overview: %s" % (scope, k))
    tables = page_tables()
    units = [t for t in tables if t["key"] in LEVELS]
    check(units, "%s overview: a table of units" % scope)
    for t in units:
        by = {u["unit"]: u for u in doc[t["key"]]}
        for r in t["rows"]:
            code = r["unit"][0]
            if check(code in by, "%s: unit %s shown is in the JSON %s" %
                     (scope, code, t["key"])):
                same_rows([r], [by[code]], "%s unit %s" % (scope, code))
    same_view(doc, scope + " overview", only=("sectors", "cadres",
                                              "reports"))
    return " ".join(r["unit"][0] for t in units for r in t["rows"])


def drill(doc):
    """District -> commune -> a report and its signature."""
    kids = [c["unit"] for c in doc["communes"] if c["parent"] == "180"]
    goto("#/overview?p=%s&u=180" % PERIOD, "overview")
    check("Huyện Tràng Định" in els("#crumbs")[0].text,
          "drill-down: the district in the crumbs")
    rows = [r["unit"][0] for t in page_tables() if t["key"] == "communes"
            for r in t["rows"]]
    same(rows, kids, "drill-down: the district's communes")
    shot("overview-district")
    goto("#/overview?p=%s&u=06043" % PERIOD, "overview")
    crumbs = els("#crumbs")[0].text
    check("Huyện Tràng Định" in crumbs and "Xã Đào Viên" in crumbs,
          "drill-down: district and commune in the crumbs: %r" % crumbs)
    want = [r["cadre"] for r in doc["reports"]
            if "06043" in (r["unit"], r["commune"], r["district"])]
    got = [r["cadre"][0] for t in page_tables() if t["key"] == "reports"
           for r in t["rows"]]
    same(got, want, "drill-down: the commune's reports")
    shot("overview-commune")
    goto("#/overview?p=%s&c=cb-3" % PERIOD, "overview")
    same([(r["cadre"][0], r["status"][0]) for t in page_tables()
          if t["key"] == "reports" for r in t["rows"]],
         [(r["cadre"], r["status"]) for r in doc["reports"]
          if r["cadre"] == "cb-3"], "drill-down: a cadre's reports")
    i = [k for k, r in enumerate(doc["reports"])
         if r["status"] == "offline_late"]
    if check(i, "an offline-late report in the JSON"):
        goto("#/overview?p=%s&r=%d" % (PERIOD, i[0]), "overview")
        same(els("#sig")[0].get_attribute("data-v"),
             doc["reports"][i[0]]["signature"], "the report's signature")
        same(doc["reports"][i[0]]["signature"], "verified",
             "the offline report's signature verified")
        check("Chữ ký hợp lệ" in els("#sig")[0].text,
              "the signature shown as verified")
        shot("report")


def simple(view, doc, name, period=PERIOD):
    goto("#/%s?p=%s" % (view, period), view)
    check(not els("#err"), "%s: no error shown (%s)" % (
        view, els("#err")[0].text if els("#err") else ""))
    n = same_view(doc, view)
    check(n > 0, "%s: at least one table" % view)
    for a in els("main .dl a.csv")[:1] + els("main .dl a.xlsx")[:1]:
        st, body = fetch(a.get_attribute("href"))
        same(st, 200, "%s: %s download" % (view, a.get_attribute("href")))
    shot(name)


def audit():
    goto("#/audit", "audit")
    note = els("#cp-note")[0].text
    vkey = els("#vkey")[0].text
    check(note.startswith("langson.example/coso/console\n"),
          "audit: the checkpoint as a signed note: %r" % note[:80])
    same(vkey, cosod("central", "vkey", "--db", DB).strip().splitlines()[-1]
         if vkey else "", "audit: the verifier key")
    shot("audit")


def printed():
    """The review pack to PDF: one A4 page per section, each page opening
    with its section's title and the running header."""
    goto("#/print?p=" + PERIOD, "print")
    shot("print")
    sections = len(els("table.sheet"))
    pdf = D.execute_cdp_cmd("Page.printToPDF", {
        "printBackground": True, "preferCSSPageSize": True})
    path = os.path.join(SHOTS, "print.pdf")
    with open(path, "wb") as f:
        f.write(base64.b64decode(pdf["data"]))
    info = run(["pdfinfo", path])
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    same(pages, sections, "print: one page per section")
    check(size and abs(float(size.group(1)) - 595.3) < 2 and
          abs(float(size.group(2)) - 841.9) < 2,
          "print: A4 pages (%s)" % (size.group(0) if size else info))
    for i in range(1, pages + 1):
        txt = run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", path,
                   "-"])
        first = [x.strip() for x in txt.splitlines() if x.strip()][:3]
        check(first and first[0].startswith("Báo cáo giao ban quý") and
              "In ngày" in first[0],
              "print page %d: the running header first: %r" % (i, first))
        check([x for x in first[1:] if x.startswith("%d. " % i)],
              "print page %d: section %d opens it: %r" % (i, i, first))
    run(["pdftoppm", "-png", "-r", "60", path,
         os.path.join(SHOTS, "print-page")])
    same(len([f for f in os.listdir(SHOTS) if f.startswith("print-page")]),
         pages, "print: pdftoppm rendered every page")


def leader(other_doc):
    """cb-l180 signs in with a challenge signed by their device's key."""
    goto("#/login", "login")
    ch = wait(lambda: re.fullmatch(r"[0-9a-f]{64}", els("#l-challenge")[0]
                                   .text) and els("#l-challenge")[0].text,
              "the challenge")
    cmd = els("#l-cmd")[0].text
    same(cmd, "coso console sign --origin %s %s" % (ORIGIN, ch),
         "login: the command to run shown")
    shot("login")
    out = coso("cb-l180", "console", "sign", "--origin", ORIGIN,
               ch).strip()
    e = els("#l-cadre")[0]
    e.clear()
    e.send_keys("cb-l180")
    D.execute_script("document.getElementById('l-sig').value = "
                     "arguments[0]", out)
    els("#l-sig-go")[0].click()
    wait(lambda: D.execute_script(
        "return document.body.getAttribute('data-ready')") == "overview",
        "the overview after a signed sign-in")
    doc = cli("overview", "180")
    overview(doc, "leader 180")
    txt = els("main")[0].text
    check("Văn Lãng" not in txt and "Gia Miễn" not in txt,
          "the leader of 180 sees nothing of district 182")
    shot("overview-leader")
    st, body = fetch("/api/v1/views/overview?period=%s" % PERIOD)
    same(st, 200, "leader: own overview from the API")
    got = json.loads(body) if st == 200 else {}
    same(got, doc, "leader: the API's overview = the CLI's --scope-unit 180")
    other = {"182", "06151", "06160", "06160-01"}
    check(not [u for k in LEVELS for u in got.get(k, [])
               if u["unit"] in other] and
          not [r for r in got.get("reports", []) if r["unit"] in other],
          "leader: the API gives nothing of district 182")
    for v in ("coverage", "proposals"):
        st, body = fetch("/api/v1/views/%s?period=%s" % (v, PERIOD))
        check(st == 200 and not re.search(r'"(182|06151|06160)"', body),
              "leader: the %s view has nothing of district 182" % v)
    logout()
    st, _ = fetch("/api/v1/views/overview?period=%s" % PERIOD)
    same(st, 401, "signed out: the views refused")


def sector_leader():
    """cb-kt leads the economic sector: the overview of its cadres only,
    the page's figures and the API's equal to the CLI's --scope-sector."""
    login_passphrase("cb-kt", PASS_KT)
    doc = cli("overview", scope_sector="kt")
    same(sorted(c["cadre"] for c in doc["cadres"]), ["cb-2", "cb-4"],
         "the sector's cadres (CLI)")
    overview(doc, "sector kt")
    got = [r["cadre"][0] for t in page_tables() if t["key"] == "cadres"
           for r in t["rows"]]
    same(got, ["cb-2", "cb-4"], "the sector leader sees its two cadres")
    st, body = fetch("/api/v1/views/overview?period=%s" % PERIOD)
    same(json.loads(body) if st == 200 else st, doc,
         "sector leader: the API = the CLI's --scope-sector kt")
    shot("overview-sector")
    logout()


def leader_ended():
    """cb-l182 signs in with a passphrase and sees district 182; the
    office ends the access: the next request is refused (403), on the
    page and from the API."""
    login_passphrase("cb-l182", PASS_182)
    goto("#/overview?p=" + PERIOD, "overview")
    txt = els("main")[0].text
    check("Văn Lãng" in txt and "Tràng Định" not in txt,
          "the leader of 182 sees 182 and not 180")
    st, body = fetch("/api/v1/views/overview?period=%s" % PERIOD)
    same(json.loads(body) if st == 200 else st, cli("overview", "182"),
         "leader 182: the API = the CLI's --scope-unit 182")
    coso("admin", "admin", "console", "end", "cb-l182")
    coso("admin", "sync")
    # The page's next request is refused (403) and the central closes
    # the session: the one after is no longer signed in (401).
    goto("#/coverage?p=" + PERIOD, "login")
    check("hết hạn" in els("#login-err")[0].text,
          "access ended: the sign-in page says why (403): %r" %
          els("#login-err")[0].text)
    st, _ = fetch("/api/v1/views/overview?period=%s" % PERIOD)
    same(st, 401, "access ended: the session closed")
    check("Chu Thị Ngân" not in els("#who")[0].text,
          "access ended: no one shown as signed in")
    shot("access-ended")


def main():
    global D
    for prog in ("coso", "cosod"):
        if not os.access(os.path.join(B, prog), os.X_OK):
            print("console: %s/%s not built" % (B, prog))
            return 1
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        print("console: chromium or chromium-driver not installed: skipped")
        return 77
    for tool in (FAKETIME_LIB, "pdfinfo", "pdftoppm", "pdftotext"):
        if not (os.path.exists(tool) or shutil.which(tool)):
            print("console: %s not installed (deploy/install-deps.sh)" %
                  tool)
            return 1
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(SHOTS)
    central = province()
    central = today_on(central)
    grants()
    docs = {v: cli(v) for v in ("overview", "coverage", "proposals",
                                "devices")}
    # The visit quarantined on 05/07/2025: in 2025, not in its Q2.
    docs["quarantine"] = cli("quarantine", period="2025")
    t = docs["overview"]["total"]
    same([t[k] for k in ("on_time", "late", "offline_late", "missing")],
         [1, 1, 1, 2], "the province: on time, late, offline-late, missing (CLI)")
    same([http_status(p) for p in ("/console/", "/console/console.js",
                                   "/api/v1/keys",
                                   "/api/v1/views/overview?period=2025")],
         [200, 200, 401, 401], "the pages public, the API behind its token")
    log("browser")
    D = browser()
    D.get(ORIGIN + "/console/")
    wait(lambda: D.execute_script(
        "return document.body.getAttribute('data-ready')"), "the console")
    if ACCESS[0]:
        shot("login-empty")
        login_passphrase("cb-vp", PASS_OFFICE)
    overview(docs["overview"], "office")
    shot("overview")
    drill(docs["overview"])
    simple("coverage", docs["coverage"], "coverage")
    simple("proposals", docs["proposals"], "proposals")
    simple("quarantine", docs["quarantine"], "quarantine", "2025")
    same(docs["quarantine"]["entries"][0]["name"] if
         docs["quarantine"]["entries"] else None, "unassigned",
         "the quarantined visit: unassigned")
    simple("devices", docs["devices"], "devices")
    audit()
    printed()
    els("#lang")[0].click()
    goto("#/overview?p=" + PERIOD, "overview")
    check("Reporting" in els("main h2")[0].text, "English one click away")
    shot("overview-en")
    els("#lang")[0].click()
    if ACCESS[0]:
        logout()
        leader(docs["overview"])
        sector_leader()
        leader_ended()
    return 0


if __name__ == "__main__":
    rc = 1
    try:
        rc = main()
    except Fatal as e:
        FAILS.append(str(e))
        log("FAIL: " + str(e))
    except Exception as e:  # a broken page, a driver error: a failure
        FAILS.append("%s: %s" % (type(e).__name__, str(e).splitlines()[0]
                                 if str(e) else ""))
        log("FAIL: " + FAILS[-1])
    finally:
        if D is not None:
            if FAILS:
                try:
                    D.save_screenshot(os.path.join(SHOTS, "failure.png"))
                except Exception:
                    pass
            D.quit()
        for p in PROCS:
            if p.poll() is None:
                stop(p)
    print("console: %d passed, %d failed, %d pages in %s (%.0fs)" % (
        PASSES[0], len(FAILS), SHOT_N[0], SHOTS, time.time() - START))
    if FAILS or rc not in (0, 77):
        print("console: kept %s" % T)
        sys.exit(1)
    shutil.rmtree(T, ignore_errors=True)
    sys.exit(rc)
