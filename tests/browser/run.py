#!/usr/bin/python3
"""tests/browser/run.py BUILD: the cadre's app in a real browser.

Starts a real central (`cosod central init/run`) and the device's program
(`cosod field run --ui 127.0.0.1:PORT`) on loopback, and drives the pages
in headless Chromium (Debian's chromium + chromium-driver, python3-selenium)
at phone (390x844) and laptop (1366x768) sizes: first run and enrollment,
three visits recorded with the central down, pending shown, the central
back and the agent syncing with no click, receipts verified, a report
pre-filled, edited and submitted, a quarantined record with its reason,
the language switched, bad input refused in place with nothing lost, a
correction, the unlock of a relaunch.  It asserts on what the page shows
and on the device store's rows (sqlite3, `coso --json`).  Screenshots of
every screen, phone and laptop, go to BUILD/browser/.  Exit 1 on any
failure, 77 when the browser is not installed (a skip)."""
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

try:
    from selenium import webdriver
    from selenium.common.exceptions import (StaleElementReferenceException,
                                            TimeoutException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("browser: python3-selenium is not installed: skipped")
    sys.exit(77)

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
SHOTS = os.path.join(B, "browser")
DATA = os.path.join(ROOT, "deploy/data")
PHONE, LAPTOP = (390, 844), (1366, 768)
T = tempfile.mkdtemp(prefix="coso-browser.")
ENV = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8")
PROCS = []
FAILS = []
PASSES = [0]
START = time.time()


def log(msg):
    print("browser: [%5.1fs] %s" % (time.time() - START, msg), flush=True)


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


def run(*args, stdin=None):
    """Runs a program of the build; its stdout, or Fatal."""
    p = subprocess.run(args, capture_output=True, text=True, env=ENV,
                       input=stdin, timeout=60)
    if p.returncode != 0:
        raise Fatal("%s: exit %d: %s" % (" ".join(args[:4]), p.returncode,
                                         p.stderr.strip()))
    return p.stdout


def coso(store, *args):
    return run(os.path.join(B, "coso"), "--store", store, *args)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, secs=5):
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def start(args, logname):
    out = open(os.path.join(T, logname), "ab")
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=out, env=ENV)
    PROCS.append(p)
    return p


def stop(p):
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# ---- the central and the office (the CLI, as tests/e2e do) ----
CPORT = free_port()
CURL = "tcp://127.0.0.1:%d" % CPORT
ADMIN = os.path.join(T, "admin")
MAI = os.path.join(T, "mai")
CENTRAL_DB = os.path.join(T, "central.db")
COMMUNE, VILLAGE, OTHER = "06043", "06043-01", "06046"


def central_up():
    p = start([os.path.join(B, "cosod"), "central", "run", "--db",
               CENTRAL_DB, "--listen", CURL], "central.log")
    if not wait_port(CPORT):
        raise Fatal("the central does not listen on %s" % CURL)
    return p


def office():
    pub = coso(ADMIN, "init", "--cadre", "admin", "--name",
               "Ban Tổ chức Tỉnh ủy")
    with open(os.path.join(T, "admin.pub"), "w") as f:
        f.write(pub)
    cpub = run(os.path.join(B, "cosod"), "central", "init", "--db",
               CENTRAL_DB, "--admin-key", os.path.join(T, "admin.pub"),
               "--origin", "langson.example/coso/cadre")
    with open(os.path.join(T, "central.pub"), "w") as f:
        f.write(cpub)
    coso(ADMIN, "pin", "--central", CURL, "--central-key",
         os.path.join(T, "central.pub"))
    coso(ADMIN, "admin", "units", "import",
         os.path.join(DATA, "lang-son-2024.csv"))
    coso(ADMIN, "admin", "units", "import",
         os.path.join(DATA, "lang-son-villages.csv"))
    for c, n in (("cb-mai", "Lò Thị Mai"), ("cb-lan", "Hoàng Văn Lan")):
        coso(ADMIN, "admin", "cadre", "add", "--id", c, "--name", n)
    for u in (COMMUNE, OTHER):
        coso(ADMIN, "admin", "assign", "--cadre", "cb-mai", "--unit", u,
             "--role", "in-charge", "--from", "1/1/2025")
    png = os.path.join(T, "token.png")
    token = coso(ADMIN, "admin", "token", "--cadre", "cb-mai", "--png",
                 png).split()[0]
    return cpub, token, png


# ---- the device: `cosod field run --ui` ----
def field_up(store=None):
    port = free_port()
    p = start([os.path.join(B, "cosod"), "field", "run", "--store",
               store or MAI,
               "--ui", "127.0.0.1:%d" % port, "--interval", "60",
               "--max-backoff", "1"], "field.log")
    end = time.time() + 10
    while time.time() < end:
        line = p.stdout.readline().decode()
        m = re.search(r"(http://127\.0\.0\.1:%d/\?k=[0-9a-f]{64})" % port,
                      line)
        if m:
            return p, m.group(1)
        if not line and p.poll() is not None:
            break
    raise Fatal("cosod field run --ui printed no URL (field.log: %s)" %
                open(os.path.join(T, "field.log")).read()[-500:])


