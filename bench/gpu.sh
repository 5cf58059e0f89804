#!/usr/bin/env bash
# The bench on a lent GPU machine in under 5 minutes: kxy's webgpu (Dawn on the GPU's Vulkan driver) at nano,
# micro and small, and the PyTorch twin in fp32 eager and in bf16 + SDPA, in one table with kxy's ratio to the
# fp32 twin (bench/run.ts --twin-device cuda). The GPU machine has PyTorch but no Node, Vulkan loader or registry.
#
#   bash bench/gpu.sh pack    here: ../shared/device/prepare.sh (node, Vulkan loader), then bench/run.ts bundled
#                             with esbuild into .device-carry/kxy with the `webgpu` package's Linux build (~30 MB)
#   bash bench/gpu.sh run     on the GPU machine, through the device `run` tool:
#                               carry: [".device-carry"]   command: bash bench/gpu.sh run   (timeout_s 330)
#                             writes table.txt, gpu.txt and the JSON under $OUT
#   bash bench/gpu.sh check   here, without a GPU: bundles, then runs the same bundle on the cpu backend (nano,
#                             2 steps) and the twin on the CPU: checks the script, not the GPU
set -euo pipefail
cd "$(dirname "$0")/.."
K=.device-carry/kxy
PRESETS=${KXY_GPU_PRESETS:-nano,micro,small}

bundle() {
  mkdir -p "$K/node_modules/webgpu/dist"
  npx esbuild bench/run.ts --bundle --platform=node --format=esm --log-level=error --external:webgpu \
    --banner:js="import{createRequire as __kxyRequire}from'module';const require=__kxyRequire(import.meta.url);" --outfile="$K/bench.mjs"
  cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$K/node_modules/webgpu/"
  cp -r node_modules/webgpu/dist/linux-x64 "$K/node_modules/webgpu/dist/"
  du -sh "$K"
}

bench() { # ARGS…: the bundled bench/run.ts, with bench/ (the twin, sgemm) read from this tree
  KXY_BENCH_DIR="$PWD/bench" timeout "${LIMIT:-600}" node "$K/bench.mjs" --no-lock "$@"
}

case "${1:-}" in
  pack)
    prepare=../shared/device/prepare.sh
    [ -f "$prepare" ] || prepare=/work/shared/device/prepare.sh
    bash "$prepare"
    bundle
    du -sh .device-carry
    echo "now: run tool, carry [\".device-carry\"], command \"bash bench/gpu.sh run\", timeout_s 330"
    ;;
  run)
    [ -f "$K/bench.mjs" ] || { echo "no $K/bench.mjs: run 'bash bench/gpu.sh pack' here first, then carry .device-carry" >&2; exit 2; }
    source .device-carry/env.sh
    out=${OUT:-bench/out}
    mkdir -p "$out"
    { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi failed"; } > "$out/gpu.txt" 2>&1
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' >> "$out/gpu.txt" 2>&1 || true
    cat "$out/gpu.txt"
    # ~4 min on an H100: 8 s of steps per preset plus phases, then 2 twin runs per preset of 50 steps each
    LIMIT=300 bench --backends webgpu --presets "$PRESETS" --seconds 8 --max-step-seconds 20 --twin-device cuda --out "$out" 2>&1 | tee "$out/table.txt"
    ;;
  check)
    bundle
    out=$(mktemp -d)
    bench --backends cpu --presets nano --quick --out "$out" 2>&1 | tee "$out/table.txt"
    grep -q '^cpu  *nano' "$out/table.txt" && grep -q 'reference twin nano fp32' "$out/table.txt" && ls "$out"/*.json >/dev/null
    echo "gpu.sh check: the bundle ran (cpu backend) and the twin answered; results in $out"
    ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
