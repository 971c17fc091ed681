/* app.js: the cadre's app.  Plain DOM, one screen at a time, routed by the
 * URL's hash.  Every rule (what a visit needs, who may correct what) is
 * the library's, reached through the JSON API (docs/app.md); the checks
 * here only spare a round trip and say what is wrong beside the field. */
"use strict";

var TEXT_MAX = 16384; /* bytes of one text (proto.h COSO_TEXT_MAX) */
var S = {me: null, home: null, timer: 0, draftTimer: 0};
var $main;

/* ---- small helpers ---- */
function h(tag, attrs) {
	var el = document.createElement(tag), k, i, c;
	for (k in attrs || {}) {
		if (k === "text") el.textContent = attrs[k];
		else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
		else if (attrs[k] === true) el.setAttribute(k, "");
		else if (attrs[k] !== false && attrs[k] != null) el.setAttribute(k, attrs[k]);
	}
	for (i = 2; i < arguments.length; i++) {
		c = arguments[i];
		if (c == null || c === false) continue;
		if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(x); });
		else el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
	}
	return el;
}
function byId(id) { return document.getElementById(id); }
function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
function bytes(s) { return new TextEncoder().encode(s || "").length; }
function pad(n) { return (n < 10 ? "0" : "") + n; }

/* dd/mm/yyyy -> YYYYMMDD, or 0 if not a real calendar day. */
function parseDMY(s) {
	var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s || ""), d, mo, y, t;
	if (!m) return 0;
	d = +m[1]; mo = +m[2]; y = +m[3];
	t = new Date(Date.UTC(y, mo - 1, d));
	if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return 0;
	return y * 10000 + mo * 100 + d;
}
/* YYYYMMDD (number or "YYYY-MM-DD" or already dd/mm/yyyy) -> dd/mm/yyyy */
function fmtDMY(v) {
	if (v == null || v === "") return "";
	if (typeof v === "string" && v.indexOf("/") > 0) return v;
	var s = String(v).replace(/-/g, "");
	if (!/^\d{8}$/.test(s)) return String(v);
	return s.slice(6, 8) + "/" + s.slice(4, 6) + "/" + s.slice(0, 4);
}
function todayDMY() {
	var d = new Date();
	return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
}
function fmtTime(ms) {
	if (!ms) return T("never");
	var d = new Date(+ms);
	return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear()
		+ " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
}
function shortId(id) { return id ? String(id).slice(-8) : ""; }

/* ---- the API ---- */
function api(method, path, body) {
	var opt = {method: method, credentials: "same-origin", headers: {}};
	if (body instanceof Blob) {
		opt.headers["Content-Type"] = body.type || "application/octet-stream";
		opt.body = body;
	} else if (body !== undefined) {
		opt.headers["Content-Type"] = "application/json";
		opt.body = JSON.stringify(body);
	}
	return fetch("/api/" + path, opt).then(function (r) {
		return r.text().then(function (t) {
			var j = {};
			try { j = t ? JSON.parse(t) : {}; } catch (e) { j = {error: t}; }
			if (!r.ok) {
				var e = j.error || {}, m = e.message || {};
				var err = new Error((LANG ? m.en : m.vi) || m.vi || e.detail || ("HTTP " + r.status));
				err.status = r.status; err.code = e.code; err.field = e.field; err.body = e;
				if (r.status === 401 && e.code === "no_session") err.message = T("e_session");
				throw err;
			}
			return j;
		});
	}, function () { throw new Error(T("e_network")); });
}

/* ---- forms: a field is a label, the control, a hint and its error ---- */
function field(id, label, control, hint) {
	control.id = id;
	if (!control.name) control.name = id;
	var err = h("p", {"class": "err", id: id + "-err", role: "alert", hidden: true});
	control.setAttribute("aria-describedby", id + "-err" + (hint ? " " + id + "-hint" : ""));
	return h("div", {"class": "field"},
		h("label", {"for": id, text: label}),
		hint ? h("p", {"class": "hint", id: id + "-hint", text: hint}) : null,
		control, err);
}
function setErr(id, msg) {
	var e = byId(id + "-err"), c = byId(id);
	if (!e) return;
	e.hidden = !msg; e.textContent = msg || "";
	if (c) c.setAttribute("aria-invalid", msg ? "true" : "false");
}
function clearErrs(form) {
	Array.prototype.forEach.call(form.querySelectorAll(".err"), function (e) {
		e.hidden = true; e.textContent = "";
	});
	Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (c) {
		c.setAttribute("aria-invalid", "false");
	});
}
function focusFirstErr(form) {
	var c = form.querySelector("[aria-invalid=true]");
	if (c) c.focus();
}
function input(attrs) { return h("input", Object.assign({type: "text"}, attrs || {})); }
function area(attrs) { return h("textarea", Object.assign({rows: 3}, attrs || {})); }
function btn(label, onclick, cls) {
	return h("button", {type: onclick ? "button" : "submit", "class": cls || "primary", onclick: onclick, text: label});
}
function notice(text, kind) {
	return h("p", {"class": "notice " + (kind || "info"), role: kind === "bad" ? "alert" : "status", text: text});
}
function flash(text, kind) {
	var f = byId("flash");
	f.textContent = text; f.className = "notice " + (kind || "ok"); f.hidden = !text;
}
function tooLong(id, v) {
	var n = bytes(v);
	if (n > TEXT_MAX) { setErr(id, T("e_too_long", money(n), money(TEXT_MAX))); return true; }
	return false;
}
/* The API's error beside the field it names ("date", "outcomes.1.text",
 * "sections.results"), else at the top. */
var FIELD_IDS = {cadre_id: "cadre", passphrase: "pass", url: "central", key: "central_key",
	"position.lat": "lat", "position.lon": "lon", text: "note"};
function fieldEl(form, f) {
	var m = /^(outcomes|proposals)\.(\d+)(?:\.(\w+))?$/.exec(f || ""), row;
	if (m) {
		row = byId(m[1]) && byId(m[1]).querySelectorAll(".row")[+m[2]];
		return row && row.querySelector("[data-k=" + (m[3] || "text") + "]");
	}
	if (/^sections\./.test(f || "")) return byId("sec-" + f.slice(9));
	return byId(FIELD_IDS[f] || f) || form.querySelector("[name='" + f + "']");
}
function serverErr(form, e) {
	var c = e.field && fieldEl(form, e.field);
	if (c) { setErr(c.id, e.message); focusFirstErr(form); flash(T("fix_errors"), "bad"); }
	else flash(T("e_server", e.message), "bad");
}