def db(sql, *args):
    """One value of the device store (read-only, beside the program)."""
    return db_of(MAI, sql, *args)


def db_of(store, sql, *args):
    c = sqlite3.connect("file:%s/store.db?mode=ro" % store, uri=True,
                        timeout=5)
    try:
        r = c.execute(sql, args).fetchone()
        return r[0] if r else None
    finally:
        c.close()


def status():
    return json.loads(coso(MAI, "status", "--json"))


# ---- the browser ----
def browser():
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--disable-extensions", "--lang=vi",
              "--window-size=%d,%d" % PHONE):
        o.add_argument(a)
    o.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    svc = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    d = webdriver.Chrome(service=svc, options=o)
    d.set_script_timeout(30)
    return d


D = None
SIZE = [PHONE]
SHOT_N = [0]


def size(wh):
    SIZE[0] = wh
    D.set_window_size(*wh)


def shot(name):
    """The screen, whole page, at phone and at laptop size."""
    SHOT_N[0] += 1
    time.sleep(0.2)
    for tag, wh in (("phone", PHONE), ("laptop", LAPTOP)):
        D.set_window_size(*wh)
        hh = D.execute_script("return document.documentElement.scrollHeight")
        D.set_window_size(wh[0], max(wh[1], min(hh + 140, 4000)))
        time.sleep(0.05)
        D.save_screenshot(os.path.join(
            SHOTS, "%02d-%s-%s.png" % (SHOT_N[0], name, tag)))
    D.set_window_size(*SIZE[0])


def el(css):
    return D.find_element(By.CSS_SELECTOR, css)


def els(css):
    return D.find_elements(By.CSS_SELECTOR, css)


def wait(fn, what, secs=10):
    try:
        return WebDriverWait(D, secs, 0.1, ignored_exceptions=[
            StaleElementReferenceException]).until(lambda d: fn())
    except TimeoutException:
        raise Fatal("timed out waiting for " + what)


def wait_el(css, secs=10):
    return wait(lambda: els(css) and els(css)[0], css, secs)


def retry(fn):
    """The home page redraws when the agent's state changes: an element
    found a moment ago may be gone; look again."""
    for i in range(5):
        try:
            return fn()
        except StaleElementReferenceException:
            time.sleep(0.1)
    return fn()


def text(css):
    return retry(lambda: els(css)[0].text if els(css) else "")


def attr(css, name):
    return retry(lambda: els(css)[0].get_attribute(name) if els(css)
                 else None)


def typein(css, s):
    e = wait_el(css)
    e.clear()
    if len(s) > 2000:  # send_keys types a key at a time
        D.execute_script("arguments[0].value = arguments[1];"
                         "arguments[0].dispatchEvent(new Event('input',"
                         "{bubbles: true}));", e, s)
    else:
        e.send_keys(s)


def choose(css, value):
    """Picks an option, once the list has it (units may come a moment
    after the form)."""
    wait(lambda: els("%s option[value='%s']" % (css, value)),
         "the option %s in %s" % (value, css))
    retry(lambda: Select(el(css)).select_by_value(value))


def visible_err(fid):
    e = els("#%s-err" % fid)
    return e[0].text if e and e[0].is_displayed() else ""


def click(css):
    retry(lambda: wait_el(css).click())


def goto(hash_):
    D.execute_script("location.hash = arguments[0]", hash_)
    time.sleep(0.2)


def api(method, path, body=None):
    """A call of the API from the page (its cookie, its Origin)."""
    return D.execute_async_script("""
        var cb = arguments[arguments.length - 1];
        var o = {method: arguments[0], credentials: 'same-origin',
                 headers: {'Content-Type': 'application/json'}};
        if (arguments[2] !== null) o.body = JSON.stringify(arguments[2]);
        fetch('/api/' + arguments[1], o).then(function (r) {
            return r.text().then(function (t) { cb([r.status, t]); });
        }, function (e) { cb([0, String(e)]); });""", method, path, body)


