#!/usr/bin/env python3
"""mock_api.py [PORT]: serves web/app/ and canned JSON in the shapes of
docs/app.md, to work on the pages without a device.  Not used by run.py,
which drives the real program."""
import json
import os
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../web/app")
TREE = [{"code": "06043", "name": "Xã Đồng Đăng", "level": 3, "children": [
    {"code": "0604301", "name": "Thôn Bản Huấn", "level": 4, "children": []},
    {"code": "0604302", "name": "Thôn Nà Lằng", "level": 4, "children": []}]}]
DB = {
    "state": {"state": "new"}, "me": {"pinned": False, "enrolled": False},
    "visits": [], "drafts": {}, "reports": {}, "online": False,
    "last_sync_ms": 0,
}


def home():
    pend = sum(1 for v in DB["visits"] if v["status"] == "pending")
    return {**DB["me"], "role": os.environ.get("MOCK_ROLE", "field"), "online": DB["online"],
            "pending": pend, "syncing": False,
            "last_sync_ms": DB["last_sync_ms"],
            "visits": len(DB["visits"]), "reports": len(DB["reports"]),
            "proposals_open": 1, "quarantined": 1,
            "units": [dict(TREE[0], role="in-charge", **{"from": "2025-07-01"})]}


class H(BaseHTTPRequestHandler):
    def send(self, code, obj=None, body=None, ctype="application/json"):
        data = body if body is not None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) or b"{}"
        try:
            return json.loads(data)
        except ValueError:
            return {}

    def do_GET(self):
        p = self.path.split("?")[0]
        if not p.startswith("/api/"):
            f = os.path.join(APP, p.lstrip("/") or "index.html")
            if not os.path.isfile(f):
                return self.send(404, body=b"no", ctype="text/plain")
            ct = {"js": "text/javascript", "css": "text/css",
                  "svg": "image/svg+xml", "html": "text/html"}
            ext = f.rsplit(".", 1)[-1]
            with open(f, "rb") as fh:
                return self.send(200, body=fh.read(),
                                 ctype=ct.get(ext, "application/octet-stream")
                                 + "; charset=utf-8")
        r = p[5:]
        if r == "state":
            return self.send(200, DB["state"])
        if r == "home":
            return self.send(200, home())
        if r == "visits":
            return self.send(200, {"items": DB["visits"]})
        if r.startswith("visits/"):
            for v in DB["visits"]:
                if v["id"] == r[7:]:
                    return self.send(200, {"visit": v, "outcomes": [
                        dict(o, amount_vnd=o.get("amount"))
                        for o in v["outcomes"]],
                        "proposals": v["proposals"]})
            return self.send(404, {"error": "not_found",
                                   "message": "Không có chuyến đi này."})
        if r.startswith("drafts/"):
            d = DB["drafts"].get(r[7:])
            if d is None:
                return self.send(404, {"error": {"code": "not_found"}})
            return self.send(200, d)
        if r == "reports":
            return self.send(200, {"items": [x["report"] for x in DB["reports"].values()]})
        if r.startswith("reports/"):
            return self.send(200, DB["reports"][r[8:]])
        if r == "proposals":
            return self.send(200, {"items": [
                {"id": "p1", "text": "Đề nghị hỗ trợ xi măng làm đường",
                 "status": "answered", "responses": [{"status": "answered",
                 "text": "Huyện sẽ cấp 20 tấn.", "date": "2025-12-10"}],
                 "unit": "06043", "unit_name": "Xã Đồng Đăng",
                 "raised": "2025-12-04"},
                {"id": "p2", "text": "Sửa cầu treo Nà Lằng", "status": "open",
                 "unit": "06043", "unit_name": "Xã Đồng Đăng",
                 "raised": "2025-11-20"}]})
        if r == "admin/cadres":
            return self.send(200, {"items": [
                {"cadre_id": "cb-mai", "name": "Lò Thị Mai", "title": None,
                 "unit": "06043", "unit_name": "Xã Đào Viên",
                 "assignments": 2, "devices": 1}]})
        if r.startswith("admin/proposals"):
            return self.send(200, {"items": [
                {"id": "p2", "text": "Sửa cầu treo Nà Lằng", "status": "open",
                 "unit": "06043", "unit_name": "Xã Đồng Đăng",
                 "raised": "2025-11-20"}]})
        if r.startswith("admin/"):
            return self.send(200, {"items": []})
        if r == "handovers":
            return self.send(200, {"items": []})
        if r == "quarantine":
            return self.send(200, {"items": [
                {"reason": "unassigned", "record": "visit",
                 "record_id": "x", "unit": "06044",
                 "unit_name": "Xã Bảo Lâm", "date": 20251201}]})
        if r == "receipts":
            return self.send(200, {"items": [
                {"seq": 1, "record": "visit", "unit": "06043",
                 "unit_name": "Xã Đồng Đăng", "date": 20251204,
                 "status": "accepted", "received_ms": time.time() * 1000},
                {"seq": 2, "record": "visit", "unit": "06044",
                 "status": "quarantined", "quarantine": "unassigned"}]})
        return self.send(404, {"error": "not_found", "message": r})

    def do_PUT(self):
        r = self.path[5:]
        b = self.body()
        if r.startswith("drafts/"):
            DB["drafts"][r[7:]] = b
        elif r.startswith("reports/"):
            DB["reports"][r[8:]]["report"]["sections"] = b["sections"]
        return self.send(200, {"ok": True})

    def do_DELETE(self):
        DB["drafts"].pop(self.path[12:], None)
        return self.send(200, {"ok": True})

    def do_POST(self):
        r = self.path[5:]
        b = self.body()
        st = DB["state"]
        if r == "setup":
            st["state"] = "ready"
            DB["me"].update(name=b["name"], cadre_id=b["cadre_id"])
        elif r == "central":
            DB["me"].update(pinned=True, central_url=b["url"])
        elif r in ("enroll", "enroll/qr"):
            DB["me"]["enrolled"] = True
        elif r == "unlock":
            st["state"] = "ready"
        elif r == "sync":
            for v in DB["visits"]:
                v["status"] = "accepted"
            DB["last_sync_ms"] = time.time() * 1000
            return self.send(200, {"accepted": 1, "quarantined": 0})
        elif r == "visits" or r.endswith("/amend"):
            b.update(id=uuid.uuid4().hex, status="pending", author=DB["me"]["cadre_id"],
                     unit_name="Xã Đồng Đăng")
            b["proposals"] = [{"text": t, "status": "open"}
                              for t in b.get("proposals", [])]
            DB["visits"].insert(0, b)
            return self.send(200, {"id": b["id"]})
        elif r == "reports":
            i = uuid.uuid4().hex
            DB["reports"][i] = {"report": {
                "id": i, "period": b["period"], "unit": "06043",
                "unit_name": "Xã Đồng Đăng", "state": "draft",
                "sections": {"results": "Trong quý, đi cơ sở 3 lượt."}},
                                "figures": {"visits": 3, "units_visited": 2,
                                            "outcomes": 2,
                                            "amount_vnd": 1500000,
                                            "proposals": 1,
                                            "proposals_answered": 0}}
            return self.send(200, {"id": i})
        elif r.endswith("/submit"):
            DB["reports"][r.split("/")[1]]["report"]["state"] = "submitted"
        elif r == "receipts/verify":
            return self.send(200, {"total": 2, "ok": 1, "no_proof": 1, "bad": 0})
        return self.send(200, {"ok": True})


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
