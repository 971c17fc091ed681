#!/bin/sh
# demo.sh BUILD: the coso story end to end on this machine, on loopback.
#
# The provincial office sets up the central node and its admin device,
# loads Lạng Sơn's units, adds four cadres, assigns three and issues
# enrollment tokens.  The field devices enroll, then record visits and
# quarterly reports in border communes with no signal; the central is
# down.  The central starts; the field agents find it on their own and
# deliver everything, each change-set acknowledged with a receipt signed
# by the central.  Then the office rotates Hoàng Thị Mai out of Đào Viên:
# a visit her device signed before it learnt so is quarantined, and the
# device shows her why and what to do; she hands over to Triệu Văn
# Khánh within the grace; the office answers her proposal and the answer
# reaches her and Nông Thị Hà, who monitors the district.
set -eu
B=$(cd "$1" && pwd)
D=$(mktemp -d /tmp/coso-demo.XXXXXX)
CENTRAL_PID=""
AGENTS=""
cleanup() {
	for p in $AGENTS $CENTRAL_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${COSO_DEMO_KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT INT TERM
DATA=$(cd "$(dirname "$0")/data" && pwd)
export LANG=vi_VN.UTF-8
# The demo's period is the current quarter, its visits today: the
# compliance view then judges what a province would see this week.
DAY=$(date +%Y-%m-%d)
PERIOD="$(date +%Y)-Q$((($(date +%-m) - 1) / 3 + 1))"
PORT=$((20000 + $$ % 10000))
URL="tcp://127.0.0.1:$PORT"
HTTP="127.0.0.1:$((PORT + 1))"
coso() { "$B/coso" "$@"; }
cosod() { "$B/cosod" "$@"; }
step() { printf '\n== %s\n' "$*"; }
CADRES="cb-017 cb-023 cb-031 cb-044"
name_of() {
	case $1 in
	cb-017) echo "Hoàng Thị Mai" ;;
	cb-023) echo "Lương Văn Tùng" ;;
	cb-031) echo "Nông Thị Hà" ;;
	cb-044) echo "Triệu Văn Khánh" ;;
	esac
}

step "Văn phòng tỉnh: thiết bị quản trị và nút trung tâm (cosod central init)"
coso --store "$D/admin" init --cadre admin --name "Ban Tổ chức Tỉnh ủy" \
	>"$D/admin.pub"
cosod central init --db "$D/central.db" --admin-key "$D/admin.pub" \
	--origin "langson.example/coso/demo" >"$D/central.pub"
echo "khoá trung tâm (thiết bị ghim khoá này):"
cat "$D/central.pub"
coso --store "$D/admin" pin --central "$URL" --central-key "$D/central.pub"

step "Quản trị: đơn vị hành chính Lạng Sơn, bốn cán bộ, phân công, mã ghi danh"
coso --store "$D/admin" admin units import "$DATA/lang-son-2024.csv"
for c in $CADRES; do
	coso --store "$D/admin" admin cadre add --id "$c" --name "$(name_of "$c")"
done
coso --store "$D/admin" admin assign --cadre cb-017 --unit 06043 \
	--role in-charge --from 2025-01-01 --decision "1434-QĐ/TU"
coso --store "$D/admin" admin assign --cadre cb-023 --unit 06160 \
	--role in-charge --from 2025-01-01 --decision "1434-QĐ/TU"
coso --store "$D/admin" admin assign --cadre cb-031 --unit 180 \
	--role monitor --from 2025-01-01 --decision "1434-QĐ/TU"
coso --store "$D/admin" admin schedule set --kind quarterly --due-days 10 \
	--grace-days 5
for c in $CADRES; do
	coso --store "$D/admin" admin token --cadre "$c" >"$D/token-$c"
	echo "mã ghi danh cho $c: $(cut -c1-16 "$D/token-$c")…"
done

step "Văn phòng tỉnh có mạng: nút trung tâm chạy, thiết bị quản trị đồng bộ"
"$B/cosod" central run --db "$D/central.db" --listen "$URL" 2>"$D/central.log" &
CENTRAL_PID=$!
sleep 0.5
coso --store "$D/admin" sync
kill "$CENTRAL_PID"
wait "$CENTRAL_PID" 2>/dev/null || true
CENTRAL_PID=""
echo "(mất kết nối: trung tâm ngừng)"

step "Bốn thiết bị ở xã biên giới: ghim khoá trung tâm, ghi danh (chưa có sóng)"
for c in $CADRES; do
	coso --store "$D/$c" init --cadre "$c" --name "$(name_of "$c")" \
		--central "$URL" --central-key "$D/central.pub" >/dev/null
	coso --store "$D/$c" units import "$DATA/lang-son-2024.csv" >/dev/null
	coso --store "$D/$c" enroll --token-file "$D/token-$c"
done