# ---- the scenario ----
def first_run(cpub, token, png):
    log("first run")
    wait_el("#f-create")
    same(D.execute_script("return document.documentElement.lang"), "vi",
         "the page opens in Vietnamese")
    weight = D.execute_script("""
        var n = 0, e = performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource'));
        e.forEach(function (r) {
            if (r.name.indexOf('/api/') < 0) n += r.encodedBodySize; });
        return n;""")
    check(0 < weight < 100000, "the first screen weighs %d bytes" % weight)
    log("first screen: %d bytes" % weight)
    shot("setup")
    typein("#name", "Lò Thị Mai")
    typein("#cadre", "cb-mai")
    typein("#pass", "mật khẩu của Mai")
    typein("#pass2", "mật khẩu khác")
    click("#f-create button[type=submit]")
    check("không giống" in visible_err("pass2"),
          "two different passphrases refused in place")
    check(not os.path.exists(os.path.join(MAI, "store.db")),
          "no store made on a refused form")
    typein("#pass2", "mật khẩu của Mai")
    click("#f-create button[type=submit]")
    wait_el("#f-pin")
    same(db("SELECT count(*) FROM chain"), 1, "the store was created")
    typein("#central", CURL)
    typein("#central_key", cpub)
    shot("setup-pin")
    click("#f-pin button[type=submit]")
    wait_el("#f-enroll")
    typein("#token", token[:-1])
    click("#f-enroll button[type=submit]")
    check("64" in visible_err("token"), "a short token refused in place")
    same(els("#token")[0].get_attribute("value"), token[:-1],
         "the refused token is kept in its field")
    shot("setup-enroll")
    # The QR image, read on the device (as `coso enroll --token-qr`).
    els("#tokenqr")[0].send_keys(png)
    wait_el("#sync-card")
    log("enrolled; waiting for the first sync")
    wait(lambda: text("#net-state") and
         attr("#net-state", "data-online") == "true" and
         attr("#pending", "data-n") == "0",
         "the first sync", 20)
    wait(lambda: "Xã Đào Viên" in text("#units"), "the units tree", 10)
    same(db("SELECT count(*) FROM assignments WHERE cadre_id = 'cb-mai'"),
         2, "the device pulled its two assignments")
    same(db("SELECT count(*) FROM outbox WHERE acked = 0"), 0,
         "the enrollment acknowledged")
    check("Thôn 1" in text("#units") and "Thôn 3" in text("#units"),
          "home shows the commune's villages")
    check("Xã Đề Thám" in text("#units"), "home shows the second commune")
    check("Ngoại tuyến" not in text("#net-state"), "home shows online")
    shot("home")


def rotate_then_central_down(central):
    # The office rotates Mai off 06046 and sends it before Mai's device
    # syncs again: the device will not know, and the central will
    # quarantine her visit there.
    coso(ADMIN, "admin", "rotate", "--cadre", "cb-mai", "--unit", OTHER,
         "--to-cadre", "cb-lan", "--date", "1/11/2026", "--note",
         "Bàn giao xã Đề Thám cho đồng chí Lan")
    coso(ADMIN, "sync")
    stop(central)
    log("the central is down")


def visit_bad_input():
    log("bad input")
    goto("#/visit/new")
    wait_el("#f-visit")
    choose("#unit", VILLAGE)
    typein("#date", "31/02/2026")
    typein("#purpose", "")
    big = "Tình hình rất dài. " * 5300  # about 100 kB
    big = big[:100000]
    typein("#situation", big)
    click("#outcomes button")
    typein("#outcomes textarea", "Đường bê tông")
    before = db("SELECT count(*) FROM visits")
    click("#f-visit > button[type=submit]")
    time.sleep(0.3)
    check("Ngày không hợp lệ" in visible_err("date"),
          "31/02/2026 refused in place, in Vietnamese: %r" %
          visible_err("date"))
    check("Không được để trống" in visible_err("purpose"),
          "an empty purpose refused in place")
    check("Quá dài" in visible_err("situation"),
          "100 kB of text refused in place: %r" % visible_err("situation"))
    same(el("#date").get_attribute("value"), "31/02/2026",
         "the refused date kept")
    same(D.execute_script("return document.getElementById('situation')"
                          ".value.length"), len(big),
         "the 100 kB text kept, not cut")
    same(el("#outcomes textarea").get_attribute("value"), "Đường bê tông",
         "the outcome typed kept")
    same(db("SELECT count(*) FROM visits"), before, "nothing signed")
    same(D.execute_script("return document.activeElement.id"), "date",
         "the first wrong field has the focus")
    shot("visit-refused")
    # Spaces only are no purpose either (the library's rule too).
    typein("#date", "01/12/2026")
    typein("#purpose", "   ")
    typein("#situation", "Đường vào thôn lầy lội sau mưa.")
    click("#f-visit > button[type=submit]")
    time.sleep(0.3)
    check("Không được để trống" in visible_err("purpose"),
          "a purpose of spaces refused")
    same(db("SELECT count(*) FROM visits"), before, "still nothing signed")