/* ---- the frame: header, status bar, menu ---- */
var NAV = [["home", "nav_home"], ["visit/new", "nav_visit"], ["visits", "nav_visits"],
	["reports", "nav_reports"], ["proposals", "nav_proposals"], ["handover", "nav_handover"],
	["quarantine", "nav_quarantine"], ["receipts", "nav_receipts"]];

function ready() { return S.st === "ready"; }
function isAdmin() { return !!(S.home && S.home.role === "admin"); }

function frame() {
	var hd = byId("hd"), nav = byId("nav");
	hd.textContent = "";
	hd.appendChild(h("h1", {}, h("a", {href: "#/home", text: T("app")})));
	hd.appendChild(h("button", {type: "button", id: "lang", "class": "ghost", lang: LANG ? "vi" : "en",
		title: T("lang_label"), onclick: switchLang, text: T("lang_other")}));
	nav.textContent = "";
	nav.setAttribute("aria-label", T("menu"));
	if (!ready() || S.screen === "setup") { nav.hidden = true; netbar(); return; }
	nav.hidden = false;
	var items = NAV.slice();
	if (isAdmin()) items.push(["admin", "nav_admin"]);
	var cur = location.hash.slice(2) || "home";
	if (cur !== "visit/new") cur = cur.split("/")[0];
	nav.appendChild(h("ul", {}, items.map(function (it) {
		return h("li", {}, h("a", {href: "#/" + it[0], "aria-current": cur === it[0] ? "page" : false, text: T(it[1])}));
	})));
	var c = nav.querySelector("[aria-current]");
	if (c && c.scrollIntoView) c.scrollIntoView({block: "nearest", inline: "center"});
	netbar();
}
function netbar() {
	var b = byId("net"), hm = S.home, on;
	if (!hm || !ready()) { b.hidden = true; return; }
	on = hm.online === true;
	b.hidden = false;
	b.className = on ? "net on" : "net off";
	b.textContent = "";
	b.appendChild(h("span", {id: "net-state", "data-online": String(hm.online)},
		h("span", {"class": "dot", "aria-hidden": "true"}),
		hm.syncing ? T("syncing") : on ? T("online") : hm.online === false ? T("offline") : T("not_yet")));
	b.appendChild(h("span", {id: "net-pending", "class": "pend",
		text: hm.pending ? T("pending_n", hm.pending) : T("pending_0")}));
}
function switchLang() {
	LANG = LANG ? 0 : 1;
	document.documentElement.lang = LANG ? "en" : "vi";
	try { localStorage.setItem("coso-lang", LANG ? "en" : "vi"); } catch (e) { /* private mode */ }
	route();
}

/* Polls the agent's state: the online mark and the pending count follow
 * the agent's own syncs, with no click. */
function poll() {
	clearTimeout(S.timer);
	S.timer = 0;
	if (!ready()) return;
	api("GET", "home").then(function (j) {
		var key = function (x) { return x && [x.pending, x.last_sync_ms, x.online, x.syncing, x.quarantined].join("/"); };
		var was = key(S.home);
		S.home = j; netbar();
		if (was !== key(j) && S.screen === "home") screens.home(true);
	}, function () {}).then(function () { S.timer = setTimeout(poll, 1500); });
}

/* ---- router ---- */
function route() {
	var path = (location.hash || "#/").slice(2).split("/"), name = path[0] || "home";
	flash("");
	api("GET", "state").then(function (st) {
		S.st = st.state;
		return st.state === "ready" ? api("GET", "home") : null;
	}).then(function (hm) {
		S.home = hm;
		/* First run until a central is pinned and the enrollment sent. */
		if (S.st === "new" || (hm && (!hm.pinned
			|| (hm.enrolled !== true && !hm.pending && !hm.last_sync_ms && !sent())))) name = "setup";
		else if (S.st === "locked") name = "unlock";
		else if (name === "setup" || name === "unlock" || !screens[name]) name = "home";
		S.screen = name;
		frame();
		$main.textContent = "";
		screens[name](path.slice(1));
		if (ready() && !S.timer) poll();
		window.scrollTo(0, 0);
	}).catch(function (e) {
		frame();
		$main.textContent = "";
		$main.appendChild(notice(e.message, "bad"));
	});
}
/* Whether this browser sent the enrollment (it may wait for the central). */
function sent() {
	try { return localStorage.getItem("coso-enroll-sent") === "1"; } catch (e) { return false; }
}
function page(titleKey, a, b) {
	var t = h("h2", {id: "title", tabindex: "-1", text: T(titleKey, a, b)});
	$main.appendChild(t);
	document.title = t.textContent + " — " + T("app");
	return t;
}

var screens = {};

