/* console.js: the office's console (docs/console.md).  Plain DOM, one page
 * at a time, routed by the URL's hash (#/overview?p=2025-Q4&u=180).
 * Every figure is the central's: each page shows a view of
 * GET /api/v1/views/<view>?period=P as the central computed it (the same
 * JSON as `cosod central report <view> --format json`), never a sum made
 * here, so the page and the CLI cannot disagree.  The session is the
 * central's (/console/api/*): the pages only ask who is signed in. */
"use strict";

var S = {session: null, noAccess: false, route: "", q: {}, seq: 0};
var VIEWS = "/api/v1/views/";
var CAPI = "/console/api/";
var $main, $nav, $who;
var DATE_KEYS = /^(date|due|grace_end|submitted|received|since|from|to|valid_to|valid_from|first|last|as_of|ref|ended|started|day|.*_date|.*_day)$/;
var WORD_KEYS = /^(status|signature|role|kind)$/;
var LEVEL_NAMES = [null, ["Tỉnh", "Province"], ["Huyện", "District"], ["Xã", "Commune"], ["Thôn", "Village"]];
var COUNT_KEYS = ["expected", "on_time", "late", "offline_late", "missing", "pending"];

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
		else el.appendChild(typeof c === "string" || typeof c === "number"
			? document.createTextNode(String(c)) : c);
	}
	return el;
}
function pad(n) { return (n < 10 ? "0" : "") + n; }
function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

/* 1234567 -> "1.234.567" (Vietnamese grouping), in both languages so that
 * a printed page reads the same. */
function fmtNum(n) {
	var s = String(Math.abs(n)), out = "";
	while (s.length > 3) { out = "." + s.slice(-3) + out; s = s.slice(0, -3); }
	return (n < 0 ? "-" : "") + s + out;
}
/* YYYYMMDD -> dd/mm/yyyy */
function fmtDMY(v) {
	var s = String(v);
	if (!/^\d{8}$/.test(s)) return s;
	return s.slice(6, 8) + "/" + s.slice(4, 6) + "/" + s.slice(0, 4);
}
/* milliseconds since 1970 -> dd/mm/yyyy hh:mm in Vietnam's time (UTC+7),
 * whatever the browser's zone: the office and the central agree. */
function fmtMs(ms) {
	var d = new Date(+ms + 7 * 3600 * 1000);
	return pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) + "/" +
		d.getUTCFullYear() + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
}
function todayDMY() { return fmtMs(Date.now()).slice(0, 10); }
function pct(a, b) { return b > 0 ? Math.round(1000 * a / b) / 10 : 0; }
function fmtPct(x) { return String(x).replace(".", LANG ? "." : ",") + " %"; }

/* A value of key k as a cell's text. */
function fmtVal(k, v) {
	var last = k.split(".").pop(), date = DATE_KEYS.test(last) && k.indexOf("counts.") !== 0;
	if ((v === null || v === undefined) && last === "sector") return T("no_sector");
	if (v === null || v === undefined) return "";
	if (typeof v === "boolean") return v ? T("yes") : T("no");
	if (typeof v === "number") {
		if (last === "skew_ms") return fmtNum(Math.round(v / 1000));
		if (/_ms$/.test(last) && v > 100000000000) return fmtMs(v);
		if (date && v === 0) return "";
		if (date && v >= 19000101 && v <= 29991231) return fmtDMY(v);
		if (last === "level" && LEVEL_NAMES[v]) return LEVEL_NAMES[v][LANG];
		if (last === "rate_permille") return fmtPct(v / 10);
		if (last === "rate" || /_rate$/.test(last)) return fmtPct(v);
		return fmtNum(v);
	}
	if (typeof v === "string") {
		if (/^[0-9a-f]{32}$/.test(v) && last === "id") return v.slice(-8);
		if (/^[0-9a-f]{64}$/.test(v)) return v.slice(0, 16);
		return WORD_KEYS.test(last) ? word(v) : v;
	}
	return JSON.stringify(v);
}

/* ---- period ---- */
/* The period shown first: the last quarter ended (in Vietnam's time),
 * the one the quarterly review looks back on. */
function periodNow() {
	var d = new Date(Date.now() + 7 * 3600 * 1000), q = Math.floor(d.getUTCMonth() / 3);
	return q === 0 ? (d.getUTCFullYear() - 1) + "-Q4" : d.getUTCFullYear() + "-Q" + q;
}
function periodName(p) {
	var m = /^(\d{4})-Q([1-4])$/.exec(p || "");
	if (m) return T("period_name_q", m[1], m[2]);
	if (/^\d{4}$/.test(p || "")) return T("period_name_y", p);
	return p || "";
}
function periodPicker(p, onpick) {
	var m = /^(\d{4})(?:-Q([1-4]))?$/.exec(p) || [null, "2025", "4"];
	var now = new Date().getUTCFullYear(), y, ys = [], qs = [];
	var ysel, qsel;
	for (y = now; y >= 2024; y--) ys.push(h("option", {value: y, selected: +m[1] === y}, String(y)));
	qs.push(h("option", {value: "", selected: !m[2]}, T("whole_year")));
	for (y = 1; y <= 4; y++) qs.push(h("option", {value: y, selected: +m[2] === y}, T("q_n", y)));
	ysel = h("select", {id: "p-year", "aria-label": T("year")}, ys);
	qsel = h("select", {id: "p-quarter", "aria-label": T("quarter")}, qs);
	function pick() { onpick(ysel.value + (qsel.value ? "-Q" + qsel.value : "")); }
	ysel.addEventListener("change", pick);
	qsel.addEventListener("change", pick);
	return h("div", {class: "picker no-print"}, h("label", {for: "p-year"}, T("period")),
		ysel, qsel);
}