def visit_draft_survives():
    log("the draft survives a reload")
    typein("#purpose", "Kiểm tra đường thôn 1")
    click("#proposals button")
    typein("#proposals textarea", "Đề nghị hỗ trợ 20 tấn xi măng")
    q = els("#outcomes [data-k=quantity]")[0]
    q.send_keys("600")
    els("#outcomes [data-k=quantity_unit]")[0].send_keys("m")
    els("#outcomes [data-k=amount]")[0].send_keys("1.500.000")
    wait(lambda: "lưu" in text("#draft-state"), "the draft saved", 5)

    def draft():
        st, body = api("GET", "drafts/visit", None)
        return json.loads(body).get("form", {}) if st == 200 else {}
    # Saved a moment after the last key.
    wait(lambda: draft().get("outcomes", [{}])[0].get("amount") ==
         "1.500.000", "the draft in the store", 5)
    same(draft().get("purpose"), "Kiểm tra đường thôn 1", "the draft's purpose")
    # Closing the page: a new load of the app.
    D.get(D.current_url.split("#")[0] + "#/home")
    wait_el("#sync-card")
    goto("#/visit/new")
    wait(lambda: els("#purpose") and
         els("#purpose")[0].get_attribute("value") ==
         "Kiểm tra đường thôn 1", "the draft restored")
    same(el("#date").get_attribute("value"), "01/12/2026",
         "the draft's date restored")
    same(el("#unit").get_attribute("value"), VILLAGE, "the draft's unit")
    same(el("#proposals textarea").get_attribute("value"),
         "Đề nghị hỗ trợ 20 tấn xi măng", "the draft's proposal")
    check("bản nháp" in text("main").lower(), "the page says it restored")
    shot("visit-draft")


def visit_save(expect_n):
    click("#f-visit > button[type=submit]")
    wait(lambda: els("#amend-link"), "the saved visit's page")
    same(db("SELECT count(*) FROM visits"), expect_n, "visits in the store")


def three_visits_offline():
    log("three visits with the central down")
    visit_save(1)
    check("Chờ gửi" in text("main"), "the visit shows pending")
    shot("visit-detail")
    same(db("SELECT quantity || ' ' || quantity_unit || ' ' || amount_vnd"
            " FROM outcomes"), "600000 m 1500000",
         "the outcome's quantity and amount stored")
    same(db("SELECT text FROM proposals"), "Đề nghị hỗ trợ 20 tấn xi măng",
         "the proposal stored")
    st, _ = api("GET", "drafts/visit", None)
    same(st, 404, "the draft deleted once the visit is stored")
    for unit, date, purpose in ((COMMUNE, "02/12/2026", "Họp dân về nước"),
                                (OTHER, "03/12/2026", "Nắm tình hình")):
        goto("#/home")
        wait_el("#sync-card")
        goto("#/visit/new")
        wait_el("#f-visit")
        time.sleep(0.3)  # the draft's answer
        choose("#unit", unit)
        typein("#date", date)
        typein("#purpose", purpose)
        visit_save(db("SELECT count(*) FROM visits") + 1)
    same(db("SELECT count(*) FROM outbox WHERE acked = 0"), 3,
         "three change-sets pending in the store")
    goto("#/home")
    wait(lambda: els("#pending") and
         attr("#pending", "data-n") == "3",
         "home to show 3 pending")
    check("3 bản ghi chờ gửi" in text("#pending"), "pending shown: %r" %
          text("#pending"))
    # The mark and its words are drawn in one render, but read here in
    # two calls: wait for both, so a render between them is no failure.
    wait(lambda: attr("#net-state", "data-online") == "false" and
         "Ngoại tuyến" in text("#net-state"), "the offline mark")
    check("Ngoại tuyến" in text("#net-state"), "offline shown")
    shot("home-offline")
    goto("#/visits")
    wait_el("#visit-list")
    same(len(els("#visit-list li")), 3, "three visits listed")
    same(text("#visit-list").count("Chờ gửi"), 3, "all three pending")
    shot("visits-pending")


def central_back():
    log("the central is back")
    c = central_up()
    goto("#/home")
    wait_el("#sync-card")
    # No click: the agent retries on its own, the page follows.
    wait(lambda: els("#pending") and
         attr("#pending", "data-n") == "0",
         "the agent's sync with no click", 20)
    same(db("SELECT count(*) FROM outbox WHERE acked = 0"), 0,
         "nothing pending in the store")
    s = status()
    same(s.get("pending"), 0, "coso status: nothing pending")
    same(s.get("quarantined"), 1, "coso status: one quarantined")
    wait(lambda: els("#q-link"), "the quarantine link on home")
    check("1 bản ghi bị trung tâm giữ lại" in text("#q-link"),
          "home says one record was quarantined")
    wait(lambda: attr("#net-state", "data-online") ==
         "true", "the online mark")
    shot("home-synced")
    return c