/* ---- first run: create, pin, enroll ---- */
function step(title, done, body) {
	return h("section", {"class": "card step" + (done ? " done" : "")}, h("h3", {text: title}),
		done ? notice(T("done_step") + (done === true ? "" : ": " + done), "ok") : body);
}
screens.setup = function () {
	var hm = S.home, created = S.st !== "new", pinned = hm && hm.pinned;
	page("setup_title");
	$main.appendChild(h("p", {text: T("setup_intro")}));
	var f1 = h("form", {id: "f-create", novalidate: true},
		field("name", T("f_name"), input({autocomplete: "name"})),
		field("cadre", T("f_cadre"), input({autocapitalize: "none"}), T("f_cadre_hint")),
		field("pass", T("f_pass"), input({type: "password", autocomplete: "new-password"}), T("f_pass_hint")),
		field("pass2", T("f_pass2"), input({type: "password", autocomplete: "new-password"})),
		btn(T("create")));
	$main.appendChild(step(T("step1"), created && hm ? (hm.name || "") + " (" + (hm.cadre_id || "") + ")" : created, f1));
	f1.addEventListener("submit", function (ev) {
		ev.preventDefault();
		clearErrs(f1);
		var v = {name: byId("name").value.trim(), cadre_id: byId("cadre").value.trim(), passphrase: byId("pass").value};
		if (!v.name) setErr("name", T("e_required"));
		if (!v.cadre_id) setErr("cadre", T("e_required"));
		if (v.passphrase.length < 8) setErr("pass", T("e_pass_short"));
		else if (v.passphrase !== byId("pass2").value) setErr("pass2", T("e_pass_match"));
		if (f1.querySelector("[aria-invalid=true]")) return focusFirstErr(f1);
		api("POST", "setup", v).then(route, function (e) { serverErr(f1, e); });
	});
	if (!created) return;
	var f2 = h("form", {id: "f-pin", novalidate: true},
		field("central", T("f_central"), input({autocapitalize: "none", placeholder: "tcp://…", value: (hm && hm.central_url) || ""})),
		field("central_key", T("f_central_key"), area({rows: 3, autocapitalize: "none", spellcheck: "false"})),
		btn(T("pin")));
	$main.appendChild(step(T("step2"), pinned ? hm.central_url : false, f2));
	f2.addEventListener("submit", function (ev) {
		ev.preventDefault();
		clearErrs(f2);
		var v = {url: byId("central").value.trim(), key: byId("central_key").value.trim()};
		if (v.key) v.key += "\n"; /* a key file ends its lines */
		if (!v.url) setErr("central", T("e_required"));
		if (!v.key) setErr("central_key", T("e_required"));
		if (f2.querySelector("[aria-invalid=true]")) return focusFirstErr(f2);
		api("POST", "central", v).then(route, function (e) { serverErr(f2, e); });
	});
	if (!pinned) return;
	var qr = h("input", {type: "file", accept: "image/png,image/jpeg"});
	var f3 = h("form", {id: "f-enroll", novalidate: true},
		field("token", T("f_token"), area({rows: 2, autocapitalize: "none", spellcheck: "false", autocomplete: "off"})),
		btn(T("enroll")),
		h("p", {"class": "or", text: T("or")}),
		field("tokenqr", T("f_token_qr"), qr),
		/* The office's own device has no token: its key is the one the
		 * central was set up with. */
		h("p", {}, h("a", {href: "#/home", id: "skip-enroll", onclick: function () {
			try { localStorage.setItem("coso-enroll-sent", "1"); } catch (e) { /* private mode */ }
		}, text: T("skip_enroll")})));
	$main.appendChild(step(T("step3"), false, f3));
	var enrolled = function () {
		try { localStorage.setItem("coso-enroll-sent", "1"); } catch (e) { /* private mode */ }
		flash(T("enrolled"), "ok");
		go("#/home");
	};
	qr.addEventListener("change", function () {
		if (!qr.files[0]) return;
		clearErrs(f3);
		api("POST", "enroll/qr", qr.files[0]).then(enrolled, function (e) {
			setErr("tokenqr", e.message); focusFirstErr(f3);
		});
	});
	f3.addEventListener("submit", function (ev) {
		ev.preventDefault();
		clearErrs(f3);
		var t = byId("token").value.trim().toLowerCase();
		if (!/^[0-9a-f]{64}$/.test(t)) { setErr("token", T("e_token")); return focusFirstErr(f3); }
		api("POST", "enroll", {token: t}).then(enrolled, function (e) { serverErr(f3, e); });
	});
};

/* ---- unlock ---- */
screens.unlock = function () {
	page("unlock_title");
	var f = h("form", {id: "f-unlock", novalidate: true},
		h("p", {text: T("unlock_intro")}),
		field("pass", T("f_pass"), input({type: "password", autocomplete: "current-password"})),
		btn(T("unlock")));
	f.addEventListener("submit", function (ev) {
		ev.preventDefault();
		clearErrs(f);
		if (!byId("pass").value) { setErr("pass", T("e_required")); return focusFirstErr(f); }
		api("POST", "unlock", {passphrase: byId("pass").value}).then(function () {
			go("#/home");
		}, function (e) { setErr("pass", e.message); focusFirstErr(f); });
	});
	$main.appendChild(f);
	byId("pass").focus();
};

/* ---- home ---- */
screens.home = function (refresh) {
	var draw = function (hm) {
		S.home = hm; netbar();
		$main.textContent = "";
		page("hello", hm.name || hm.cadre_id);
		var card = h("section", {"class": "card", id: "sync-card"},
			h("p", {"class": hm.pending ? "big warn" : "big ok", id: "pending", "data-n": hm.pending,
				text: hm.pending ? T("pending_n", hm.pending) : T("pending_0")}),
			h("p", {id: "last-sync"}, T("last_sync") + ": ", h("strong", {text: fmtTime(hm.last_sync_ms)})),
			hm.last_error && hm.online === false ? h("p", {"class": "muted", id: "last-error",
				text: (hm.last_error.message || {})[LANG ? "en" : "vi"] || ""}) : null,
			hm.next_attempt_ms && hm.pending ? h("p", {"class": "muted", text: T("next_try", fmtTime(hm.next_attempt_ms).slice(11))}) : null,
			hm.enrolled === false ? h("p", {"class": "muted", text: T("enroll_pending")}) : null,
			h("p", {"class": "muted", text: T("counts", hm.visits || 0, hm.reports || 0, hm.proposals_open || 0)}),
			btn(hm.syncing ? T("syncing") : T("sync_now"), syncNow));
		$main.appendChild(card);
		if (hm.clock_wrong) $main.appendChild(notice(T("clock_wrong"), "bad"));
		if (hm.quarantined) {
			$main.appendChild(h("p", {}, h("a", {href: "#/quarantine", "class": "notice bad", id: "q-link",
				text: T("quarantined_n", hm.quarantined)})));
		}
		if (hm.drafts) $main.appendChild(h("p", {}, h("a", {href: "#/visit/new", text: T("has_draft")})));
		$main.appendChild(h("h3", {text: T("my_units")}));
		var us = hm.units || [];
		if (!us.length) $main.appendChild(h("p", {"class": "muted", text: T("no_units")}));
		$main.appendChild(h("ul", {"class": "tree", id: "units"}, us.map(function (a) {
			return h("li", {},
				h("strong", {text: a.name}),
				h("span", {"class": "muted", text: " " + a.code + (a.role ? " · " + roleName(a.role) : "")
					+ (a.from ? " · " + T("from") + " " + fmtDMY(a.from) : "")}),
				tree(a.children || []));
		})));
	};
	if (refresh === true && S.home) return draw(S.home);
	api("GET", "home").then(draw, function (e) { $main.appendChild(notice(e.message, "bad")); });
};
function roleName(r) { return STR["role_" + r] ? T("role_" + r) : r; }
function tree(kids) {
	if (!kids.length) return null;
	return h("ul", {}, kids.map(function (u) {
		return h("li", {}, h("span", {text: (u.name || "") + " "}),
			h("span", {"class": "muted", text: u.code || ""}), tree(u.children || []));
	}));
}
function syncNow() {
	flash(T("syncing"), "info");
	api("POST", "sync", {}).then(function () {
		setTimeout(function () { flash(""); }, 3000);
		poll();
	}, function (e) { flash(T("sync_failed", e.message), "bad"); poll(); });
}