/* ---- the API ---- */
function getJSON(url) {
	return fetch(url, {credentials: "same-origin"}).then(function (r) {
		return r.text().then(function (t) {
			var j = null;
			try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
			return {status: r.status, json: j, text: t};
		});
	}, function () { return {status: 0, json: null, text: ""}; });
}
function postJSON(url, body) {
	return fetch(url, {method: "POST", credentials: "same-origin",
		headers: {"Content-Type": "application/json"},
		body: JSON.stringify(body)}).then(function (r) {
		return r.text().then(function (t) {
			var j = null;
			try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
			return {status: r.status, json: j};
		});
	}, function () { return {status: 0, json: null}; });
}
function errorText(r) {
	var msg = r.json && (typeof r.json.error === "string" ? r.json.error
		: r.json.error && (r.json.error.message || r.json.error.detail));
	if (r.status === 0) return T("e_net");
	if (r.status === 401) return T("e_401");
	if (r.status === 403) return T("e_403");
	return T("e_http", r.status, msg || r.text || "");
}
function viewURL(v, p, fmt) {
	return VIEWS + v + (p ? "?period=" + encodeURIComponent(p) : "") +
		(fmt ? (p ? "&" : "?") + "format=" + fmt : "");
}
/* A view's JSON; rejects with the answer when it is not 200 (a 401
 * sends the reader to the sign-in page). */
function view(v, p) {
	return getJSON(viewURL(v, p)).then(function (r) {
		if ((r.status === 401 || r.status === 403) && v !== "audit") {
			/* no session, or its access ended (the central closed it) */
			S.session = null;
			S.flash = errorText(r);
			who();
			go("#/login");
		}
		if (r.status !== 200 || !r.json) throw r;
		return r.json;
	});
}

/* ---- tables ---- */
/* The columns of rows: every key of the rows, an object's keys one level
 * down ("counts.expected"), arrays of objects as one cell each. */
function columnsOf(rows) {
	var cols = [], seen = {};
	rows.forEach(function (r) {
		Object.keys(r).forEach(function (k) {
			if (isObj(r[k])) {
				Object.keys(r[k]).forEach(function (k2) {
					if (!isObj(r[k][k2]) && !seen[k + "." + k2]) {
						seen[k + "." + k2] = 1; cols.push(k + "." + k2);
					}
				});
			} else if (!seen[k]) { seen[k] = 1; cols.push(k); }
		});
	});
	return cols;
}
/* The columns a screen shows of a view's rows: those of want the rows
 * have, in that order (the CSV and XLSX carry them all). */
var COUNT_COLS = ["counts.expected", "counts.received", "counts.on_time", "counts.late",
	"counts.offline_late", "counts.missing", "counts.pending", "counts.rate_permille"];
var UNIT_COLS = ["unit", "name", "team", "sector"].concat(COUNT_COLS);
var CADRE_COLS = ["cadre", "name"].concat(COUNT_COLS);
var REPORT_COLS = ["cadre", "name", "unit", "status", "due", "submitted", "received",
	"skew_ms", "signature", "complete", "id"];
function pick(rows, want) {
	var have = columnsOf(rows), out = want.filter(function (k) { return have.indexOf(k) >= 0; });
	return out.length > 2 ? out : have;
}
function valueAt(r, k) {
	var i = k.indexOf(".");
	return i < 0 ? r[k] : (r[k.slice(0, i)] || {})[k.slice(i + 1)];
}
/* A cell: numbers right-aligned with the raw value in data-v (what the
 * browser test compares with the CLI's JSON); a list of objects (a
 * proposal's answers) as a small list. */
function cell(k, v, link) {
	var td;
	if (Array.isArray(v)) {
		td = h("td", {"data-k": k, "data-v": String(v.length)});
		if (v.length && isObj(v[0]) && "text" in v[0]) {
			/* a proposal's answers: "05/12/2026, Name: text (status)" */
			td.className = "t";
			td.appendChild(h("ul", {class: "sub answers"}, v.map(function (o) {
				return h("li", null, fmtVal("date", o.date) + ", " + (o.by_name || o.by || "") + ": ",
					h("q", null, o.text || ""), o.status ? " (" + word(o.status) + ")" : "");
			})));
		} else if (v.length && isObj(v[0])) {
			td.appendChild(h("ul", {class: "sub"}, v.map(function (o) {
				return h("li", null, Object.keys(o).filter(function (x) {
					return o[x] !== null && o[x] !== "";
				}).map(function (x) {
					return h("span", {class: "kv"}, h("b", null, colName(x) + ": "), fmtVal(x, o[x]));
				}));
			})));
		} else td.textContent = v.map(function (x) { return fmtVal(k, x); }).join(", ");
		return td;
	}
	td = h("td", {"data-k": k, "data-v": v === null || v === undefined ? "" : String(v),
		class: typeof v === "number" ? "n" : k === "status" || /signature|sig/.test(k) ? "st st-" + v
			: typeof v === "string" && v.length > 24 ? "t" : null});
	if (link) td.appendChild(h("a", {href: link}, fmtVal(k, v)));
	else td.textContent = fmtVal(k, v);
	return td;
}
/* A table of rows under a title, with the view's CSV and XLSX links.
 * opts: cols (keys, else all), link(row, key) -> href or null, key (the
 * JSON array's name, in data-key), v and p (the view and period of the
 * downloads). */