def quarantine():
    log("quarantine")
    click("#q-link")
    # The screen is drawn again when the agent's state changes: the list
    # is looked up afresh for each check.
    wait(lambda: els("#quarantine-list > li"), "the quarantined record")
    same(retry(lambda: len(els("#quarantine-list > li"))), 1,
         "one quarantined record")
    same(attr("#quarantine-list > li", "data-reason"), "unassigned",
         "its reason")
    t = text("#quarantine-list")
    check("phân công" in t and "Xã Đề Thám" in t,
          "the reason shown in Vietnamese, with the unit: %r" % t[:200])
    check("Cần làm" in t, "what to do shown")
    shot("quarantine")
    n = db("SELECT count(*) FROM visits")
    click("#quarantine-list .again")
    wait(lambda: els("#purpose") and els("#purpose")[0]
         .get_attribute("value") == "Nắm tình hình",
         "a new visit started from the quarantined one")
    same(el("#date").get_attribute("value"), "03/12/2026", "its date copied")
    same(db("SELECT count(*) FROM visits"), n, "nothing signed by it")
    click("main .notice button")  # discard that draft
    wait(lambda: els("#purpose") and
         els("#purpose")[0].get_attribute("value") == "", "the draft gone")
    goto("#/visits")
    wait_el("#visit-list")
    t = text("#visit-list")
    same(t.count("Đã nhận"), 2, "two visits accepted")
    same(t.count("Bị giữ lại"), 1, "one visit quarantined")
    shot("visits-synced")


def receipts():
    log("receipts")
    goto("#/receipts")
    wait_el("#receipt-list")
    n = db("SELECT count(*) FROM receipts")
    same(n, 3, "a receipt for each visit in the store")
    same(len(els("#receipt-list > li")), n, "every receipt listed")
    click("main button")
    wait_el("#verify-result", 20)
    r = el("#verify-result")
    same(r.get_attribute("data-bad"), "0", "no receipt fails to verify")
    check(int(r.get_attribute("data-ok") or 0) >= 1,
          "receipts verified on the device: %r" % r.text)
    check("hợp lệ" in r.text, "the page says they are valid")
    shot("receipts")


def report():
    log("the quarterly report (laptop)")
    size(LAPTOP)
    goto("#/reports")
    wait_el("#f-report")
    typein("#period", "2026-Q4")
    choose("#unit", COMMUNE)
    shot("reports")
    click("#f-report button[type=submit]")
    wait_el("#f-sections")
    rid = D.execute_script("return location.hash.split('/')[2]")
    same(text("#fig-visits"), "2", "the figures count the two accepted visits")
    same(text("#fig-units"), "2", "in two units")
    same(text("#fig-amount"), "1.500.000", "the amount of the period")
    res = el("#sec-results").get_attribute("value")
    check(re.search("2 lượt đi cơ sở", res),
          "the results pre-filled: %r" % res)
    props = re.search(r"(\d+) kiến nghị", res)
    same(text("#fig-props").split(" / ")[0], props and props.group(1),
         "the figures and the pre-filled text count the same proposals")
    el("#sec-results").send_keys("\nĐã làm 600 m đường bê tông ở Thôn 1.")
    typein("#sec-situation", "Tình hình ổn định.")
    typein("#sec-difficulties", "Đường vào thôn lầy lội.")
    typein("#sec-proposals", "")
    click("#f-sections button[type=submit]")
    wait(lambda: "Không được để trống" in visible_err("sec-proposals"),
         "an empty section refused")
    same(db("SELECT status FROM reports"), "draft", "still a draft")
    typein("#sec-proposals", "Đề nghị hỗ trợ xi măng cho Thôn 1")
    click("#f-sections .actions button.ghost")
    time.sleep(0.5)
    check("600 m đường bê tông" in (db("SELECT results FROM reports") or ""),
          "the edited results saved in the store")
    click("#f-sections button[type=submit]")
    wait_el("#confirm")
    check("KHÔNG THỂ SỬA" in text("#confirm-text"),
          "the confirmation says it can no longer change")
    shot("report-confirm")
    same(db("SELECT status FROM reports"), "draft",
         "nothing submitted before the confirmation")
    click("#confirm-yes")
    wait_el("#locked")
    same(db("SELECT status FROM reports"), "submitted", "the report submitted")
    same(text("#fig-props").split(" / ")[0], props and props.group(1),
         "its own proposals do not change the figures once submitted")
    check(db("SELECT seq FROM reports") is not None, "the report signed")
    same(len(els("#f-sections textarea")), 0,
         "a submitted report has nothing to edit on the page")
    check("600 m đường bê tông" in text("#sec-results"),
          "the submitted text shown")
    shot("report-submitted")
    st, body = api("PUT", "reports/" + rid,
                   {"sections": {"results": "sửa lén"}})
    same(st, 409, "the API refuses to edit a submitted report")
    # A correction is a new report naming it, its sections copied.
    click("#f-sections button")
    wait(lambda: D.execute_script("return location.hash.split('/')[2]")
         not in (rid, None), "the correction's page")
    # The submitted page's text (a div) may still be there a moment.
    wait_el("textarea#sec-results")
    check("600 m đường bê tông" in el("#sec-results").get_attribute("value"),
          "the correction starts from the submitted text")
    same(db("SELECT count(*) FROM reports WHERE amends = x'%s'" % rid), 1,
         "the correction names the submitted report")
    same(db("SELECT status FROM reports WHERE id = x'%s'" % rid),
         "submitted", "the submitted report unchanged")
    shot("report-amend")
    size(PHONE)