/* ---- record a visit / correct one ---- */
function unitOptions(sel) {
	var s = h("select", {}, h("option", {value: "", text: T("choose")}));
	var add = function (u, depth) {
		s.appendChild(h("option", {value: u.code, selected: u.code === sel,
			text: "\u00a0\u00a0".repeat(depth) + u.name + " (" + u.code + ")"}));
		(u.children || []).forEach(function (c) { add(c, depth + 1); });
	};
	var mine = (S.home && S.home.units) || [];
	mine.forEach(function (u) { add(u, 0); });
	/* Before the first sync brings the assignments: every unit the store
	 * holds (the central judges; the library refuses what it knows is
	 * not this cadre's). */
	if (!mine.length) api("GET", "units").then(function (j) {
		(j.items || []).forEach(function (u) { if (u.level >= 3 && !u.valid_to) add(u, 0); });
		if (sel) s.value = sel;
	}, function () {});
	return s;
}
function listBox(id, label, addLabel, make) {
	var box = h("fieldset", {id: id}, h("legend", {text: label}), h("div", {"class": "items"}));
	box.appendChild(btn(addLabel, function () { addRow(box, make); }, "ghost"));
	return box;
}
function addRow(box, make, val) {
	var items = box.querySelector(".items"), n = items.children.length + 1;
	var row = make(n, val || {});
	var rm = btn(T("remove"), function () { row.remove(); saveDraftSoon(); }, "ghost small");
	rm.setAttribute("aria-label", T("remove") + ": " + row.querySelector("label").textContent);
	row.appendChild(rm);
	items.appendChild(row);
	return row;
}
function proposalRow(n, v) {
	var id = "prop" + Date.now() + n, ta = area({rows: 2, "data-k": "text"});
	ta.value = v.text || "";
	return h("div", {"class": "row prop"}, field(id, T("f_proposal", n), ta));
}
function outcomeRow(n, v) {
	var id = "oc" + Date.now() + n, ta;
	var r = h("div", {"class": "row outcome"},
		field(id, T("f_outcome", n), ta = area({rows: 2, "data-k": "text"})),
		h("div", {"class": "three"},
			field(id + "q", T("f_quantity"), input({inputmode: "decimal", "data-k": "quantity", value: v.quantity || ""})),
			field(id + "u", T("f_qunit"), input({"data-k": "quantity_unit", value: v.quantity_unit || ""})),
			field(id + "a", T("f_amount"), input({inputmode: "numeric", "data-k": "amount", value: v.amount || ""}))));
	ta.value = v.text || "";
	return r;
}

function visitForm(orig) {
	var v = orig || {};
	var f = h("form", {id: "f-visit", novalidate: true},
		field("unit", T("f_unit"), unitOptions(v.unit)),
		field("date", T("f_date"), input({inputmode: "numeric", placeholder: "dd/mm/yyyy", value: fmtDMY(v.date) || todayDMY(), autocomplete: "off"})),
		field("purpose", T("f_purpose"), area({rows: 2})),
		field("situation", T("f_situation"), area({rows: 4})),
		field("difficulties", T("f_difficulties"), area({rows: 3})),
		listBox("proposals", T("f_proposals"), T("add_proposal"), proposalRow),
		listBox("outcomes", T("f_outcomes"), T("add_outcome"), outcomeRow),
		h("fieldset", {id: "position"}, h("legend", {text: T("f_position")}),
			h("div", {"class": "two"},
				field("lat", T("f_lat"), input({inputmode: "decimal"})),
				field("lon", T("f_lon"), input({inputmode: "decimal"}))),
			navigator.geolocation ? btn(T("use_gps"), useGps, "ghost") : null),
		h("p", {id: "draft-state", "class": "muted", "aria-live": "polite"}),
		btn(orig ? T("save_amend") : T("save_visit")));
	return f;
}
function useGps() {
	navigator.geolocation.getCurrentPosition(function (p) {
		byId("lat").value = p.coords.latitude.toFixed(6);
		byId("lon").value = p.coords.longitude.toFixed(6);
		saveDraftSoon();
	}, function () {});
}
/* A correction does not repeat the proposals: they stay tracked (and
 * perhaps answered) on the visit that raised them. */
