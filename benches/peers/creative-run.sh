#!/usr/bin/env bash
# Creative rendering, side by side on one core: Pillow (benches/peers/creative.py, plain and
# with JPEG draft decoding) against iqpins-creative (criterion bench `creative`) in its default
# pure-Rust build and with its `turbojpeg` feature, on the photos in benches/data/. Prints
# creatives/s of each, per photo and for the mix, and the ratios.
#
#   benches/peers/creative-run.sh            # core 0, 3 s per Pillow measurement, CPU time
#   CORE=1 SECONDS_PER=5 CLOCK=wall benches/peers/creative-run.sh
#
# CLOCK=cpu (the default) times both sides by the CPU time of the rendering thread, so other
# processes sharing the core do not count; CLOCK=wall times them by the clock on the wall.
#
# Pillow comes from PyPI into a scratch venv; the Noto Sans TTFs are the ones the
# ttf-noto-sans crate bundles (the same bytes iqpins-creative renders with).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
core=${CORE:-0}
seconds=${SECONDS_PER:-3}
clock=${CLOCK:-cpu}
pillow_clock=()
[ "$clock" = cpu ] && pillow_clock=(--cpu)
export CREATIVE_BENCH_CLOCK=$clock
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q pillow
cargo fetch -q
fonts=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*/ttf-noto-sans-0.1.2/assets' -type d | head -n1)
[ -n "$fonts" ] || { echo "ttf-noto-sans not found in the cargo registry" >&2; exit 1; }
photos=(benches/data/*.jpg)

echo "== Pillow $("$scratch/venv/bin/python" -c 'import PIL; print(PIL.__version__)'), core $core, $clock time"
taskset -c "$core" "$scratch/venv/bin/python" benches/peers/creative.py \
    "$fonts/NotoSans-Bold.ttf" "$fonts/NotoSans-Regular.ttf" "${photos[@]}" \
    --seconds "$seconds" "${pillow_clock[@]}" | tee "$scratch/pillow.txt"
taskset -c "$core" "$scratch/venv/bin/python" benches/peers/creative.py \
    "$fonts/NotoSans-Bold.ttf" "$fonts/NotoSans-Regular.ttf" "${photos[@]}" \
    --seconds "$seconds" --draft "${pillow_clock[@]}" | tee "$scratch/pillow-draft.txt"

# Ours twice: the default pure-Rust build, and the `turbojpeg` feature (libjpeg-turbo from
# Debian's libturbojpeg0-dev; `apt-get install libturbojpeg0-dev` when pkg-config lacks it).
builds=(default turbojpeg)
for build in "${builds[@]}"; do
  features=()
  [ "$build" = default ] || features=(--features "iqpins-creative/$build")
  echo "== iqpins-creative $build build (criterion), core $core"
  cargo bench -q -p iqpins-benches --bench creative "${features[@]}" --no-run
  taskset -c "$core" cargo bench -q -p iqpins-benches --bench creative "${features[@]}" -- --noplot 2>&1 \
    | tee "$scratch/rust-$build.txt"
done

# criterion prints "thrpt:  [low unit mid unit high unit]" under each benchmark; take the middle.
ours() { # file, benchmark name
  awk -v name="creative/$2" '$1 == name {found=1} found && /thrpt:/ {
      v=$4; if ($5 ~ /^Kelem/) v*=1000; print v; exit }' "$1"
}
pillow_of() { # file, photo name ("all" for the mix)
  awk -v name="$2:" '$2 == name {print $3}' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1fx", a / b}'; }

echo "== creatives/s on one core (core $core, $clock time); ratios are ours / Pillow"
printf '%-26s %9s %9s %9s %9s %7s %7s\n' photo default turbojpeg pillow '+draft' 'def/pil' 'tj/pil'
for name in $(for p in "${photos[@]}"; do basename "$p"; done) all; do
  d=$(ours "$scratch/rust-default.txt" "$name")
  t=$(ours "$scratch/rust-turbojpeg.txt" "$name")
  p=$(pillow_of "$scratch/pillow.txt" "$name")
  pd=$(pillow_of "$scratch/pillow-draft.txt" "$name")
  printf '%-26s %9.1f %9.1f %9.1f %9.1f %7s %7s\n' "$name" "$d" "$t" "$p" "$pd" "$(ratio "$d" "$p")" "$(ratio "$t" "$p")"
done
