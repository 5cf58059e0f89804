#!/usr/bin/python3
"""This machine's fp32 matmul limit at the shapes of one kxy training step (numpy, so OpenBLAS or whatever
BLAS numpy links). Times every matmul a step does (forward, and both gradients of each), as flopsPerStep in
src/lib/model/gpt.ts counts them, and prints one JSON line: GFLOP/s over the step's matmuls, and the tokens/s a
step would reach if it were those matmuls alone.
Usage: python3 bench/reference/sgemm.py [--preset nano] [--threads N] [--reps 5]
Set threads before numpy loads: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (bench/run.ts does)."""
import argparse
import json
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--preset", default="nano")
p.add_argument("--threads", type=int, default=0)
p.add_argument("--reps", type=int, default=5)
args = p.parse_args()
if args.threads:
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[k] = str(args.threads)
import numpy as np  # noqa: E402  (after the thread variables)

# models/presets.ts, with V = 256 (byte tokenizer): (B, T, L, nh, C)
PRESETS = {"nano": (16, 64, 2, 4, 64), "micro": (32, 128, 4, 4, 128), "small": (64, 256, 6, 6, 384)}
B, T, L, nh, C = PRESETS[args.preset]
V = 256
N = B * T
hs = C // nh


def gemms():
    """(batch, M, K, N, count per step) for every matmul of one step: forward y = x @ W, and backward
    dx = dy @ Wᵀ (M, N, K) and dW = xᵀ @ dy (K, M, N), i.e. the same M·K·N three times."""
    fwd = [(1, N, C, 3 * C, L), (B * nh, T, hs, T, L), (B * nh, T, T, hs, L), (1, N, C, C, L), (1, N, C, 4 * C, L), (1, N, 4 * C, C, L), (1, N, C, V, 1)]
    out = []
    for (b, m, k, n, cnt) in fwd:
        out += [(b, m, k, n, cnt), (b, m, n, k, cnt), (b, k, m, n, cnt)]
    return out


rng = np.random.default_rng(0)
total_flops = 0.0
total_s = 0.0
shapes = []
for (b, m, k, n, cnt) in gemms():
    x = rng.standard_normal((b, m, k), dtype=np.float32)
    w = rng.standard_normal((b, k, n), dtype=np.float32)
    if b == 1:
        x, w = x[0], w[0]
    out = np.matmul(x, w)  # warm-up
    t0 = time.perf_counter()
    for _ in range(args.reps):
        np.matmul(x, w, out=out)
    s = (time.perf_counter() - t0) / args.reps
    flops = 2.0 * b * m * k * n
    total_flops += flops * cnt
    total_s += s * cnt
    shapes.append({"batch": b, "m": m, "k": k, "n": n, "perStep": cnt, "ms": s * 1e3, "gflops": flops / s / 1e9})

print(json.dumps({
    "kind": "sgemm", "preset": args.preset, "threads": args.threads or None, "numpy": np.__version__,
    "flopsPerStep": total_flops, "msPerStep": total_s * 1e3, "gflops": total_flops / total_s / 1e9,
    "tokensPerSecond": N / total_s, "shapes": shapes,
}))
sys.stdout.flush()