function fillVisit(f, v, correcting) {
	["purpose", "situation", "difficulties", "lat", "lon"].forEach(function (k) {
		if (v[k] != null) byId(k).value = v[k];
	});
	if (v.unit) byId("unit").value = v.unit;
	if (v.date) byId("date").value = fmtDMY(v.date);
	(correcting ? [] : v.proposals || []).forEach(function (p) {
		addRow(byId("proposals"), proposalRow, typeof p === "string" ? {text: p} : p);
	});
	(v.outcomes || []).forEach(function (o) { addRow(byId("outcomes"), outcomeRow, o); });
}
/* The form as typed (for the draft: nothing checked, nothing lost). */
function readVisit(f) {
	var rows = function (box) {
		return Array.prototype.map.call(byId(box).querySelectorAll(".row"), function (r) {
			var o = {};
			Array.prototype.forEach.call(r.querySelectorAll("[data-k]"), function (c) { o[c.dataset.k] = c.value; });
			return o;
		});
	};
	return {unit: byId("unit").value, date: byId("date").value, purpose: byId("purpose").value,
		situation: byId("situation").value, difficulties: byId("difficulties").value,
		proposals: rows("proposals").map(function (p) { return p.text; }),
		outcomes: rows("outcomes"), lat: byId("lat").value, lon: byId("lon").value};
}
function num(s) { return s.trim().replace(",", "."); }
/* Checks the form in place; the visit to send, or null. */
function checkVisit(f) {
	var d = readVisit(f), out = {}, bad = false, date;
	clearErrs(f);
	var err = function (id, m) { setErr(id, m); bad = true; };
	if (!d.unit) err("unit", T("e_required"));
	date = parseDMY(d.date);
	if (!date) err("date", T("e_date"));
	else {
		var t = new Date(); t.setDate(t.getDate() + 1);
		if (date > t.getFullYear() * 10000 + (t.getMonth() + 1) * 100 + t.getDate()) err("date", T("e_date_future"));
	}
	if (!d.purpose.trim()) err("purpose", T("e_required"));
	["purpose", "situation", "difficulties"].forEach(function (k) { if (tooLong(k, d[k])) bad = true; });
	Array.prototype.forEach.call(byId("proposals").querySelectorAll("textarea"), function (c) {
		if (!c.value.trim()) err(c.id, T("e_required"));
		else if (tooLong(c.id, c.value)) bad = true;
	});
	Array.prototype.forEach.call(byId("outcomes").querySelectorAll(".row"), function (r) {
		var c = r.querySelectorAll("[data-k]");
		if (!c[0].value.trim()) err(c[0].id, T("e_required"));
		else if (tooLong(c[0].id, c[0].value)) bad = true;
		if (c[1].value.trim() && !/^\d[\d.,\s]*$/.test(c[1].value.trim())) err(c[1].id, T("e_number"));
		if (c[3].value.trim() && !/^\d[\d.\s]*$/.test(c[3].value.trim())) err(c[3].id, T("e_amount"));
	});
	if (!!d.lat.trim() !== !!d.lon.trim()) err(d.lat.trim() ? "lon" : "lat", T("e_latlon"));
	else if (d.lat.trim()) {
		if (!(Math.abs(+num(d.lat)) <= 90)) err("lat", T("e_range"));
		if (!(Math.abs(+num(d.lon)) <= 180)) err("lon", T("e_range"));
	}
	if (bad) { flash(T("fix_errors"), "bad"); focusFirstErr(f); return null; }
	out = {unit: d.unit, date: fmtDMY(String(date)), purpose: d.purpose.trim(),
		situation: d.situation.trim(), difficulties: d.difficulties.trim(),
		proposals: d.proposals.map(function (p) { return p.trim(); }),
		outcomes: d.outcomes.map(function (o) {
			var r = {text: o.text.trim()};
			if (o.quantity.trim()) r.quantity = o.quantity.trim();
			if (o.quantity_unit.trim()) r.quantity_unit = o.quantity_unit.trim();
			if (o.amount.trim()) r.amount = o.amount.trim();
			return r;
		})};
	out.position = d.lat.trim() ? {lat: d.lat.trim(), lon: d.lon.trim()} : null;
	out.draft = draftKey;
	return out;
}

/* The half-typed form is kept in the store (the API's draft), a moment
 * after each keystroke, so closing the page or a power cut loses little. */
var draftKey = "visit";
function saveDraftSoon() {
	clearTimeout(S.draftTimer);
	S.draftTimer = setTimeout(saveDraft, 600);
}
function saveDraft() {
	var f = byId("f-visit");
	if (!f) return Promise.resolve();
	clearTimeout(S.draftTimer);
	return api("PUT", "drafts/" + draftKey, {form: readVisit(f)}).then(function () {
		var s = byId("draft-state");
		if (s) s.textContent = T("draft_saved", fmtTime(Date.now()).slice(11));
	}, function () {});
}

screens.visit = function (args) {
	if (args[0] === "new") return visitEdit(null);
	if (args[1] === "amend") return api("GET", "visits/" + args[0]).then(function (j) { visitEdit(visitOf(j)); });
	return visitDetail(args[0]);
};
function visitEdit(orig) {
	var f;
	draftKey = orig ? "visit-amend-" + orig.id : "visit";
	page(orig ? "amend_title" : "visit_title");
	if (orig) $main.appendChild(notice(T("amend_intro"), "info"));
	var go2 = function () {
		f = visitForm(orig);
		$main.appendChild(f);
		f.addEventListener("input", saveDraftSoon);
		f.addEventListener("change", saveDraftSoon);
		f.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var v = checkVisit(f);
			if (!v) return saveDraft();
			var p = orig ? api("POST", "visits/" + orig.id + "/amend", v) : api("POST", "visits", v);
			clearTimeout(S.draftTimer);
			p.then(function (j) {
				go("#/visit/" + j.id);
				setTimeout(function () { flash(T("visit_saved"), "ok"); }, 200);
			}, function (e) { serverErr(f, e); saveDraft(); });
		});
	};
	api("GET", "drafts/" + draftKey).then(function (d) {
		go2();
		if (d && d.form) {
			fillVisit(f, d.form);
			$main.insertBefore(h("div", {"class": "notice info", role: "status"}, T("draft_restored") + " ",
				btn(T("discard_draft"), function () {
					api("DELETE", "drafts/" + draftKey).then(function () { route(); });
				}, "ghost small")), f);
		} else if (orig) fillVisit(f, orig, true);
	}, function () { go2(); if (orig) fillVisit(f, orig, true); });
}
window.addEventListener("pagehide", function () { if (byId("f-visit")) saveDraft(); });

