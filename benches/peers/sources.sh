#!/usr/bin/env bash
# Side-by-side speed of iqpins-sources and the tools a user would otherwise script:
# extruct + BeautifulSoup and metascraper on the corpus pages, feedparser on the corpus
# feeds. Peers are installed into scratch folders (a venv and a node folder under
# $SCRATCH, default /tmp/iqpins-peers); ours is the release build of the
# `iqpins-sources` example `extract`. Prints items/s of each and the ratio to ours, then
# the peak RSS of a streamed 1,000,000-row Shopify CSV import.
#
#   bash benches/peers/sources.sh            # from the workspace root
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPUS="$ROOT/../shared/corpus"
SCRATCH="${SCRATCH:-/tmp/iqpins-peers}"
PASSES="${PASSES:-3}"
# cargo reads a relative CARGO_TARGET_DIR from where it runs (the root, below); the
# binary is run from the corpus, so the path is made absolute here.
TARGET="$(cd "$ROOT" && realpath -m "${CARGO_TARGET_DIR:-target}")"
[ -d "$CORPUS" ] || { echo "the corpus is missing at $CORPUS" >&2; exit 1; }
mkdir -p "$SCRATCH"

echo "== building ours (release)" >&2
(cd "$ROOT" && cargo build --release -q -p iqpins-sources --example extract)
OURS="$TARGET/release/examples/extract"

echo "== installing peers into $SCRATCH" >&2
if [ ! -x "$SCRATCH/venv/bin/python" ]; then
  python3 -m venv "$SCRATCH/venv"
fi
"$SCRATCH/venv/bin/pip" install -q extruct beautifulsoup4 lxml feedparser >&2
HAVE_NODE=0
if command -v npm >/dev/null; then
  (cd "$SCRATCH" && [ -f package.json ] || npm init -y >/dev/null)
  (cd "$SCRATCH" && npm install -q --no-audit --no-fund metascraper metascraper-author metascraper-date \
      metascraper-description metascraper-image metascraper-lang metascraper-publisher \
      metascraper-title metascraper-url >/dev/null 2>&1) && HAVE_NODE=1
fi

mapfile -t HTML < <(cd "$CORPUS" && python3 -c "import json;[print(e['file']) for e in json.load(open('manifest.json')) if e['role']=='input' and e['file'].startswith('html/')]")
mapfile -t FEEDS < <(cd "$CORPUS" && python3 -c "import json;[print(e['file']) for e in json.load(open('manifest.json')) if e['role']=='input' and e['file'].startswith('feeds/')]")
# feedparser reads the files that are feeds; ours must too (the same list for both).
cd "$CORPUS"

rate() { awk '{ if ($3 > 0) printf "%.1f", $2 / $3; else print "inf" }'; }

ours_html=$("$OURS" --time "$PASSES" "${HTML[@]}")
ours_feed=$("$OURS" --time "$PASSES" "${FEEDS[@]}")
extruct=$("$SCRATCH/venv/bin/python" "$ROOT/benches/peers/sources.py" html "$PASSES" "${HTML[@]}")
feedparser=$("$SCRATCH/venv/bin/python" "$ROOT/benches/peers/sources.py" feed "$PASSES" "${FEEDS[@]}")

printf "\n| tool | input | files | items | seconds | items/s | ours is |\n|---|---|---:|---:|---:|---:|---:|\n"
row() { # name input "files items secs" ours_rate
  local r; r=$(echo "$3" | rate)
  printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$1" "$2" $(echo "$3" | awk '{print $1, $2, $3}') "$r" "$4"
}
oh=$(echo "$ours_html" | rate); of=$(echo "$ours_feed" | rate)
row "iqpins-sources" "pages" "$ours_html" "1×"
row "extruct + BeautifulSoup" "pages" "$extruct" "$(awk -v a="$oh" -v b="$(echo "$extruct" | rate)" 'BEGIN{printf "%.1f× faster", a/b}')"
if [ "$HAVE_NODE" = 1 ]; then
  meta=$(cd "$SCRATCH" && NODE_PATH="$SCRATCH/node_modules" node "$ROOT/benches/peers/sources.js" "$PASSES" "${HTML[@]/#/$CORPUS/}")
  row "metascraper" "pages" "$meta" "$(awk -v a="$oh" -v b="$(echo "$meta" | rate)" 'BEGIN{printf "%.1f× faster", a/b}')"
fi
row "iqpins-sources" "feed entries" "$ours_feed" "1×"
row "feedparser" "feed entries" "$feedparser" "$(awk -v a="$of" -v b="$(echo "$feedparser" | rate)" 'BEGIN{printf "%.1f× faster", a/b}')"

echo
echo "== 1,000,000-row Shopify CSV, streamed (peak RSS from /usr/bin/time -v)"
CSV="$SCRATCH/shopify-1m.csv"
"$SCRATCH/venv/bin/python" - "$CSV" <<'PY'
import sys
with open(sys.argv[1], "w") as w:
    w.write("Handle,Title,Body (HTML),Vendor,Type,Tags,Variant SKU,Variant Price,Variant Inventory Qty,Image Src,Image Alt Text\n")
    for i in range(1_000_000):
        p = i // 3
        if i % 3 == 0:
            w.write(f'product-{p},Product number {p},"<p>A fine product, number {p}.</p>",Acme,Mugs,"kitchen, mugs",SKU-{i},{10 + p % 90}.{i % 100:02},{i % 7},https://cdn.example/p/{p}-{i}.jpg,Front view\n')
        else:
            w.write(f'product-{p},,,,,,SKU-{i},{10 + p % 90}.{i % 100:02},{i % 7},https://cdn.example/p/{p}-{i}.jpg,Other view\n')
PY
ls -l "$CSV" | awk '{printf "file: %.0f MiB\n", $5/1048576}'
/usr/bin/time -v "$OURS" --csv-stream "$CSV" 2> "$SCRATCH/time.txt" | awk '{printf "items: %s, row errors: %s, seconds: %s, rows/s: %.0f\n", $1, $2, $3, 1000000/$3}'
grep -E "Maximum resident set size" "$SCRATCH/time.txt" | awk '{printf "peak RSS: %.1f MiB\n", $6/1024}'
rm -f "$CSV"
