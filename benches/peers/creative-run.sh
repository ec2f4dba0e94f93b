#!/usr/bin/env bash
# Creative rendering, side by side on one core: Pillow (benches/peers/creative.py, plain and
# with JPEG draft decoding) against iqpins-creative (criterion bench `creative`), on the photos
# in benches/data/. Prints creatives/s of each and the ratio.
#
#   benches/peers/creative-run.sh            # core 0, 3 s per Pillow measurement
#   CORE=1 SECONDS_PER=5 benches/peers/creative-run.sh
#
# Pillow comes from PyPI into a scratch venv; the Noto Sans TTFs are the ones the
# ttf-noto-sans crate bundles (the same bytes iqpins-creative renders with).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
core=${CORE:-0}
seconds=${SECONDS_PER:-3}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q pillow
cargo fetch -q
fonts=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*/ttf-noto-sans-0.1.2/assets' -type d | head -n1)
[ -n "$fonts" ] || { echo "ttf-noto-sans not found in the cargo registry" >&2; exit 1; }
photos=(benches/data/*.jpg)

echo "== Pillow $("$scratch/venv/bin/python" -c 'import PIL; print(PIL.__version__)'), core $core"
taskset -c "$core" "$scratch/venv/bin/python" benches/peers/creative.py \
    "$fonts/NotoSans-Bold.ttf" "$fonts/NotoSans-Regular.ttf" "${photos[@]}" \
    --seconds "$seconds" | tee "$scratch/pillow.txt"
taskset -c "$core" "$scratch/venv/bin/python" benches/peers/creative.py \
    "$fonts/NotoSans-Bold.ttf" "$fonts/NotoSans-Regular.ttf" "${photos[@]}" \
    --seconds "$seconds" --draft | tee "$scratch/pillow-draft.txt"

echo "== iqpins-creative (criterion), core $core"
cargo bench -q -p iqpins-benches --bench creative --no-run
taskset -c "$core" cargo bench -q -p iqpins-benches --bench creative 2>&1 | tee "$scratch/rust.txt"

# criterion prints "thrpt:  [low unit mid unit high unit]" under each benchmark; take the middle.
ours=$(awk '/^creative\/all/ {found=1} found && /thrpt:/ {
    v=$4; if ($5 ~ /^Kelem/) v*=1000; print v; exit }' "$scratch/rust.txt")
pillow=$(awk '/ all:/ {print $3}' "$scratch/pillow.txt")
pillow_draft=$(awk '/ all:/ {print $3}' "$scratch/pillow-draft.txt")
echo "== mix of ${#photos[@]} photos, one core"
printf 'iqpins-creative  %8.1f creatives/s\n' "$ours"
printf 'pillow           %8.1f creatives/s  (ratio %.1fx)\n' "$pillow" "$(awk -v a="$ours" -v b="$pillow" 'BEGIN {print a / b}')"
printf 'pillow + draft   %8.1f creatives/s  (ratio %.1fx)\n' "$pillow_draft" "$(awk -v a="$ours" -v b="$pillow_draft" 'BEGIN {print a / b}')"