function money(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
function badge(st) {
	return h("span", {"class": "badge " + (st || "pending"), text: T("st_" + (st || "pending"))});
}
function statusOf(r) {
	if (r.quarantine) return "quarantined";
	if (r.status) return r.status;
	return r.accepted_ms || r.received_ms ? "accepted" : "pending";
}

screens.visits = function () {
	page("visits_title");
	$main.appendChild(h("p", {}, h("a", {"class": "button primary", href: "#/visit/new", text: T("nav_visit")})));
	api("GET", "visits").then(function (j) {
		var vs = j.items || [];
		if (!vs.length) return $main.appendChild(h("p", {"class": "muted", text: T("no_visits")}));
		$main.appendChild(h("ul", {"class": "list", id: "visit-list"}, vs.map(function (v) {
			return h("li", {}, h("a", {href: "#/visit/" + v.id},
				h("span", {"class": "when", text: fmtDMY(v.date)}),
				h("span", {"class": "what"}, h("strong", {text: v.unit_name || v.unit}), h("br"),
					h("span", {text: v.purpose || ""})),
				badge(statusOf(v))));
		})));
	}, function (e) { $main.appendChild(notice(e.message, "bad")); });
};

function dl(pairs) {
	return h("dl", {}, pairs.filter(function (p) { return p; }).map(function (p) {
		return [h("dt", {text: p[0]}), h("dd", {text: p[1] === "" || p[1] == null ? T("none") : String(p[1])})];
	}).reduce(function (a, b) { return a.concat(b); }, []));
}
/* GET visits/ID's answer as one object, its outcomes and proposals in it. */
function visitOf(j) {
	var v = Object.assign({}, j.visit);
	v.outcomes = (j.outcomes || []).map(function (o) {
		var q = o.quantity;
		if (q == null && o.quantity_milli != null) q = String(o.quantity_milli / 1000).replace(".", ",");
		return {text: o.text, quantity: q == null ? "" : String(q), quantity_unit: o.quantity_unit || "",
			amount: o.amount_vnd == null ? "" : String(o.amount_vnd)};
	});
	v.proposals = j.proposals || [];
	return v;
}
function visitDetail(id) {
	page("visit_detail");
	api("GET", "visits/" + id).then(function (j) {
		var v = visitOf(j);
		$main.appendChild(h("p", {}, badge(statusOf(v)), v.quarantine
			? h("a", {href: "#/quarantine", text: " " + reasonText(v.quarantine)[0]}) : null));
		$main.appendChild(dl([[T("f_unit"), (v.unit_name || "") + " (" + v.unit + ")"],
			[T("f_date"), fmtDMY(v.date)], [T("f_purpose"), v.purpose],
			[T("f_situation"), v.situation], [T("f_difficulties"), v.difficulties],
			v.author ? [T("author"), v.author] : null,
			v.amends ? [T("amends"), shortId(v.amends)] : null,
			v.amended_by ? [T("amended_by"), shortId(v.amended_by)] : null,
			v.received_ms ? [T("received_at"), fmtTime(v.received_ms)] : null,
			v.lat != null ? [T("f_position"), v.lat + ", " + v.lon] : null]));
		var oc = v.outcomes || [], pr = v.proposals || [];
		$main.appendChild(h("h3", {text: T("f_outcomes")}));
		$main.appendChild(oc.length ? h("ul", {"class": "plain"}, oc.map(function (o) {
			return h("li", {text: o.text + (o.quantity ? " — " + o.quantity + " " + (o.quantity_unit || "") : "")
				+ (o.amount ? " — " + money(o.amount) + " đ" : "")});
		})) : h("p", {"class": "muted", text: T("none")}));
		$main.appendChild(h("h3", {text: T("f_proposals")}));
		$main.appendChild(pr.length ? h("ul", {"class": "plain"}, pr.map(function (p) {
			return h("li", {text: (p.text || p) + (p.status ? " — " + T("ps_" + p.status) : "")});
		})) : h("p", {"class": "muted", text: T("none")}));
		if (!v.author || !S.home || v.author === S.home.cadre_id) {
			$main.appendChild(h("p", {}, h("a", {"class": "button", id: "amend-link", href: "#/visit/" + v.id + "/amend", text: T("correct")})));
		}
	}, function (e) { $main.appendChild(notice(e.message, "bad")); });
}

/* ---- reports ---- */
function periodNow() {
	var d = new Date();
	return d.getFullYear() + "-Q" + (Math.floor(d.getMonth() / 3) + 1);
}
function reportBadge(r) {
	if (r.state !== "submitted") return badge("draft");
	return badge(r.status === "pending" || !r.status ? "submitted" : r.status);
}
screens.reports = function () {
	page("reports_title");
	var f = h("form", {id: "f-report", "class": "card", novalidate: true},
		h("h3", {text: T("new_report")}),
		h("div", {"class": "two wide-late"},
			field("period", T("f_period"), input({value: periodNow(), placeholder: "2025-Q4"})),
			field("unit", T("f_unit"), unitOptions(""))),
		btn(T("start_report")));
	f.addEventListener("submit", function (ev) {
		ev.preventDefault();
		clearErrs(f);
		var p = byId("period").value.trim().toUpperCase();
		if (!/^\d{4}(-Q[1-4]|-H[12])?$/.test(p)) { setErr("period", T("e_period")); return focusFirstErr(f); }
		api("POST", "reports", {period: p, unit: byId("unit").value || null}).then(function (j) {
			go("#/report/" + j.id);
		}, function (e) { serverErr(f, e); });
	});
	$main.appendChild(f);
	api("GET", "reports").then(function (j) {
		var rs = j.items || [];
		if (!rs.length) return $main.appendChild(h("p", {"class": "muted", text: T("no_reports")}));
		$main.appendChild(h("ul", {"class": "list", id: "report-list"}, rs.map(function (r) {
			return h("li", {}, h("a", {href: "#/report/" + r.id},
				h("span", {"class": "when", text: r.period}),
				h("span", {"class": "what"}, h("strong", {text: r.unit_name || r.unit || ""}),
					r.amends ? h("span", {"class": "muted", text: " · " + T("amendment")}) : null),
				reportBadge(r)));
		})));
	});
};
var SECTIONS = ["results", "situation", "difficulties", "proposals"];
screens.report = function (args) {
	var id = args[0];
	api("GET", "reports/" + id).then(function (j) {
		var r = j.report, g = j.figures, locked = r.state === "submitted";
		page("report_title", r.period, r.unit_name || r.unit || "");
		var f = h("form", {id: "f-sections", novalidate: true});
		if (g) {
			$main.appendChild(h("section", {"class": "card", id: "figures"}, h("h3", {text: T("figures")}),
				h("dl", {}, [["visits", g.visits], ["units", g.units_visited], ["outcomes", g.outcomes],
					["amount", money(g.amount_vnd || 0)], ["props", g.proposals + " / " + g.proposals_answered]].map(function (x) {
					return [h("dt", {text: T("fig_" + x[0])}), h("dd", {id: "fig-" + x[0], text: String(x[1])})];
				}).reduce(function (a, b) { return a.concat(b); }, []))));
		}
		if (locked) $main.appendChild(h("p", {id: "locked"}, reportBadge(r), " ", T("report_locked")));
		else $main.appendChild(notice(r.amends ? T("amend_report_note") : T("prefill_note"), "info"));
		/* The results' pre-fill is the library's (coso_report_new), from
		 * the same count as the figures above: the page adds none. */
		var sec = Object.assign({}, r.sections || {});
		SECTIONS.forEach(function (s) {
			if (locked) {
				/* Final: shown as text, not as boxes that look editable. */
				f.appendChild(h("section", {"class": "sectext"}, h("h3", {text: T("sec_" + s)}),
					h("div", {id: "sec-" + s, text: sec[s] || ""})));
				return;
			}
			var lines = (sec[s] || "").split("\n").length;
			var ta = area({rows: Math.min(Math.max(s === "results" ? 8 : 4, lines + 1), 30), readonly: locked});
			ta.value = sec[s] || "";
			f.appendChild(field("sec-" + s, T("sec_" + s), ta));
		});
		if (!locked) {
			/* The sections typed are kept in the store a moment after each
			 * key, as a visit's draft is. */
			f.addEventListener("input", function () {
				clearTimeout(S.draftTimer);
				S.draftTimer = setTimeout(function () { saveSections(f, id, true); }, 800);
			});
			f.appendChild(h("p", {id: "draft-state", "class": "muted", "aria-live": "polite"}));
			f.appendChild(h("div", {"class": "actions"}, btn(T("save_draft"), function () { saveSections(f, id); }, "ghost"),
				btn(T("submit"))));
			f.addEventListener("submit", function (ev) {
				ev.preventDefault();
				saveSections(f, id).then(function (ok) {
					if (!ok) return;
					SECTIONS.forEach(function (s) {
						if (!byId("sec-" + s).value.trim()) setErr("sec-" + s, T("e_required"));
					});
					if (f.querySelector("[aria-invalid=true]")) return focusFirstErr(f);
					confirmBox(T("confirm_submit"), T("confirm_yes"), function () {
						api("POST", "reports/" + id + "/submit", {confirm: true}).then(function () {
							route(); setTimeout(function () { flash(T("submitted_ok"), "ok"); }, 300);
						}, function (e) { serverErr(f, e); });
					});
				});
			});
		} else {
			f.appendChild(btn(T("amend_report"), function () {
				api("POST", "reports/" + r.id + "/amend", {}).then(function (k) {
					go("#/report/" + k.id);
				}, function (e) { flash(T("e_server", e.message), "bad"); });
			}, "ghost"));
		}
		$main.appendChild(f);
	}, function (e) { $main.appendChild(notice(e.message, "bad")); });
};
/* In Vietnamese whatever the page's language: the report's language. */
function saveSections(f, id, quiet) {
	clearTimeout(S.draftTimer);
	clearErrs(f);
	var body = {}, bad = false;
	SECTIONS.forEach(function (s) {
		body[s] = byId("sec-" + s).value;
		if (tooLong("sec-" + s, body[s])) bad = true;
	});
	if (bad) {
		if (!quiet) { flash(T("fix_errors"), "bad"); focusFirstErr(f); }
		return Promise.resolve(false);
	}
	return api("PUT", "reports/" + id, {sections: body}).then(function () {
		var d = byId("draft-state");
		if (d) d.textContent = T("draft_saved", fmtTime(Date.now()).slice(11));
		if (!quiet) flash(T("saved"), "ok");
		return true;
	}, function (e) { if (!quiet) serverErr(f, e); return false; });
}
function confirmBox(text, yes, onyes) {
	var d = h("dialog", {id: "confirm", "aria-labelledby": "confirm-text"},
		h("p", {id: "confirm-text", text: text}),
		h("div", {"class": "actions"},
			h("button", {type: "button", "class": "ghost", id: "confirm-no", text: T("cancel"), onclick: function () { d.close(); d.remove(); }}),
			h("button", {type: "button", "class": "danger", id: "confirm-yes", text: yes, onclick: function () { d.close(); d.remove(); onyes(); }})));
	document.body.appendChild(d);
	d.showModal();
}

/* ---- proposals ---- */
function proposalItem(p, extra) {
	return h("li", {"class": "item"},
		h("p", {}, h("span", {"class": "badge p-" + (p.status || "open"), text: T("ps_" + (p.status || "open"))}), " ",
			h("span", {"class": "muted", text: (p.unit_name || p.unit || "") + " · " + fmtDMY(p.raised || p.date)})),
		h("p", {"class": "ptext", text: p.text}),
		(p.responses || (p.response ? [{status: p.status, text: p.response}] : [])).map(function (r) {
			return h("blockquote", {}, h("strong", {text: T("answer") + " (" + (r.date ? fmtDMY(r.date) + ", " : "")
				+ T("ps_" + r.status) + "): "}), r.text || "");
		}), extra || null);
}
screens.proposals = function () {
	page("proposals_title");
	api("GET", "proposals").then(function (j) {
		var ps = j.items || [];
		if (!ps.length) return $main.appendChild(h("p", {"class": "muted", text: T("no_proposals")}));
		$main.appendChild(h("ul", {"class": "list", id: "proposal-list"}, ps.map(function (p) { return proposalItem(p); })));
	}, function (e) { $main.appendChild(notice(e.message, "bad")); });
};

/* ---- handover ---- */
screens.handover = function () {
	page("handover_title");
	var f = h("form", {id: "f-handover", "class": "card", novalidate: true},
		field("unit", T("f_unit"), unitOptions("")),
		field("note", T("f_note"), area({rows: 5})),
		field("to_cadre", T("f_to_cadre"), input({autocapitalize: "none"})),
		btn(T("add_handover")));
	f.addEventListener("submit", function (ev) {
		ev.preventDefault();
		clearErrs(f);
		if (!byId("unit").value) setErr("unit", T("e_required"));
		if (!byId("note").value.trim()) setErr("note", T("e_required"));
		else tooLong("note", byId("note").value);
		if (f.querySelector("[aria-invalid=true]")) return focusFirstErr(f);
		api("POST", "handovers", {unit: byId("unit").value, text: byId("note").value.trim(),
			to_cadre: byId("to_cadre").value.trim() || null, date: null}).then(function () {
			route(); setTimeout(function () { flash(T("saved"), "ok"); }, 200);
		}, function (e) { serverErr(f, e); });
	});
	$main.appendChild(f);
	api("GET", "handovers").then(function (j) {
		var hs = j.items || [];
		if (!hs.length) return $main.appendChild(h("p", {"class": "muted", text: T("no_handovers")}));
		$main.appendChild(h("ul", {"class": "list", id: "handover-list"}, hs.map(function (x) {
			return h("li", {"class": "item"},
				h("p", {"class": "muted", text: (x.unit_name || x.unit) + " · " + fmtDMY(x.date) + " · "
					+ (x.from_cadre || "") + (x.to_cadre ? " → " + x.to_cadre : "")}),
				h("p", {"class": "ptext", text: x.text}));
		})));
	});
};

/* ---- quarantine ---- */
function reasonText(name, q) {
	var r = REASONS[name], l = LANG ? "en" : "vi";
	if (q && q.message && q.message[l]) return [q.message[l], (q.todo || {})[l] || (r ? r[2 + LANG] : "")];
	return r ? [r[LANG], r[2 + LANG]] : [name, ""];
}
/* A new visit starting from a quarantined one (as a draft, so nothing is
 * signed before the cadre corrects and saves it); an unfinished draft is
 * never overwritten. */
function recordAgain(id) {
	api("GET", "drafts/visit").then(function () { go("#/visit/new"); }, function () {
		api("GET", "visits/" + id).then(function (j) {
			var v = visitOf(j);
			return api("PUT", "drafts/visit", {form: {unit: v.unit, date: fmtDMY(v.date), purpose: v.purpose || "",
				situation: v.situation || "", difficulties: v.difficulties || "",
				proposals: v.proposals.map(function (p) { return p.text; }), outcomes: v.outcomes,
				lat: v.lat == null ? "" : String(v.lat), lon: v.lon == null ? "" : String(v.lon)}});
		}).then(function () { go("#/visit/new"); }, function (e) { flash(T("e_server", e.message), "bad"); });
	});
}
screens.quarantine = function () {
	page("quarantine_title");
	api("GET", "quarantine").then(function (j) {
		var qs = j.items || [];
		if (!qs.length) return $main.appendChild(h("p", {"class": "muted", text: T("no_quarantine")}));
		$main.appendChild(h("p", {text: T("quarantine_intro")}));
		$main.appendChild(h("ul", {"class": "list", id: "quarantine-list"}, qs.map(function (q) {
			var r = reasonText(q.reason, q);
			return h("li", {"class": "item q", "data-reason": q.reason},
				h("p", {}, badge("quarantined"), " ", h("strong", {text: T("record") + ": " + T("k_" + q.record)}),
					h("span", {"class": "muted", text: " · " + (q.unit_name || q.unit || "") + " · " + fmtDMY(q.date || "")
						+ (q.period ? " · " + q.period : "")})),
				h("p", {"class": "why"}, h("strong", {text: T("reason") + ": "}), r[0]),
				h("p", {"class": "todo"}, h("strong", {text: T("todo") + ": "}), r[1]),
				q.record === "visit" && q.record_id ? h("p", {}, h("a", {href: "#/visit/" + q.record_id, text: T("visit_detail")}),
					" · ", h("a", {href: "#/visit/new", "class": "again", onclick: function (ev) {
						ev.preventDefault(); recordAgain(q.record_id);
					}, text: T("record_again")})) : null);
		})));
	}, function (e) { $main.appendChild(notice(e.message, "bad")); });
};

/* ---- receipts ---- */
screens.receipts = function () {
	page("receipts_title");
	var out = h("div", {id: "verify-out", "aria-live": "polite"});
	$main.appendChild(h("p", {}, btn(T("verify"), function () {
		out.textContent = "";
		out.appendChild(notice(T("verifying"), "info"));
		api("POST", "receipts/verify", {}).then(function (j) {
			out.textContent = "";
			out.appendChild(j.bad ? notice(T("verify_bad", j.bad), "bad")
				: notice(T("verify_ok", j.ok || 0) + (j.no_proof ? " " + T("verify_noproof", j.no_proof) : ""), "ok"));
			out.firstChild.id = "verify-result";
			out.firstChild.setAttribute("data-ok", j.ok); out.firstChild.setAttribute("data-bad", j.bad);
		}, function (e) { out.textContent = ""; out.appendChild(notice(T("e_server", e.message), "bad")); });
	}, "primary")));
	$main.appendChild(out);
	api("GET", "receipts").then(function (j) {
		var rs = j.items || [];
		if (!rs.length) return $main.appendChild(h("p", {"class": "muted", text: T("no_receipts")}));
		$main.appendChild(h("ul", {"class": "list", id: "receipt-list"}, rs.map(function (r) {
			var st = r.status || "pending";
			return h("li", {"class": "item", "data-status": st},
				h("p", {}, badge(st), " ", h("strong", {text: "#" + r.seq + " " + (r.record ? T("k_" + r.record) : "")}),
					r.leaf_index != null ? h("span", {"class": "muted", text: " · " + T("log_pos", r.leaf_index, r.tree_size)}) : null),
				st === "accepted" ? h("p", {"class": "muted", text: T("received_at") + ": " + fmtTime(r.received_ms)}) : null,
				st === "quarantined" ? h("p", {"class": "why", text: reasonText(r.reason)[0]}) : null);
		})));
	}, function (e) { $main.appendChild(notice(e.message, "bad")); });
};

/* ---- admin: its code is loaded only on an admin device ---- */
screens.admin = function (args) {
	page("admin_title");
	if (!isAdmin()) return;
	if (window.adminScreen) return window.adminScreen(args);
	var s = h("script", {src: "admin.js"});
	s.onload = function () { window.adminScreen(args); };
	document.head.appendChild(s);
};

/* ---- start ---- */
document.addEventListener("DOMContentLoaded", function () {
	var l = null;
	try { l = localStorage.getItem("coso-lang"); } catch (e) { /* private mode */ }
	LANG = l === "en" ? 1 : 0;
	document.documentElement.lang = LANG ? "en" : "vi";
	$main = byId("main");
	window.addEventListener("hashchange", route);
	route();
});
