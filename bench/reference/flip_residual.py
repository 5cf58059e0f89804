"""The residual under ln_f around a plateau escape (issue 10 §6), from bench/flip.ts's dumps.

An independent float64 forward of the GPT in src/lib/model/gpt.ts (numpy only), on each dumped step's weights and
batch. It prints the batch's mean loss (it must equal flip.ts's), then splits the centred residual under ln_f into its
constant part c (the mean over all tokens: what a unigram model says everywhere) and the rest, and compares the
tokens coded with over 10 bits with the others. Directions are measured against c0, the constant part under the
first dump's weights. A token flips when its residual points along -c0: ln_f normalises the length away, so the
head reads the opposite of the unigram.
Usage: python3 bench/reference/flip_residual.py bench/results/flip/step-29.json … [--batch-of FILE.json]
"""
import argparse
import json

import numpy as np

LN_EPS = 1e-5  # gpt.ts layerNorm


def layer_norm(x, w, b):
    xc = x - x.mean(-1, keepdims=True)
    return xc / np.sqrt((xc ** 2).mean(-1, keepdims=True) + LN_EPS) * w + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def forward(W, idx, n_head):
    """Returns the residual under ln_f (B, T, C) and the logits (B, T, V). Weights are nanoGPT's (out, in)."""
    B, T = idx.shape
    p = "transformer."
    x = W[p + "wte.weight"][idx] + W[p + "wpe.weight"][:T][None]
    C = x.shape[-1]
    hs = C // n_head
    causal = np.tril(np.ones((T, T), dtype=bool))
    n_layer = len({k.split(".")[2] for k in W if k.startswith(p + "h.")})
    for i in range(n_layer):
        h = f"{p}h.{i}."
        a = layer_norm(x, W[h + "ln_1.weight"], W[h + "ln_1.bias"])
        q, k, v = np.split(a @ W[h + "attn.c_attn.weight"].T + W[h + "attn.c_attn.bias"], 3, -1)
        q, k, v = (t.reshape(B, T, n_head, hs).transpose(0, 2, 1, 3) for t in (q, k, v))
        att = np.where(causal, q @ k.transpose(0, 1, 3, 2) / np.sqrt(hs), -np.inf)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        y = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
        x = x + y @ W[h + "attn.c_proj.weight"].T + W[h + "attn.c_proj.bias"]
        a = layer_norm(x, W[h + "ln_2.weight"], W[h + "ln_2.bias"])
        x = x + gelu(a @ W[h + "mlp.c_fc.weight"].T + W[h + "mlp.c_fc.bias"]) @ W[h + "mlp.c_proj.weight"].T + W[h + "mlp.c_proj.bias"]
    logits = layer_norm(x, W[p + "ln_f.weight"], W[p + "ln_f.bias"]) @ W[p + "wte.weight"].T  # tied head
    return x, logits


def load(path):
    d = json.load(open(path))
    W = {k: np.array(v, dtype=np.float64).reshape(d["shapes"][k]) for k, v in d["weights"].items()}
    idx = np.array(d["idx"]).reshape(d["B"], d["T"])
    tgt = np.array(d["tgt"]).reshape(d["B"], d["T"])
    return d, W, idx, tgt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dumps", nargs="+")
    ap.add_argument("--batch-of", help="score every dump's weights on this dump's batch instead of its own")
    args = ap.parse_args()
    fixed = load(args.batch_of)[2:] if args.batch_of else None
    print("weights of step | batch | loss, bits/token | tokens over 10 bits | |c| | cos(c, c0) | rms of the rest | mean |residual|, over 10 bits / the others | cos(residual, c0), over 10 bits / the others")
    c0 = None
    prev = None
    moves = []
    for path in args.dumps:
        d, W, idx, tgt = load(path)
        if prev is not None:  # how far one step moved each weight matrix, relative to its norm
            rel = {k: np.linalg.norm(W[k] - prev[1][k]) / np.linalg.norm(prev[1][k]) for k in W if W[k].ndim == 2}
            lo, hi = min(rel, key=rel.get), max(rel, key=rel.get)
            moves.append(f"step {prev[0]} -> {d['step']}: {rel[lo]:.1%} ({lo}) to {rel[hi]:.1%} ({hi})")
        prev = (d["step"], W)
        if fixed:
            idx, tgt = fixed
        x, logits = forward(W, idx, d["nHead"])
        top = logits.max(-1, keepdims=True)
        lse = np.log(np.exp(logits - top).sum(-1)) + top[..., 0]
        bits = (lse - np.take_along_axis(logits, tgt[..., None], -1)[..., 0]).reshape(-1) / np.log(2)
        xc = (x - x.mean(-1, keepdims=True)).reshape(-1, x.shape[-1])
        c = xc.mean(0)
        c0 = c if c0 is None else c0
        norm = np.linalg.norm(xc, axis=1)
        cos = xc @ c0 / norm / np.linalg.norm(c0)
        bad = bits > 10

        def split(v):
            return f"{v[bad].mean():.2f} / {v[~bad].mean():.2f}" if bad.any() else f"— / {v.mean():.2f}"

        rest = np.sqrt(((xc - c) ** 2).sum(1).mean())
        print(f"{d['step']} | {'fixed' if fixed else 'own'} | {bits.mean():.3f} | {bad.sum()} of {bits.size} | {np.linalg.norm(c):.2f} | {c @ c0 / np.linalg.norm(c) / np.linalg.norm(c0):.2f} | {rest:.2f} | {split(norm)} | {split(cos)}")
    for m in moves:
        print("weight matrices moved by", m)


if __name__ == "__main__":
    main()
