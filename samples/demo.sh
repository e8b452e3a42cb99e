#!/bin/sh
# The quick start: import the samples into a fresh SQLite store and show what it holds.
set -eu
cd "$(dirname "$0")/.."
SNARF="node dist/src/cli/main.js"
OUT=samples-out
rm -rf "$OUT" && mkdir -p "$OUT"
$SNARF import --db "$OUT/snarf.db" --sensor sensor-a --tz UTC --year 2026 --rules samples/rules samples/sensor-a
$SNARF import --db "$OUT/snarf.db" --sensor sensor-b --tz Asia/Tokyo --rules samples/rules samples/sensor-b
$SNARF summary --db "$OUT/snarf.db"
# The sample campus is 163.221.0.0/16 (+ an IPv6 /48); the example policy judges its hosts.
cp rules/policy.example.yaml "$OUT/snarf.db.policy.yaml"
$SNARF report --db "$OUT/snarf.db" --out "$OUT/site" --rules samples/rules --home-net 163.221.0.0/16 --home-net 2001:db8:a3dd::/48
echo
echo "Store: $OUT/snarf.db   (try: $SNARF summary --db $OUT/snarf.db --json)"
echo "Report: open $OUT/site/index.html in a browser (file://$(pwd)/$OUT/site/index.html)"