function table(title, rows, opts) {
	var cols = opts.cols || columnsOf(rows);
	var thead = h("thead", null, h("tr", null, cols.map(function (k) {
		return h("th", {scope: "col", "data-k": k}, colName(k));
	})));
	var tbody = h("tbody", null, rows.map(function (r) {
		return h("tr", null, cols.map(function (k) {
			return cell(k, valueAt(r, k), opts.link ? opts.link(r, k) : null);
		}));
	}));
	var dl = opts.v ? h("p", {class: "dl no-print"}, T("download") + ": ",
		h("a", {href: viewURL(opts.v, opts.p, "csv"), download: "", class: "csv"}, T("csv")), " · ",
		h("a", {href: viewURL(opts.v, opts.p, "xlsx"), download: "", class: "xlsx"}, T("xlsx"))) : null;
	return h("section", {class: "tbl", "data-key": opts.key || ""},
		h("div", {class: "tbl-head"}, h("h3", null, title),
			h("span", {class: "muted"}, T("rows", rows.length))), dl,
		rows.length ? h("div", {class: "scroll"}, h("table", {"data-key": opts.key || ""}, thead, tbody))
			: h("p", {class: "muted"}, T("none")));
}
/* Every array of objects in a view, each as a table; scalars as facts. */
function tablesOf(doc, v, p, skip) {
	var out = [];
	Object.keys(doc).forEach(function (k) {
		var a = doc[k];
		if ((skip || []).indexOf(k) >= 0 || !Array.isArray(a)) return;
		if (a.length && !isObj(a[0])) return;
		out.push(table(colName(k), a, {key: k, v: v, p: p, cols: a.length ? pick(a, pickFor(k)) : []}));
	});
	return out;
}
/* The columns shown of each table of the views (docs/central.md). */
function pickFor(k) {
	var msg = LANG ? "message" : "message_vi", props = ["total", "open", "answered", "overdue", "resolved", "declined"];
	return {
		entries: ["received_ms", "cadre", "cadre_name", "reason", msg, "position", "seq"],
		by_reason: ["reason", msg, "count"],
		devices: ["cadre", "name", "role", "key_id", "enrolled_ms", "last_seen_ms", "days_since_received",
			"next_seq", "skew_ms", "revoked", "revoked_ms", "revocation_reason"],
		proposals: ["id", "date", "age_days", "status", "overdue", "unit", "unit_name", "cadre", "name",
			"sector", "text", "answers"],
		by_unit: ["unit", "unit_name"].concat(props),
		by_sector: ["sector", "name"].concat(props),
		proposals_by_sector: ["sector", "name"].concat(props),
		handovers: ["unit", "from_cadre", "from_name", "ended", "to_cadre", "to_name", "started",
			"handover.date", "handover.note"],
		quarters: ["period"].concat(COUNT_COLS),
		checkpoints: ["size", "note"]
	}[k] || [];
}
function facts(doc, keys) {
	var dl = h("dl", {class: "facts"});
	(keys || Object.keys(doc)).forEach(function (k) {
		var v = doc[k];
		if (v === undefined || v === null || Array.isArray(v) || isObj(v) || k === "view") return;
		dl.appendChild(h("div", {"data-k": k}, h("dt", null, colName(k)),
			h("dd", {"data-v": v === null ? "" : String(v)}, fmtVal(k, v))));
	});
	return dl;
}

