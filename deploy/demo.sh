#!/bin/sh
# demo.sh BUILD: what coso does today, end to end on this machine.
#
# A cadre's device in a border commune with no signal: it is set up, the
# province's units are loaded, visits and a quarterly report are recorded
# and signed offline, the device's own chain is verified, and bad input
# is refused with nothing written.  (The central node, sync and the audit
# log join this story as they are built.)
set -eu
B=$(cd "$1" && pwd)
D=$(mktemp -d /tmp/coso-demo.XXXXXX)
trap 'rm -rf "$D"' EXIT
DATA=$(cd "$(dirname "$0")/data" && pwd)
export COSO_HOME="$D/device" LANG=vi_VN.UTF-8
coso() { "$B/coso" "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "Thiết bị của cán bộ Hoàng Thị Mai: khoá Ed25519 của thiết bị (coso init)"
coso init --cadre cb-017 --name "Hoàng Thị Mai"

step "Danh mục đơn vị hành chính Lạng Sơn (coso units import)"
coso units import "$DATA/lang-son-2024.csv"

step "Không có sóng ở Xã Đào Viên: ghi hai lượt đi cơ sở, mỗi lượt ký một gói thay đổi"
V1=$(coso visit add --unit 06043 --date 2025-11-20 \
	--purpose "Kiểm tra đường bê tông Thôn 1" \
	--situation "Đã đổ 600 m mặt đường; còn 200 m chưa làm." \
	--difficulties "Thiếu xi măng, mùa mưa đến sớm." \
	--proposal "Hỗ trợ 20 tấn xi măng cho 200 m còn lại." \
	--direction "UBND xã huy động ngày công của bà con." \
	--outcome "Đường bê tông" --quantity 600 --quantity-unit m \
	--amount 150000000 --participant "Trưởng thôn" --lat 22.649 --lon 106.481)
coso visit add --unit 06160 --date 2025-11-22 \
	--purpose "Thăm hộ trồng cam" \
	--situation "Vườn cam 2 ha cho thu hoạch vụ đầu." \
	--proposal "Hỗ trợ tiêu thụ cam qua hợp tác xã." >/dev/null
coso visit list
coso visit show "$V1"

step "Báo cáo quý 2025-Q4: bản nháp, điền từng phần, ký khi gửi"
R=$(coso report new --period 2025-Q4 --unit 06043)
coso report edit "$R" --section results --text "Đi cơ sở 4 lần; hoàn thành 600 m đường."
coso report edit "$R" --section situation --text "Đời sống ổn định, an ninh tốt."
coso report edit "$R" --section difficulties --text "Thiếu vốn cho đường liên thôn."
coso report edit "$R" --section proposals --text "Hỗ trợ xi măng.
Kéo điện lưới về Thôn 1."
coso report submit "$R"
coso report list
coso proposal list --open

step "Dữ liệu sai bị từ chối, không ghi gì (mã thoát 2)"
coso visit add --unit 99999 --date 2025-11-20 || echo "-> mã thoát $?"
coso visit add --unit 06043 --date 2099-01-01 || echo "-> mã thoát $?"
coso report edit "$R" --section results --text "sửa sau khi gửi" ||
	echo "-> mã thoát $?"

step "Trạng thái: các gói chờ gửi về trung tâm (coso status)"
coso status
step "Chuỗi ký của thiết bị: từng chữ ký và liên kết đều được kiểm lại (coso log)"
coso log
step "Xuất cho văn phòng (coso export --format json), rút gọn"
coso export --format json | head -c 600
printf '...\n'

step "Khoá thiết bị bằng mật khẩu (Argon2id); sai mật khẩu bị từ chối"
printf 'mật khẩu của cán bộ\n' >"$D/pass"
printf 'đoán bừa\n' >"$D/wrong"
coso key generate --out "$D/spare.key" --passphrase-file "$D/pass"
coso key public --passphrase-file "$D/wrong" "$D/spare.key" ||
	echo "-> mã thoát $?"
printf '\ndemo: xong / done\n'