def amend():
    log("a correction")
    vid = db("SELECT hex(id) FROM visits WHERE unit = ?", VILLAGE).lower()
    goto("#/visit/" + vid)
    click("#amend-link")
    wait(lambda: els("#purpose") and els("#purpose")[0]
         .get_attribute("value") == "Kiểm tra đường thôn 1",
         "the correction starts from the visit")
    typein("#purpose", "Kiểm tra đường thôn 1 (sửa số mét)")
    q = els("#outcomes [data-k=quantity]")[0]
    q.clear()
    q.send_keys("650")
    shot("visit-amend")
    n = db("SELECT count(*) FROM visits")
    visit_save(n + 1)
    same(db("SELECT purpose FROM visits WHERE amends = x'%s'" % vid),
         "Kiểm tra đường thôn 1 (sửa số mét)", "the correction names the visit")
    same(db("SELECT purpose FROM visits WHERE id = x'%s'" % vid),
         "Kiểm tra đường thôn 1", "the original unchanged")


def language():
    log("the language")
    goto("#/home")
    wait_el("#sync-card")
    click("#lang")
    wait(lambda: "Home" in text("nav"), "the English menu")
    same(D.execute_script("return document.documentElement.lang"), "en",
         "the page says it is English")
    check("Hello" in text("#title"), "the title in English")
    check("Everything sent" in text("#pending") or
          "waiting" in text("#pending").lower(), "the pending line in English")
    shot("home-english")
    goto("#/quarantine")
    wait_el("#quarantine-list")
    check("assigned" in text("#quarantine-list"),
          "the reason in English: %r" % text("#quarantine-list")[:160])
    shot("quarantine-english")
    click("#lang")
    wait(lambda: "Trang chính" in text("nav"), "Vietnamese again")


def other_screens():
    log("proposals, sync now, handover")
    goto("#/proposals")
    wait_el("#proposal-list")
    check("20 tấn xi măng" in text("#proposal-list"), "my proposal listed")
    check("Chưa trả lời" in text("#proposal-list"), "its status")
    # The office answers; "sync now" brings the answer back.
    pid = db("SELECT lower(hex(id)) FROM proposals WHERE text LIKE "
             "'%20 tấn%'")
    coso(ADMIN, "sync")
    coso(ADMIN, "admin", "respond", pid, "--status", "answered", "--text",
         "Huyện cấp 20 tấn xi măng trong tháng 1.")
    coso(ADMIN, "sync")
    goto("#/home")
    wait_el("#sync-card")
    click("#sync-card button")
    wait(lambda: db("SELECT status FROM proposals WHERE hex(id) = upper(?)",
                    pid) == "answered", "the answer pulled by sync now", 15)
    goto("#/proposals")
    wait_el("#proposal-list")
    check("Huyện cấp 20 tấn xi măng" in text("#proposal-list"),
          "the answer shown: %r" % text("#proposal-list")[:300])
    check("Đã trả lời" in text("#proposal-list"), "its new status")
    shot("proposals")
    goto("#/handover")
    wait_el("#f-handover")
    choose("#unit", COMMUNE)
    typein("#note", "Đường Thôn 1 còn 200 m chưa làm; hẹn dân tháng 1.")
    typein("#to_cadre", "cb-lan")
    click("#f-handover button[type=submit]")
    wait(lambda: "200 m chưa làm" in text("#handover-list"),
         "the handover note listed")
    same(db("SELECT unit || ' ' || to_cadre FROM handovers"),
         COMMUNE + " cb-lan", "the handover note stored")
    shot("handover")


def relaunch(field):
    log("a relaunch: unlock")
    stop(field)
    field, url = field_up()
    D.get(url)
    wait_el("#f-unlock")
    shot("unlock")
    typein("#pass", "sai mật khẩu")
    click("#f-unlock button[type=submit]")
    wait(lambda: visible_err("pass"), "a wrong passphrase refused")
    typein("#pass", "mật khẩu của Mai")
    click("#f-unlock button[type=submit]")
    wait_el("#sync-card")
    check("Lò Thị Mai" in text("#title"), "home after unlock")
    return field