step "Không có sóng: ghi lượt đi cơ sở và báo cáo quý, ký ngay trên thiết bị"
coso --store "$D/cb-017" visit add --unit 06043 --date "$DAY" \
	--purpose "Kiểm tra đường bê tông Thôn 1" \
	--situation "Đã đổ 600 m mặt đường; còn 200 m chưa làm." \
	--difficulties "Thiếu xi măng, mùa mưa đến sớm." \
	--proposal "Hỗ trợ 20 tấn xi măng cho 200 m còn lại." \
	--outcome "Đường bê tông" --quantity 600 --quantity-unit m >/dev/null
coso --store "$D/cb-023" visit add --unit 06160 --date "$DAY" \
	--purpose "Thăm hộ trồng cam ở Bình Lập" \
	--situation "Vườn cam 2 ha cho thu hoạch vụ đầu." \
	--proposal "Hỗ trợ tiêu thụ cam qua hợp tác xã." >/dev/null
coso --store "$D/cb-031" visit add --unit 06004 --date "$DAY" \
	--purpose "Nắm tình hình xã Quốc Khánh" \
	--situation "Chợ biên giới hoạt động bình thường." >/dev/null
R=$(coso --store "$D/cb-017" report new --period "$PERIOD" --unit 06043)
coso --store "$D/cb-017" report edit "$R" --section results \
	--text "Đi cơ sở 4 lần; hoàn thành 600 m đường bê tông."
coso --store "$D/cb-017" report edit "$R" --section situation \
	--text "Đời sống ổn định, an ninh biên giới tốt."
coso --store "$D/cb-017" report edit "$R" --section difficulties \
	--text "Thiếu vốn cho đường liên thôn."
coso --store "$D/cb-017" report edit "$R" --section proposals \
	--text "Hỗ trợ xi măng.
Kéo điện lưới về Thôn 1."
coso --store "$D/cb-017" report submit "$R"
# Lương Văn Tùng has nothing to propose this quarter, and says so: no
# tracked proposal is made of it.
R=$(coso --store "$D/cb-023" report new --period "$PERIOD" --unit 06160)
coso --store "$D/cb-023" report edit "$R" --section results \
	--text "Đi cơ sở 3 lần; vườn cam 2 ha cho thu hoạch."
coso --store "$D/cb-023" report edit "$R" --section situation \
	--text "Nhân dân phấn khởi, an ninh ổn định."
coso --store "$D/cb-023" report edit "$R" --section difficulties \
	--text "Giá cam xuống thấp."
coso --store "$D/cb-023" report edit "$R" --section proposals --none
coso --store "$D/cb-023" report submit "$R"
echo "thử đồng bộ khi trung tâm chưa chạy:"
coso --store "$D/cb-017" sync || echo "-> mã thoát $? (dữ liệu vẫn nằm an toàn trong hộp thư đi)"
for c in $CADRES; do
	printf '%s: ' "$c"
	coso --store "$D/$c" status --json
done

step "Tác tử đồng bộ chạy nền trên từng thiết bị (cosod field run)"
for c in $CADRES; do
	"$B/cosod" field run --store "$D/$c" --interval 2 --max-backoff 2 \
		2>"$D/field-$c.log" &
	AGENTS="$AGENTS $!"
done
sleep 1

step "Có sóng: nút trung tâm chạy lại; các tác tử tự tìm thấy và gửi hết"
"$B/cosod" central run --db "$D/central.db" --listen "$URL" --http "$HTTP" \
	2>>"$D/central.log" &
CENTRAL_PID=$!
i=0
for c in $CADRES; do
	while [ "$(coso --store "$D/$c" status --json |
		sed -n 's/.*"pending": *\([0-9]*\).*/\1/p')" != 0 ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "demo: $c did not sync" >&2; exit 1; }
		sleep 0.1
	done
done
for c in $CADRES; do
	echo "--- $c (nhật ký tác tử):"
	cat "$D/field-$c.log"
done
# The rest of the story is told one sync at a time.
for p in $AGENTS; do kill "$p" 2>/dev/null || true; done
wait $AGENTS 2>/dev/null || true
AGENTS=""
M="$D/cb-017"

step "Luân chuyển: Hoàng Thị Mai rời xã Đào Viên, Triệu Văn Khánh tiếp nhận từ hôm nay"
coso --store "$D/admin" admin rotate --cadre cb-017 --unit 06043 \
	--to-cadre cb-044 --date "$DAY" --decision "215-QĐ/TU" \
	--note "Luân chuyển theo Quy định 1434-QĐ/TU"
coso --store "$D/admin" sync

step "Chị Mai còn ở xã, chưa đồng bộ: thiết bị vẫn tưởng chị phụ trách Đào Viên"
coso --store "$M" visit add --unit 06043 --date "$DAY" \
	--purpose "Họp dân Thôn 2 về đường liên thôn" \
	--proposal "Hỗ trợ kinh phí làm đường liên thôn." >/dev/null
echo "có sóng, đồng bộ: trung tâm tạm giữ lượt đi này và thiết bị nói vì sao"
coso --store "$M" sync

step "Thiết bị chỉ rõ bản ghi bị tạm giữ, lý do và việc cần làm"
coso --store "$M" status
coso --store "$M" visit list
echo "(bằng tiếng Anh:)"
LANG=C.UTF-8 LANGUAGE=en coso --store "$M" status | tail -4

