/* admin.js: the office's screens, loaded only when the device key is an
 * admin key (the API refuses the rest anyway: 403 not_admin). */
"use strict";
(function () {
	var A = {
		cadres: ["Cán bộ", "Cadres"], assignments: ["Phân công", "Assignments"],
		units: ["Đơn vị", "Units"], tokens: ["Mã ghi danh", "Tokens"],
		rotate: ["Luân chuyển", "Rotation"], import: ["Nhập hàng loạt", "Bulk import"],
		answer: ["Trả lời kiến nghị", "Answer proposals"],
		f_title: ["Chức vụ", "Title"], add_cadre: ["Thêm cán bộ", "Add the cadre"],
		f_role: ["Vai trò", "Role"], f_from: ["Từ ngày (dd/mm/yyyy)", "From (dd/mm/yyyy)"],
		f_to: ["Đến ngày (không bắt buộc)", "To (optional)"], f_decision: ["Số quyết định", "Decision"],
		add_assign: ["Ký phân công", "Sign the assignment"],
		f_days: ["Hiệu lực (ngày)", "Valid (days)"], make_token: ["Cấp mã ghi danh", "Issue a token"],
		token_once: ["Mã chỉ hiện một lần. Trao cho cán bộ, hoặc cho quét mã QR:", "Shown once. Give it to the cadre, or let them scan the QR code:"],
		f_to_cadre: ["Giao cho (mã cán bộ)", "To cadre (id)"], f_date: ["Ngày (dd/mm/yyyy)", "Date (dd/mm/yyyy)"],
		f_note: ["Ghi chú bàn giao", "Handover note"], do_rotate: ["Ký luân chuyển", "Sign the rotation"],
		f_kind: ["Loại dữ liệu", "What"], f_file: ["Tệp CSV hoặc XLSX", "CSV or XLSX file"],
		do_import: ["Nhập", "Import"], imported: ["Đã nhập {0} dòng.", "{0} rows imported."],
		line: ["Dòng {0}: {1}", "Line {0}: {1}"], f_status: ["Trạng thái", "Status"],
		f_answer: ["Nội dung trả lời", "Answer"], send_answer: ["Ký và gửi trả lời", "Sign and send"],
		f_units_csv: ["Danh mục đơn vị (CSV: code,name,level,parent_code,valid_from)", "Units (CSV: code,name,level,parent_code,valid_from)"],
		none: ["Chưa có gì.", "Nothing yet."], done: ["Đã lưu.", "Saved."],
		shown: ["Hiện {0} trên tổng số {1}.", "{0} of {1} shown."],
		f_under: ["Các đơn vị trực thuộc của (mã; để trống: tất cả)", "Units under (code; empty: all)"],
		do_show: ["Xem", "Show"], f_code: ["Mã", "Code"], f_level: ["Cấp", "Level"],
		f_parent: ["Cấp trên", "Under"], f_uname: ["Tên đơn vị", "Name"],
		lv1: ["Tỉnh", "Province"], lv2: ["Huyện", "District"], lv3: ["Xã", "Commune"], lv4: ["Thôn", "Village"], lv5: ["Hộ", "Household"], f_to_date: ["Đến ngày", "To"],
		expiry: ["Hết hạn ngày", "Expires"], ts_used: ["đã dùng", "used"], ts_unused: ["chưa dùng", "not used"],
		ts_open: ["chưa dùng, còn hạn", "open"], ts_expired: ["hết hạn", "expired"], ts_revoked: ["đã thu hồi", "revoked"]
	};
	var tabs = ["cadres", "assignments", "units", "tokens", "rotate", "import", "answer"];
	function t(k) {
		var s = A[k] ? A[k][LANG] : T(k), a = arguments;
		return s.replace(/\{(\d)\}/g, function (m, i) { return a[+i + 1]; });
	}
	function table(items, cols) {
		if (!items.length) return h("p", {"class": "muted", text: t("none")});
		return h("div", {"class": "scroll"}, h("table", {},
			h("thead", {}, h("tr", {}, cols.map(function (c) { return h("th", {text: c[0]}); }))),
			h("tbody", {}, items.map(function (it) {
				return h("tr", {}, cols.map(function (c) {
					var v = typeof c[1] === "function" ? c[1](it) : it[c[1]];
					return h("td", {"data-l": c[0], text: v == null ? "" : String(v)});
				}));
			}))));
	}
	function form(id, fields, label, send) {
		var f = h("form", {id: id, "class": "card", novalidate: true}, fields, btn(label));
		f.addEventListener("submit", function (ev) {
			ev.preventDefault();
			clearErrs(f);
			/* send gives false when it refused the input in place (the
			 * errors are shown), or the words to flash, or nothing. */
			send(f).then(function (said) {
				if (said === false) { focusFirstErr(f); flash(T("fix_errors"), "bad"); return; }
				flash(typeof said === "string" ? said : t("done"), "ok");
			}, function (e) { serverErr(f, e); });
		});
		return f;
	}
	function v(id) { var e = byId(id); return e ? e.value.trim() : ""; }
	function roleSel() {
		return h("select", {}, ["in-charge", "monitor", "support"].map(function (r) {
			return h("option", {value: r, text: roleName(r)});
		}));
	}
	function list(box, path, cols) {
		api("GET", path).then(function (j) {
			var items = j.items || [];
			/* A long list is cut by the API: say so, not silently. */
			if (j.total > items.length) box.appendChild(h("p", {"class": "muted", text: t("shown", items.length, j.total)}));
			box.appendChild(table(items, cols));
		}, function (e) { box.appendChild(notice(e.message, "bad")); });
	}
	var views = {};
	views.cadres = function (box) {
		box.appendChild(form("f-cadre", [
			h("div", {"class": "two"}, field("cadre_id", T("f_cadre"), input({autocapitalize: "none"})),
				field("name", T("f_name"), input({}))),
			h("div", {"class": "two"}, field("title", t("f_title"), input({})), field("unit", T("f_unit"), input({})))
		], t("add_cadre"), function () {
			return api("POST", "admin/cadres", {cadre_id: v("cadre_id"), name: v("name"),
				title: v("title") || null, unit: v("unit") || null}).then(function () { route(); });
		}));
		list(box, "admin/cadres", [[T("f_cadre"), "cadre_id"], [T("f_name"), "name"], [t("f_title"), "title"],
			[T("f_unit"), "unit_name"], [t("assignments"), "assignments"]]);
	};
	views.assignments = function (box) {
		box.appendChild(form("f-assign", [
			h("div", {"class": "two"}, field("cadre_id", T("f_cadre"), input({autocapitalize: "none"})),
				field("unit", T("f_unit"), input({}))),
			h("div", {"class": "two"}, field("role", t("f_role"), roleSel()), field("decision", t("f_decision"), input({}))),
			h("div", {"class": "two"}, field("from", t("f_from"), input({placeholder: "dd/mm/yyyy"})),
				field("to", t("f_to"), input({placeholder: "dd/mm/yyyy"})))
		], t("add_assign"), function () {
			if (!parseDMY(v("from"))) { setErr("from", T("e_date")); return Promise.resolve(false); }
			return api("POST", "admin/assignments", {cadre_id: v("cadre_id"), unit: v("unit"), role: v("role"),
				from: v("from"), to: v("to") || null, decision: v("decision") || null}).then(function () { route(); });
		}));
		list(box, "admin/assignments", [[T("f_cadre"), "cadre_id"], [T("f_unit"), function (a) { return (a.unit_name || "") + " " + (a.unit || a.sector || ""); }],
			[t("f_role"), function (a) { return roleName(a.role); }], [T("from"), function (a) { return fmtDMY(a.valid_from); }],
			[t("f_to_date"), function (a) { return fmtDMY(a.valid_to); }]]);
	};
	views.units = function (box) {
		var file = h("input", {type: "file", accept: ".csv,text/csv"});
		box.appendChild(form("f-units", [field("units_csv", t("f_units_csv"), file)], t("do_import"), function () {
			if (!file.files[0]) { setErr("units_csv", T("e_required")); return Promise.resolve(false); }
			return upload("admin/units/import", file.files[0], "units_csv");
		}));
		/* The province has hundreds of units: those under one unit. */
		var under = input({autocapitalize: "none", value: S.unitsUnder || ""});
		var lbox = h("div", {id: "units-list"});
		var show = function () {
			S.unitsUnder = under.value.trim();
			lbox.textContent = "";
			list(lbox, "admin/units" + (S.unitsUnder ? "?unit=" + encodeURIComponent(S.unitsUnder) : ""),
				[[t("f_code"), "code"], [t("f_uname"), "name"], [t("f_level"), function (u) { return t("lv" + u.level); }],
					[t("f_parent"), "parent"],
					[T("from"), function (u) { return fmtDMY(u.valid_from); }]]);
		};
		var fl = h("form", {id: "f-under", "class": "inline", novalidate: true}, field("under", t("f_under"), under),
			btn(t("do_show"), null, "ghost"));
		fl.addEventListener("submit", function (ev) { ev.preventDefault(); show(); });
		box.appendChild(fl);
		box.appendChild(lbox);
		show();
	};
	views.tokens = function (box) {
		var out = h("div", {id: "token-out"});
		box.appendChild(form("f-token", [h("div", {"class": "two"},
			field("cadre_id", T("f_cadre"), input({autocapitalize: "none"})),
			field("days", t("f_days"), input({inputmode: "numeric", value: "14"})))], t("make_token"), function () {
			return api("POST", "admin/tokens", {cadre_id: v("cadre_id"), days: +v("days") || 14}).then(function (j) {
				out.textContent = "";
				out.appendChild(h("section", {"class": "card"}, h("p", {text: t("token_once")}),
					h("p", {}, h("code", {id: "token-hex", text: j.token})),
					j.qr || j.qr_png ? h("img", {"class": "qr", src: j.qr || j.qr_png, alt: "QR " + v("cadre_id")}) : null));
				relist();
			});
		}));
		box.appendChild(out);
		var lbox = h("div", {id: "token-list"});
		box.appendChild(lbox);
		var relist = function () {
			lbox.textContent = "";
			list(lbox, "admin/tokens", [[T("f_cadre"), "cadre_id"], [T("f_name"), "cadre_name"],
				[t("expiry"), function (x) { return fmtDMY(x.expiry_date); }],
				[t("f_status"), function (x) { return A["ts_" + x.state] ? t("ts_" + x.state) : x.state; }]]);
		};
		relist();
	};
	views.rotate = function (box) {
		box.appendChild(form("f-rotate", [
			h("div", {"class": "two"}, field("cadre_id", T("f_cadre"), input({autocapitalize: "none"})),
				field("to_cadre", t("f_to_cadre"), input({autocapitalize: "none"}))),
			h("div", {"class": "two"}, field("unit", T("f_unit"), input({})), field("date", t("f_date"), input({placeholder: "dd/mm/yyyy"}))),
			field("note", t("f_note"), area({rows: 3})), field("decision", t("f_decision"), input({}))
		], t("do_rotate"), function () {
			if (!parseDMY(v("date"))) { setErr("date", T("e_date")); return Promise.resolve(false); }
			return api("POST", "admin/rotate", {cadre_id: v("cadre_id"), unit: v("unit"), to_cadre: v("to_cadre"),
				date: v("date"), note: v("note") || null, decision: v("decision") || null});
		}));
	};
	function upload(path, file, fid) {
		return api("POST", path, file).then(function (j) {
			return t("imported", j.rows || j.units || 0);
		}, function (e) {
			if (e.body && e.body.rows) {
				setErr(fid, e.body.rows.map(function (r) { return t("line", r.line, r.why); }).join("; "));
				return false;
			}
			throw e;
		});
	}
	views["import"] = function (box) {
		var file = h("input", {type: "file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"});
		box.appendChild(form("f-import", [
			field("kind", t("f_kind"), h("select", {}, h("option", {value: "cadres", text: t("cadres")}),
				h("option", {value: "assignments", text: t("assignments")}))),
			field("file", t("f_file"), file)], t("do_import"), function () {
			if (!file.files[0]) { setErr("file", T("e_required")); return Promise.resolve(false); }
			return upload("admin/import/" + v("kind"), file.files[0], "file");
		}));
	};
	views.answer = function (box) {
		api("GET", "admin/proposals?open=1").then(function (j) {
			var ps = j.items || [];
			if (!ps.length) return box.appendChild(h("p", {"class": "muted", text: T("no_proposals")}));
			box.appendChild(h("ul", {"class": "list"}, ps.map(function (p) {
				var id = "ans-" + p.id;
				var f = form("f-" + id, [
					h("div", {"class": "two"}, field(id + "-st", t("f_status"), h("select", {},
						["answered", "resolved", "declined"].map(function (s) { return h("option", {value: s, text: T("ps_" + s)}); }))),
						field(id + "-tx", t("f_answer"), area({rows: 2})))], t("send_answer"), function () {
					if (!v(id + "-tx")) { setErr(id + "-tx", T("e_required")); return Promise.resolve(false); }
					return api("POST", "admin/proposals/" + p.id + "/answer", {status: v(id + "-st"), text: v(id + "-tx")})
						.then(function () { route(); });
				});
				return proposalItem(p, f);
			})));
		}, function (e) { box.appendChild(notice(e.message, "bad")); });
	};
	window.adminScreen = function (args) {
		var cur = tabs.indexOf(args[0]) >= 0 ? args[0] : "cadres";
		$main.appendChild(h("ul", {"class": "tabs", role: "list"}, tabs.map(function (k) {
			return h("li", {}, h("a", {href: "#/admin/" + k, "aria-current": k === cur ? "page" : false, text: t(k)}));
		})));
		var box = h("div", {id: "admin-" + cur});
		$main.appendChild(h("h3", {text: t(cur)}));
		$main.appendChild(box);
		views[cur](box);
	};
})();