def office_screens():
    log("the office's screens (an admin device)")
    field, url = field_up(ADMIN)
    D.get(url)
    wait_el("#sync-card")
    wait(lambda: "Quản trị" in text("nav"), "the admin menu")
    goto("#/admin/cadres")
    wait_el("#admin-cadres table")
    check("cb-mai" in text("#admin-cadres") and "cb-lan" in text(
        "#admin-cadres"), "the cadres listed")
    shot("admin-cadres")
    goto("#/admin/assignments")
    wait_el("#admin-assignments table")
    check("Xã Đề Thám" in text("#admin-assignments"),
          "the assignments listed")
    shot("admin-assignments")
    goto("#/admin/tokens")
    wait_el("#f-token")
    typein("#cadre_id", "cb-lan")
    click("#f-token button[type=submit]")
    wait(lambda: re.fullmatch("[0-9a-f]{64}", text("#token-hex")),
         "the new token shown")
    wait(lambda: D.execute_script(
        "var i = document.querySelector('#token-out img');"
        "return i && i.complete && i.naturalWidth > 0"), "its QR code")
    same(db_of(ADMIN, "SELECT count(*) FROM tokens WHERE cadre_id = "
               "'cb-lan'"), 1, "the token stored on the admin device")
    wait(lambda: "chưa dùng" in text("#token-list"),
         "the new token listed as open")
    token_qr()
    shot("admin-token")
    admin_imports()
    admin_rotate()
    admin_answer()
    stop(field)


def token_qr():
    """The QR code as the page draws it, read back by zbarimg from a
    screenshot of the element: the token shown, whose hash is stored."""
    tok = text("#token-hex")
    png = os.path.join(T, "token-shown.png")
    with open(png, "wb") as f:
        f.write(el("#token-out img").screenshot_as_png)
    p = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True,
                       text=True, timeout=30)
    same(p.stdout.strip(), tok, "the QR code on the page reads as the token")
    same(db_of(ADMIN, "SELECT lower(hex(token_hash)) FROM tokens WHERE "
               "cadre_id = 'cb-lan' ORDER BY rowid DESC LIMIT 1"),
         hashlib.sha256(bytes.fromhex(tok)).hexdigest(),
         "the token's hash stored, not the token")


def upload(form, path, what):
    """Sends a file through the form's file input, as a person picks it."""
    el("#%s input[type=file]" % form).send_keys(path)
    D.execute_script("flash('')")
    click("#%s button[type=submit]" % form)
    wait(lambda: not el("#flash").get_attribute("hidden") and
         text("#flash"), what)
    return text("#flash")


def write(name, content):
    path = os.path.join(T, name)
    with open(path, "w") as f:
        f.write(content)
    return path


def admin_imports():
    log("the office: bulk import, units")
    goto("#/admin/units")
    wait_el("#f-units")
    path = write("units.csv", "code,name,level,parent_code,valid_from\n"
                 "06043-09,Thôn Khuổi Slông,village,06043,2025-07-01\n")
    same(upload("f-units", path, "the units imported"), "Đã nhập 1 dòng.",
         "the page says one unit imported")
    same(db_of(ADMIN, "SELECT name || ' ' || parent FROM units WHERE code = "
               "'06043-09'"), "Thôn Khuổi Slông 06043", "the unit stored")
    wait(lambda: "trên tổng số" in text("#units-list"),
         "the province's units said to be cut to a page")
    typein("#under", COMMUNE)
    click("#f-under button")
    wait(lambda: "Thôn Khuổi Slông" in text("#units-list"),
         "the new unit listed under its commune")
    check("trên tổng số" not in text("#units-list"),
          "the commune's units all shown")
    shot("admin-units")
    # Cadres from a CSV file; a bad file first: its line named in place,
    # nothing stored.
    goto("#/admin/import")
    wait_el("#f-import")
    bad = write("bad.csv", "cadre_id,name,title,unit\n"
                "cb-hoa,Nông Thị Hoa,Chuyên viên,06043\n"
                "cb-x,Người Lạ,,99999\n")
    Select(el("#kind")).select_by_value("cadres")
    n = db_of(ADMIN, "SELECT count(*) FROM cadres")
    check("Chưa lưu" in upload("f-import", bad, "the bad file refused"),
          "the page says nothing was saved: %r" % text("#flash"))
    wait(lambda: "Dòng 3" in visible_err("file"),
         "the bad line named in place")
    same(db_of(ADMIN, "SELECT count(*) FROM cadres"), n,
         "nothing of a bad file stored")
    shot("admin-import-bad")
    good = write("cadres.csv", "cadre_id,name,title,unit\n"
                 "cb-hoa,Nông Thị Hoa,Chuyên viên,06043\n"
                 "cb-tuan,Hoàng Văn Tuấn,,06046\n")
    el("#f-import input[type=file]").clear()
    same(upload("f-import", good, "the cadres imported"), "Đã nhập 2 dòng.",
         "the page says two cadres imported")
    same(db_of(ADMIN, "SELECT group_concat(cadre_id || ':' || name, ' ') "
               "FROM (SELECT * FROM cadres WHERE cadre_id IN ('cb-hoa', "
               "'cb-tuan') ORDER BY cadre_id)"),
         "cb-hoa:Nông Thị Hoa cb-tuan:Hoàng Văn Tuấn", "the cadres stored")
    # Assignments from an .xlsx workbook, dates as a spreadsheet keeps
    # them.
    xlsx = os.path.join(T, "assign.xlsx")
    run(os.path.join(B, "mkxlsx"), xlsx, stdin=(
        "cadre_id\tunit\tsector\trole\tvalid_from\tvalid_to\tdecision\n"
        "cb-hoa\t06043\t\tsupport\t#d:2025-07-01\t\t\n"))
    Select(el("#kind")).select_by_value("assignments")
    el("#f-import input[type=file]").clear()
    same(upload("f-import", xlsx, "the workbook imported"),
         "Đã nhập 1 dòng.", "the page says one assignment imported")
    same(db_of(ADMIN, "SELECT role || ' ' || valid_from FROM assignments "
               "WHERE cadre_id = 'cb-hoa' AND unit = '06043'"),
         "3 20250701", "the assignment stored from the workbook")
    shot("admin-import")