step "Nay thiết bị đã biết phân công mới: lượt đi mới ở Đào Viên bị từ chối trước khi ký"
coso --store "$M" visit add --unit 06043 --date "$DAY" \
	--purpose "Kiểm tra cầu treo" ||
	echo "-> mã thoát $? (không ký gì, không gửi gì)"

step "Trong 30 ngày sau luân chuyển, chị Mai bàn giao cho anh Khánh"
coso --store "$M" handover add --unit 06043 --to cb-044 \
	--text "Đường Thôn 1 còn 200 m chưa đổ bê tông; đã kiến nghị tỉnh hỗ trợ 20 tấn xi măng. Hộ nghèo Thôn 3 cần theo dõi."
coso --store "$M" sync

step "Anh Triệu Văn Khánh đồng bộ: phân công mới, lịch sử địa bàn, ghi chú bàn giao"
coso --store "$D/cb-044" sync
coso --store "$D/cb-044" handover list
coso --store "$D/cb-044" visit list --unit 06043

step "Ban Tổ chức trả lời kiến nghị; câu trả lời đến cán bộ và người theo dõi huyện"
# The proposal's full id, from Mai's device (the office may give 8 hex
# digits once `coso admin respond' takes them).
PID=$(coso --store "$M" proposal list --json | grep '"Hỗ trợ 20 tấn' |
	sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
coso --store "$D/admin" admin respond "$PID" --status answered \
	--text "Tỉnh cấp 20 tấn xi măng trong quý; xã nhận tại kho huyện."
coso --store "$D/admin" sync
for c in cb-017 cb-031; do
	echo "--- $(name_of "$c") ($c):"
	coso --store "$D/$c" sync >/dev/null
	coso --store "$D/$c" proposal list
done

step "Trung tâm: đã nhận gì (cosod central stats)"
cosod central stats --db "$D/central.db"

step "Điểm kiểm tra của sổ Merkle, trung tâm ký (C2SP checkpoint)"
cosod central checkpoint --db "$D/central.db"

step "Dựng lại cơ sở dữ liệu từ nhật ký: cùng một mã băm trạng thái"
cosod central digest --db "$D/central.db"
cosod central rebuild --db "$D/central.db" --out "$D/rebuilt.db"

step "Ban Tổ chức: tình hình nộp báo cáo kỳ $PERIOD (cosod central report)"
cosod central report compliance --db "$D/central.db" --period "$PERIOD"
cosod central report compliance --db "$D/central.db" --period "$PERIOD" \
	--format xlsx --output "$D/nop-bao-cao-$PERIOD.xlsx"
unzip -tq "$D/nop-bao-cao-$PERIOD.xlsx" >/dev/null &&
	echo "tệp Excel: $D/nop-bao-cao-$PERIOD.xlsx (hợp lệ)"

step "Địa bàn chưa ai phụ trách, địa bàn chưa được đi cơ sở trong kỳ"
cosod central report coverage --db "$D/central.db" --period "$PERIOD" \
	>"$D/coverage.txt"
# The province has some 200 communes and three cadres: the first lines of
# each list, and how many there are.
awk 'NF == 0 { shown = 0; print; next }
	/^[^0-9 ]/ && !/^Mã/ { shown = 0 }
	{ if (shown++ < 8) print; else if (shown == 9) print "  …" }' \
	"$D/coverage.txt"

step "Kiểm toán độc lập qua HTTP (coso-audit): chỉ tin khoá trung tâm đã ghim"
"$B/coso-audit" --central "http://$HTTP" --central-key "$D/central.pub" \
	--state "$D/audit" verify
"$B/coso-audit" --central "http://$HTTP" --central-key "$D/central.pub" \
	--state "$D/audit" rebuild

step "Mất sóng lại: thiết bị tự kiểm biên nhận, bằng chứng Merkle, ngoại tuyến"
kill "$CENTRAL_PID"
wait "$CENTRAL_PID" 2>/dev/null || true
CENTRAL_PID=""
coso --store "$M" receipts list
coso --store "$M" receipts verify
coso --store "$M" status
step "Ứng dụng của cán bộ trên thiết bị / the cadre's app on a device"
printf '%s\n' "Trên mỗi thiết bị, một lệnh chạy tác tử đồng bộ và ứng dụng:" \
	"One command runs the sync agent and the app on a device:" ""
for d in cb-017 cb-023 admin; do
	[ -d "$D/$d" ] || continue
	printf '  %s/cosod field run --store %s --ui 127.0.0.1:7470\n' "$B" "$D/$d"
done
printf '\n%s\n%s\n' \
	"rồi mở địa chỉ nó in ra (http://127.0.0.1:7470/?k=…) bằng trình duyệt." \
	"then open the address it prints (http://127.0.0.1:7470/?k=…) in a browser."
[ -n "${COSO_DEMO_KEEP:-}" ] ||
	printf '%s\n' "(COSO_DEMO_KEEP=1 make demo giữ lại các kho này / keeps these stores)"
printf '\ndemo: xong / done\n'