/* ---- charts: hand-drawn SVG ---- */
var SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs, text) {
	var el = document.createElementNS(SVG, tag), k;
	for (k in attrs) el.setAttribute(k, attrs[k]);
	if (text !== undefined) el.textContent = text;
	return el;
}
/* A line of percentages over periods: pts [{label, value (0-100)}]. */
function lineChart(title, pts) {
	var W = 640, H = 260, L = 48, R = 40, TOP = 20, B = 40, svg, i, x, y, d = "";
	var n = pts.length, step = n > 1 ? (W - L - R) / (n - 1) : 0;
	svg = s("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title, class: "chart"});
	for (i = 0; i <= 4; i++) {
		y = TOP + (H - TOP - B) * (1 - i / 4);
		svg.appendChild(s("line", {x1: L, x2: W - R, y1: y, y2: y, class: "grid"}));
		svg.appendChild(s("text", {x: L - 6, y: y + 4, "text-anchor": "end", class: "ax"}, (i * 25) + "%"));
	}
	pts.forEach(function (p, j) {
		x = n > 1 ? L + j * step : (L + W - R) / 2;
		y = TOP + (H - TOP - B) * (1 - Math.max(0, Math.min(100, p.value)) / 100);
		d += (j ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
		svg.appendChild(s("circle", {cx: x, cy: y, r: 4, class: "pt"}));
		svg.appendChild(s("text", {x: x, y: y - 9, "text-anchor": "middle", class: "val"}, fmtPct(p.value)));
		svg.appendChild(s("text", {x: x, y: H - B + 18, "text-anchor": "middle", class: "ax"}, p.label));
	});
	svg.insertBefore(s("path", {d: d, class: "line"}), svg.firstChild.nextSibling);
	return h("figure", {class: "fig"}, h("figcaption", null, title), svg);
}
/* Stacked horizontal bars: rows [{label, parts: [{key, value}]}]. */
function barChart(title, rows) {
	var W = 640, L = 170, R = 40, BH = 22, GAP = 10, TOP = 28, H, svg, max = 1;
	rows.forEach(function (r) {
		var t = 0; r.parts.forEach(function (p) { t += p.value; }); max = Math.max(max, t);
	});
	H = TOP + rows.length * (BH + GAP) + 8;
	svg = s("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title, class: "chart"});
	/* the legend, each label as wide as its letters (about 8 px each) */
	(rows[0] ? rows[0].parts : []).reduce(function (x, p) {
		svg.appendChild(s("rect", {x: x, y: 6, width: 12, height: 12, class: "b-" + p.key}));
		svg.appendChild(s("text", {x: x + 16, y: 16, class: "ax"}, colName(p.key)));
		return x + 36 + 8 * colName(p.key).length;
	}, L);
	rows.forEach(function (r, j) {
		var y = TOP + j * (BH + GAP), x = L, t = 0;
		svg.appendChild(s("text", {x: L - 8, y: y + BH / 2 + 4, "text-anchor": "end", class: "ax"},
			r.label.length > 24 ? r.label.slice(0, 23) + "…" : r.label));
		r.parts.forEach(function (p, i) {
			var w = (W - L - R) * p.value / max;
			if (w > 0) svg.appendChild(s("rect", {x: x, y: y, width: w, height: BH, class: "b-" + p.key}));
			x += w; t += p.value;
		});
		svg.appendChild(s("text", {x: x + 6, y: y + BH / 2 + 4, class: "val"}, fmtNum(t)));
	});
	return h("figure", {class: "fig"}, h("figcaption", null, title), svg);
}
/* The trend view's charts: the reporting rate of each quarter (the rate
 * the view gives, else received / expected) and proposals by sector. */
function trendCharts(doc, which) {
	var out = [], q, sec;
	q = arrayWith(doc, "period");
	sec = arrayWith(doc, "sector");
	if (q && which !== "sectors") {
		out.push(lineChart(T("chart_trend"), q.filter(function (r) {
			return (isObj(r.counts) ? r.counts : r).expected > 0;
		}).map(function (r) {
			var c = isObj(r.counts) ? r.counts : r;
			return {label: periodShort(r.period),
				value: typeof c.rate_permille === "number" ? c.rate_permille / 10
					: typeof r.rate === "number" ? r.rate : pct(c.received, c.expected)};
		})));
	}
	if (sec && which !== "quarters") {
		/* open, answered, resolved, declined: the parts of the total
		 * (overdue is part of open); a part no sector has is left out. */
		var keys = ["open", "answered", "resolved", "declined"].filter(function (k) {
			return sec.some(function (r) { return (isObj(r.counts) ? r.counts : r)[k] > 0; });
		});
		out.push(barChart(T("chart_sectors"), sec.map(function (r) {
			var c = isObj(r.counts) ? r.counts : r;
			return {label: r.name || r.sector || T("no_sector"), parts: keys.map(function (k) {
				return {key: k, value: c[k] || 0};
			})};
		})));
	}
	return out;
}
function arrayWith(doc, key) {
	var k;
	for (k in doc) {
		if (Array.isArray(doc[k]) && doc[k].length && isObj(doc[k][0]) && key in doc[k][0]) return doc[k];
	}
	return null;
}
function periodShort(p) {
	var m = /^(\d{4})-Q([1-4])$/.exec(p || "");
	return m ? "Q" + m[2] + "/" + m[1] : String(p);
}

/* ---- the frame ---- */
var PAGES = [
	["overview", "nav_overview"], ["coverage", "nav_coverage"],
	["proposals", "nav_proposals"], ["quarantine", "nav_quarantine"],
	["devices", "nav_devices"], ["audit", "nav_audit"], ["print", "nav_print"]
];
function frame() {
	var hd = document.getElementById("hd");
	hd.textContent = "";
	hd.appendChild(h("div", {class: "brand"}, h("h1", null, h("a", {href: "#/overview"}, T("app"))),
		h("p", {class: "sub"}, T("app_sub"))));
	$who = h("div", {class: "who", id: "who"});
	hd.appendChild(h("div", {class: "tools"}, $who,
		h("button", {id: "lang", type: "button", "aria-label": T("lang_label"), onclick: function () {
			LANG = 1 - LANG;
			try { localStorage.setItem("coso-console-lang", String(LANG)); } catch (e) { /* private mode */ }
			document.documentElement.lang = LANG ? "en" : "vi";
			frame(); route();
		}}, T("lang_other"))));
	$nav = h("nav", {id: "nav", "aria-label": T("menu")}, h("ul", null, PAGES.map(function (p) {
		return h("li", null, h("a", {href: "#/" + p[0], "data-page": p[0]}, T(p[1])));
	})));
	if (document.getElementById("nav")) document.getElementById("nav").replaceWith($nav);
	else hd.after($nav);
	document.title = T("app");
	who();
}
function who() {
	var se = S.session;
	$who.textContent = "";
	if (!se) {
		if (!S.noAccess) $who.appendChild(h("a", {href: "#/login", class: "button small"}, T("nav_login")));
		return;
	}
	$who.appendChild(h("span", {id: "who-name"}, T("signed_in", se.name || se.cadre,
		T("role_" + se.role), scopeText(se), fmtMs(se.expires))));
	$who.appendChild(h("button", {type: "button", class: "small", id: "logout", onclick: function () {
		postJSON(CAPI + "logout", {}).then(function () { S.session = null; who(); go("#/login"); });
	}}, T("logout")));
}
function scopeText(se) {
	if (se.unit) return T("scope_unit", se.unit);
	if (se.sector) return T("scope_sector", se.sector);
	return T("scope_all");
}
function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
function link(page, q) {
	var k, a = [];
	for (k in q) if (q[k] !== undefined && q[k] !== null && q[k] !== "") a.push(k + "=" + encodeURIComponent(q[k]));
	return "#/" + page + (a.length ? "?" + a.join("&") : "");
}
function parseHash() {
	var m = /^#\/([a-z]+)(?:\?(.*))?$/.exec(location.hash) || [null, "overview", ""];
	var q = {};
	(m[2] || "").split("&").forEach(function (kv) {
		var i = kv.indexOf("=");
		if (i > 0) q[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
	});
	return {page: m[1], q: q};
}
function page(title, intro) {
	$main.textContent = "";
	$main.appendChild(h("h2", null, title));
	if (intro) $main.appendChild(h("p", {class: "intro"}, intro));
	return $main;
}
function failed(r) {
	$main.appendChild(h("p", {class: "notice bad", id: "err", role: "alert"},
		r && r.status !== undefined ? errorText(r) : String(r)));
}
function busy() { return h("p", {class: "muted", id: "busy"}, T("loading")); }
/* A page's view fetched, unless the reader moved on meanwhile. */
function load(v, p, fn) {
	var n = ++S.seq, b = busy();
	$main.appendChild(b);
	return view(v, p).then(function (doc) {
		if (n !== S.seq) return;
		b.remove();
		fn(doc);
		document.body.setAttribute("data-ready", S.route);
	}, function (r) {
		if (n !== S.seq) return;
		b.remove();
		failed(r);
		document.body.setAttribute("data-ready", S.route);
	});
}

function route() {
	var r = parseHash(), pg = r.page, fn = ROUTES[pg] || ROUTES.overview;
	S.route = pg; S.q = r.q; S.seq++;
	document.body.removeAttribute("data-ready");
	document.body.className = "page-" + pg;
	Array.prototype.forEach.call($nav.querySelectorAll("a"), function (a) {
		if (a.getAttribute("data-page") === pg) a.setAttribute("aria-current", "page");
		else a.removeAttribute("aria-current");
	});
	if (!S.session && !S.noAccess && pg !== "login" && pg !== "audit") {
		go("#/login");
		return;
	}
	fn(r.q);
	window.scrollTo(0, 0);
}

/* ---- #/login ---- */
function pageLogin() {
	var err = h("p", {class: "notice bad", id: "login-err", role: "alert", hidden: true});
	var cadre = h("input", {id: "l-cadre", autocomplete: "username", autocapitalize: "none", spellcheck: "false"});
	var pass = h("input", {id: "l-pass", type: "password", autocomplete: "current-password"});
	var sig = h("textarea", {id: "l-sig", rows: 3, spellcheck: "false"});
	var chal = h("code", {id: "l-challenge"}), cmd = h("pre", {id: "l-cmd", class: "cmd"});
	var exp = h("p", {class: "muted", id: "l-expires"}), current = null;
	page(T("login_title"), T("login_intro"));
	function bad(m) { err.textContent = m; err.hidden = false; }
	if (S.flash) { bad(S.flash); S.flash = null; }
	function done(r) {
		if (r.status === 200) {
			return getJSON(CAPI + "session").then(function (s2) {
				S.session = s2.status === 200 ? s2.json : null;
				who();
				go("#/overview");
			});
		}
		bad(T("e_login", r.json && r.json.error ? (r.json.error.message || r.json.error) : errorText(r)));
		if (current) newChallenge();
	}
	function newChallenge() {
		getJSON(CAPI + "challenge").then(function (r) {
			if (r.status !== 200 || !r.json) { bad(r.status === 404 ? T("e_no_access_api") : errorText(r)); return; }
			current = r.json.challenge;
			chal.textContent = current;
			cmd.textContent = "coso console sign --origin " + location.origin + " " + current;
			exp.textContent = T("challenge_expires", fmtMs(r.json.expires));
		});
	}
	var f1 = h("form", {id: "f-pass", class: "card", onsubmit: function (e) {
		e.preventDefault(); err.hidden = true;
		if (!cadre.value.trim()) return bad(T("e_need", T("f_cadre").toLowerCase()));
		if (!pass.value) return bad(T("e_need", T("f_pass").toLowerCase()));
		postJSON(CAPI + "login", {cadre: cadre.value.trim(), passphrase: pass.value}).then(function (r) {
			pass.value = ""; done(r);
		});
	}}, h("h3", null, T("by_pass")),
		h("div", {class: "field"}, h("label", {for: "l-pass"}, T("f_pass")), pass),
		h("button", {type: "submit", class: "primary", id: "l-go"}, T("sign_in")));
	var f2 = h("form", {id: "f-sig", class: "card", onsubmit: function (e) {
		var m = /^\s*([0-9a-fA-F]{64})\.([A-Za-z0-9+\/=]{20,})\s*$/.exec(sig.value);
		e.preventDefault(); err.hidden = true;
		if (!cadre.value.trim()) return bad(T("e_need", T("f_cadre").toLowerCase()));
		if (!m) return bad(T("e_sig_form"));
		postJSON(CAPI + "login", {cadre: cadre.value.trim(), challenge: current,
			key: m[1].toLowerCase(), sig: m[2]}).then(done);
	}}, h("h3", null, T("by_sig")),
		h("p", null, T("challenge") + ": ", chal), exp,
		h("p", {class: "hint"}, T("challenge_how")), cmd,
		h("p", null, h("button", {type: "button", class: "small", onclick: newChallenge}, T("challenge_new"))),
		h("div", {class: "field"}, h("label", {for: "l-sig"}, T("f_sig")), sig),
		h("button", {type: "submit", class: "primary", id: "l-sig-go"}, T("sign_in")));
	$main.appendChild(h("div", {class: "field narrow"}, h("label", {for: "l-cadre"}, T("f_cadre")), cadre));
	$main.appendChild(err);
	$main.appendChild(h("div", {class: "two-cards"}, f1, f2));
	newChallenge();
	document.body.setAttribute("data-ready", "login");
}

/* ---- #/overview ---- */
function curPeriod(q) { return q.p || periodNow(); }
function pickerFor(pg, q) {
	return periodPicker(curPeriod(q), function (p) { go(link(pg, {p: p})); });
}
function countCards(c) {
	return h("div", {class: "cards", id: "totals"}, COUNT_KEYS.filter(function (k) {
		return typeof c[k] === "number";
	}).map(function (k) {
		return h("div", {class: "count c-" + k, "data-k": k, "data-v": String(c[k])},
			h("span", {class: "num"}, fmtNum(c[k])), h("span", {class: "lbl"}, colName(k)));
	}).concat(typeof c.rate_permille === "number" ? [h("div", {class: "count c-rate",
		"data-k": "rate_permille", "data-v": String(c.rate_permille)},
		h("span", {class: "num"}, fmtPct(c.rate_permille / 10)), h("span", {class: "lbl"}, T("rate")))] : []));
}
/* The overview's units (districts, communes, villages: each names its
 * parent) by code, and each one's children. */
var LEVELS = ["districts", "communes", "villages"];
function unitIndex(doc) {
	var by = {}, kids = {};
	LEVELS.forEach(function (lv) {
		(doc[lv] || []).forEach(function (u) { by[u.unit] = {u: u, level: lv}; });
	});
	LEVELS.forEach(function (lv) {
		(doc[lv] || []).forEach(function (u) {
			if (u.parent && by[u.parent]) (kids[u.parent] = kids[u.parent] || []).push(u);
		});
	});
	return {by: by, kids: kids};
}
/* Whether report r lies under unit code u. */
function reportUnder(r, u) {
	return !u || r.unit === u || r.commune === u || r.district === u;
}
function pageOverview(q) {
	var p = curPeriod(q);
	page(T("ov_title") + " — " + periodName(p), T("ov_intro"));
	$main.appendChild(pickerFor("overview", q));
	load("overview", p, function (doc) {
		var ix = unitIndex(doc), u = q.u && ix.by[q.u] ? q.u : null, c, chain = [];
		var reports = doc.reports || [], rep, cad, crumbs, top;
		if (q.r !== undefined) return reportDetail(doc, q, p);
		crumbs = h("p", {class: "crumbs", id: "crumbs"}, h("a", {href: link("overview", {p: p})}, T("whole")));
		for (c = u; c && ix.by[c]; c = ix.by[c].u.parent) chain.unshift(ix.by[c].u);
		chain.forEach(function (x) {
			crumbs.appendChild(document.createTextNode(" › "));
			crumbs.appendChild(h("a", {href: link("overview", {p: p, u: x.unit})}, x.name || x.unit));
		});
		$main.appendChild(crumbs);
		$main.appendChild(countCards(u ? ix.by[u].u.counts || {} : doc.total || {}));
		function unitTable(title, key, rows) {
			$main.appendChild(table(title, rows, {key: key, v: "overview", p: p,
				cols: pick(rows, UNIT_COLS), link: function (r, k) {
					return (k === "name" || k === "unit") && ix.kids[r.unit]
						? link("overview", {p: p, u: r.unit}) : null;
				}}));
		}
		if (u) {
			unitTable(T("units_under", ix.by[u].u.name || u),
				ix.by[u].level === "districts" ? "communes" : "villages", ix.kids[u] || []);
		} else {
			/* Districts, and the communes under no district (after the
			 * 2025 reform, all of them). */
			if ((doc.districts || []).length) unitTable(T("districts_t"), "districts", doc.districts);
			top = (doc.communes || []).filter(function (x) {
				return !(ix.by[x.parent] && ix.by[x.parent].level === "districts");
			});
			if (top.length || !(doc.districts || []).length) unitTable(T("communes_t"), "communes", top);
			if ((doc.sectors || []).length) {
				$main.appendChild(table(T("by_team"), doc.sectors, {key: "sectors", v: "overview", p: p,
					cols: pick(doc.sectors, ["sector", "name"].concat(COUNT_COLS))}));
			}
		}
		/* A cadre clicked (q.c): that cadre's reports under the unit. */
		rep = reports.map(function (r, i) { r._i = i; return r; }).filter(function (r) {
			return reportUnder(r, u) && (!q.c || r.cadre === q.c);
		});
		cad = (doc.cadres || []).filter(function (x) {
			return (!u && !q.c) || rep.some(function (r) { return r.cadre === x.cadre; });
		});
		$main.appendChild(table(T("cadres_t"), cad, {key: "cadres", v: "overview", p: p,
			cols: pick(doc.cadres || [], CADRE_COLS), link: function (r, k) {
				return k === "cadre" || k === "name" ? link("overview", {p: p, u: u, c: r.cadre}) : null;
			}}));
		$main.appendChild(table(q.c ? T("reports_of", q.c) : T("reports_t"), rep, {key: "reports",
			v: "overview", p: p, cols: pick(reports, REPORT_COLS),
			link: function (r, k) { return k === "status" ? link("overview", {p: p, u: u, r: r._i}) : null; }}));
		trendInto(p);
	});
}
function reportDetail(doc, q, p) {
	var r = (doc.reports || [])[+q.r], sig;
	$main.appendChild(h("p", {class: "crumbs"}, h("a", {href: link("overview", {p: p, u: q.u})}, "‹ " + T("back"))));
	if (!r) { failed(T("none")); return; }
	$main.appendChild(h("h3", null, T("report_t") + " " + (r.cadre || "") + " — " + (r.unit_name || r.unit || "")));
	sig = r.signature;
	if (sig !== undefined) {
		$main.appendChild(h("p", {id: "sig", "data-v": String(sig), class: "notice " +
			(sig === "verified" ? "ok" : sig === "none" || sig === null ? "info" : "bad")},
			sig === "verified" ? T("sig_ok") : sig === "none" || sig === null ? T("sig_none")
				: T("sig_bad") + ": " + word(sig)));
	}
	var d = {};
	Object.keys(r).forEach(function (k) { if (k !== "_i") d[k] = r[k]; });
	$main.appendChild(facts(d));
}
function trendInto(p) {
	var holder = h("div", {class: "charts", id: "charts"});
	$main.appendChild(holder);
	view("trend", p).then(function (doc) {
		trendCharts(doc).forEach(function (c) { holder.appendChild(c); });
	}, function () { /* a central without the trend view: no chart */ });
}

/* ---- #/coverage, #/proposals, #/quarantine, #/devices ---- */
function simplePage(v, titleKey, introKey, periodic, charts) {
	return function (q) {
		var p = curPeriod(q);
		page(T(titleKey) + (periodic ? " — " + periodName(p) : ""), T(introKey));
		if (periodic) $main.appendChild(pickerFor(v, q));
		load(v, periodic ? p : null, function (doc) {
			$main.appendChild(facts(doc, periodic ? null : Object.keys(doc).filter(function (k) {
				return ["period", "first", "last"].indexOf(k) < 0;
			})));
			if (charts) $main.appendChild(h("div", {class: "charts", id: "charts"}, trendCharts(doc, "sectors")));
			tablesOf(doc, v, periodic ? p : null).forEach(function (t) { $main.appendChild(t); });
		});
	};
}

/* ---- #/audit (public) ---- */
function pageAudit() {
	page(T("audit_title"), T("audit_intro"));
	var n = ++S.seq;
	view("audit", null).then(function (doc) {
		if (n === S.seq) auditShow(doc);
	}, function () {
		/* A central without the audit view: the same facts from the
		 * auditors' API (docs/central.md, "HTTP API"). */
		Promise.all([getJSON("/api/v1/checkpoints?count=1000"), fetch("/checkpoint").then(function (r) {
			return r.ok ? r.text() : "";
		}), fetch("/api/v1/vkey").then(function (r) { return r.ok ? r.text() : ""; })]).then(function (a) {
			var cps = (a[0].json && a[0].json.checkpoints) || [];
			if (n === S.seq) auditShow({tree_size: a[0].json ? a[0].json.tree_size : null,
				checkpoint: a[1], vkey: a[2].trim(), checkpoints: cps});
		});
	});
}
function auditShow(doc) {
	var cp = doc.checkpoint, note = cp && typeof cp === "object" ? cp.note : cp;
	$main.appendChild(facts(doc, ["tree_size", "origin", "as_of", "last_verified_ms"]));
	$main.appendChild(h("h3", null, T("checkpoint")));
	$main.appendChild(h("pre", {class: "note", id: "cp-note"}, note || T("none")));
	$main.appendChild(h("h3", null, T("vkey")));
	$main.appendChild(h("pre", {class: "note", id: "vkey"}, doc.vkey || ""));
	if (doc.central_key) {
		$main.appendChild(h("h3", null, T("central_key")));
		$main.appendChild(h("pre", {class: "note", id: "central-key"}, doc.central_key));
	}
	if (doc.checkpoints) {
		$main.appendChild(table(T("cp_history"), doc.checkpoints, {key: "checkpoints", v: doc.view ? "audit" : null,
			cols: ["size", "note"]}));
	}
	$main.appendChild(h("h3", null, T("how_audit")));
	if (Array.isArray(doc.how_to_audit)) {
		$main.appendChild(h("ol", {id: "how"}, doc.how_to_audit.map(function (x) {
			return h("li", null, isObj(x) ? x[LANG ? "en" : "vi"] || x.vi : x);
		})));
	}
	$main.appendChild(h("pre", {class: "cmd", id: "how-cmd"},
		"coso-audit --central " + location.origin + " --central-key '" + (doc.vkey || "VKEY") +
		"' --state ./audit-state verify\n" +
		"coso-audit --central " + location.origin + " --central-key '" + (doc.vkey || "VKEY") +
		"' --state ./audit-state rebuild"));
	$main.appendChild(h("p", {class: "hint"}, T("audit_hint")));
	document.body.setAttribute("data-ready", "audit");
}

/* ---- #/print: the quarterly review pack, A4 ---- */
function pagePrint(q) {
	var p = curPeriod(q), n = ++S.seq;
	page(T("print_title") + " — " + periodName(p), T("print_intro"));
	$main.appendChild(h("div", {class: "no-print actions"}, pickerFor("print", q),
		h("button", {type: "button", class: "primary small", onclick: function () { window.print(); }}, T("print_btn"))));
	var b = busy();
	$main.appendChild(b);
	Promise.all(["overview", "coverage", "proposals", "trend"].map(function (v) {
		return view(v, p).then(function (d) { return d; }, function (r) { return {__err: r}; });
	})).then(function (docs) {
		if (n !== S.seq) return;
		b.remove();
		var head = T("print_title") + " — " + periodName(p) + " — " + T("generated", todayDMY());
		var ov = docs[0];
		function sheet(id, title, body) {
			return h("table", {class: "sheet", id: id}, h("thead", null, h("tr", null, h("td", null,
				h("div", {class: "running"}, head)))), h("tbody", null, h("tr", null, h("td", null,
				id === "s-summary" ? h("p", {class: "print-title"}, T("print_title") + " — " + periodName(p)) : null,
				h("h3", {class: "sec"}, title), body))));
		}
		function errOr(d, fn) { return d.__err ? h("p", {class: "notice bad"}, errorText(d.__err)) : fn(d); }
		$main.appendChild(sheet("s-summary", T("sec_summary"), errOr(ov, function (d) {
			return h("div", null, facts(d, ["period", "first", "last", "as_of"]), countCards(d.total || {}));
		})));
		$main.appendChild(sheet("s-units", T("sec_units"), errOr(ov, function (d) {
			return h("div", null, ["districts", "communes", "sectors"].filter(function (k) {
				return (d[k] || []).length;
			}).map(function (k) {
				return table(colName(k), d[k], {key: k, cols: pick(d[k], UNIT_COLS)});
			}), table(T("cadres_t"), d.cadres || [], {key: "cadres", cols: pick(d.cadres || [], CADRE_COLS)}),
				table(T("reports_t"), d.reports || [], {key: "reports",
					cols: pick(d.reports || [], REPORT_COLS.filter(function (k) { return k !== "id"; }))}));
		})));
		$main.appendChild(sheet("s-coverage", T("sec_coverage"), errOr(docs[1], function (d) {
			return h("div", null, tablesOf(d, null, null));
		})));
		$main.appendChild(sheet("s-proposals", T("sec_proposals"), errOr(docs[2], function (d) {
			return h("div", null, tablesOf(d, null, null));
		})));
		$main.appendChild(sheet("s-trend", T("sec_trend"), errOr(docs[3], function (d) {
			return h("div", null, h("div", {class: "charts"}, trendCharts(d)), tablesOf(d, null, null));
		})));
		document.body.setAttribute("data-ready", "print");
	});
}

var ROUTES = {
	login: pageLogin,
	overview: pageOverview,
	coverage: simplePage("coverage", "cov_title", "cov_intro", true),
	proposals: simplePage("proposals", "prop_title", "prop_intro", true, true),
	quarantine: simplePage("quarantine", "q_title", "q_intro", true),
	devices: simplePage("devices", "dev_title", "dev_intro", false),
	audit: pageAudit,
	print: pagePrint
};

function boot() {
	try { LANG = +(localStorage.getItem("coso-console-lang") || 0) === 1 ? 1 : 0; } catch (e) { LANG = 0; }
	document.documentElement.lang = LANG ? "en" : "vi";
	$main = document.getElementById("main");
	frame();
	getJSON(CAPI + "session").then(function (r) {
		S.session = r.status === 200 ? r.json : null;
		/* A central whose HTTP API has no console sign-in serves the
		 * views to whoever may reach it (loopback, or its token). */
		S.noAccess = r.status === 404;
		who();
		window.addEventListener("hashchange", route);
		route();
	});
}
document.addEventListener("DOMContentLoaded", boot);