def admin_rotate():
    log("the office: rotation")
    goto("#/admin/rotate")
    wait_el("#f-rotate")
    typein("#cadre_id", "cb-hoa")
    typein("#to_cadre", "cb-tuan")
    typein("#unit", COMMUNE)
    typein("#date", "31/11/2026")
    typein("#note", "Bàn giao hồ sơ Thôn 9 cho đồng chí Tuấn")
    click("#f-rotate button[type=submit]")
    wait(lambda: visible_err("date"), "a date that does not exist refused")
    same(db_of(ADMIN, "SELECT count(*) FROM assignments WHERE cadre_id = "
               "'cb-tuan'"), 0, "nothing rotated on a bad date")
    typein("#date", "01/12/2026")
    D.execute_script("flash('')")
    click("#f-rotate button[type=submit]")
    wait(lambda: text("#flash") == "Đã lưu.", "the rotation signed")
    same(db_of(ADMIN, "SELECT valid_to FROM assignments WHERE cadre_id = "
               "'cb-hoa' AND unit = ?", COMMUNE), 20261130,
         "the old assignment ends the day before")
    same(db_of(ADMIN, "SELECT role || ' ' || valid_from || ' ' || "
               "(replaces = (SELECT id FROM assignments WHERE cadre_id = "
               "'cb-hoa' AND unit = ?1)) || ' ' || handover_note FROM "
               "assignments WHERE cadre_id = 'cb-tuan' AND unit = ?1",
               COMMUNE),
         "3 20261201 1 Bàn giao hồ sơ Thôn 9 cho đồng chí Tuấn",
         "the new one replaces it, with its note")
    shot("admin-rotate")


def admin_answer():
    log("the office: answering a proposal")
    goto("#/admin/answer")
    wait_el("#admin-answer")
    wait(lambda: "xi măng cho Thôn 1" in text("#admin-answer"),
         "the open proposal offered for an answer")
    pid = db_of(ADMIN, "SELECT lower(hex(id)) FROM proposals WHERE text "
                "LIKE '%xi măng cho Thôn 1%'")
    shot("admin-answer")
    Select(el("#ans-%s-st" % pid)).select_by_value("resolved")
    typein("#ans-%s-tx" % pid, "Đã cấp 5 tấn xi măng cho Thôn 1.")
    click("#f-ans-%s button[type=submit]" % pid)
    wait(lambda: "xi măng cho Thôn 1" not in text("#admin-answer"),
         "the answered proposal leaves the open list")
    same(db_of(ADMIN, "SELECT status || ': ' || response FROM proposals "
               "WHERE lower(hex(id)) = ?", pid),
         "resolved: Đã cấp 5 tấn xi măng cho Thôn 1.",
         "the answer stored on the office's device")


def main():
    global D
    for prog in ("coso", "cosod"):
        if not os.access(os.path.join(B, prog), os.X_OK):
            print("browser: %s/%s not built" % (B, prog))
            return 1
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        print("browser: chromium or chromium-driver not installed: skipped")
        return 77
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(SHOTS)
    cpub, token, png = office()
    central = central_up()
    coso(ADMIN, "sync")
    field, url = field_up()
    log("device app at %s" % url.split("?")[0])
    D = browser()
    D.get(url)
    first_run(cpub, token, png)
    rotate_then_central_down(central)
    visit_bad_input()
    visit_draft_survives()
    three_visits_offline()
    central_back()
    quarantine()
    receipts()
    report()
    amend()
    language()
    other_screens()
    field = relaunch(field)
    office_screens()
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
                    log("the page said: " + " | ".join(
                        e.text for e in els(".err, #flash, .notice")
                        if e.is_displayed()))
                except Exception:
                    pass
            D.quit()
        for p in PROCS:
            if p.poll() is None:
                stop(p)
    print("browser: %d passed, %d failed, %d screens in %s (%.0fs)" % (
        PASSES[0], len(FAILS), SHOT_N[0], SHOTS, time.time() - START))
    if FAILS or rc not in (0, 77):
        print("browser: kept %s" % T)
        sys.exit(1)
    shutil.rmtree(T, ignore_errors=True)
    sys.exit(rc)
