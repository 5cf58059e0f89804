#!/usr/bin/python3
"""kxy's GPT (src/lib/model/gpt.ts) and its AdamW (src/lib/train/adamw.ts) written again in PyTorch: an
independent reference for the forward pass, and a throughput yardstick.

The model matches gpt.ts line for line: nanoGPT's state_dict names, (out, in) weights used as x @ W^T + b,
learned positions, pre-LayerNorm blocks (eps 1e-5, biased variance), attention scaled by 1/sqrt(head size)
with an additive causal mask of -1e9 (finite, as kxy), GELU in its tanh form, a final LayerNorm and an output
head tied to wte (no bias). Loss: mean cross-entropy in nats from log_softmax.

Uses:
  python3 bench/reference/torch_twin.py --load FILE.safetensors [--tokens 1,2,3]   logits of a kxy export
  python3 bench/reference/torch_twin.py --bench --preset nano [--steps 50] [--file F] [--threads N]
        [--device cpu|cuda] [--dtype fp32|bf16] [--sdpa]                           one JSON line: tokens/s
As a module: load_kxy(path) -> (model, config, metadata); GPT(cfg); adamw(model, cfg); learning_rate(...).
Debian's torch 1.13 (CPU) runs everything here except --sdpa, which needs torch >= 2.0."""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

LN_EPS = 1e-5  # gpt.ts layerNorm: rsqrt(variance + 1e-5)
MASKED = -1e9  # gpt.ts MASKED: a large finite negative, not -inf

# models/presets.ts over src/lib/config.ts DEFAULTS, V = 256 (byte tokenizer)
DEFAULTS = dict(vocabSize=256, blockSize=64, nLayer=2, nHead=4, nEmbd=64, dropout=0.0, batchSize=16, lr=1e-3, minLr=0.0,
                warmupSteps=20, beta1=0.9, beta2=0.95, eps=1e-8, weightDecay=0.1, gradClip=1.0, zLoss=0.0)
PRESETS = {
    "nano": dict(blockSize=64, nLayer=2, nHead=4, nEmbd=64, batchSize=16, lr=3e-3, warmupSteps=20, zLoss=1e-4),
    "micro": dict(blockSize=128, nLayer=4, nHead=4, nEmbd=128, batchSize=32, lr=2e-3, warmupSteps=50, zLoss=1e-4),
    "small": dict(blockSize=256, nLayer=6, nHead=6, nEmbd=384, batchSize=64, dropout=0.0, lr=1e-3, beta2=0.99, warmupSteps=100, zLoss=1e-4),
}


def preset_config(name):
    cfg = dict(DEFAULTS, **PRESETS[name])
    if not cfg["minLr"] > 0:
        cfg["minLr"] = cfg["lr"] / 10  # resolveConfig: minLr 0 means lr / 10
    return cfg


# ---- the model ------------------------------------------------------------------------------------

def gelu_tanh(x):
    """GPT-2's GELU, as gpt.ts writes it."""
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)))


class LayerNorm(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(C))
        self.bias = nn.Parameter(torch.zeros(C))

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, LN_EPS)  # biased variance, as tf.moments


class Attention(nn.Module):
    def __init__(self, cfg, sdpa=False):
        super().__init__()
        C = cfg["nEmbd"]
        self.nh = cfg["nHead"]
        self.c_attn = nn.Linear(C, 3 * C)  # (3C, C): q, k, v stacked
        self.c_proj = nn.Linear(C, C)
        self.dropout = cfg["dropout"]
        self.sdpa = sdpa
        T = cfg["blockSize"]
        self.register_buffer("mask", torch.triu(torch.full((T, T), MASKED), diagonal=1), persistent=False)  # (T, T): 0 on and below the diagonal

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.nh
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.nh, hs).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        if self.sdpa:
            # the fused kernel masks with -inf, not kxy's -1e9: the same result wherever a row has one unmasked entry (always, with causal)
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))  # (B, nh, T, T)
            att = torch.softmax(att + self.mask[:T, :T].to(att.dtype), dim=-1)
            att = F.dropout(att, self.dropout, self.training)
            y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return F.dropout(self.c_proj(y), self.dropout, self.training)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg["nEmbd"]
        self.c_fc = nn.Linear(C, 4 * C)
        self.c_proj = nn.Linear(4 * C, C)
        self.dropout = cfg["dropout"]

    def forward(self, x):
        return F.dropout(self.c_proj(gelu_tanh(self.c_fc(x))), self.dropout, self.training)


class Block(nn.Module):
    def __init__(self, cfg, sdpa=False):
        super().__init__()
        self.ln_1 = LayerNorm(cfg["nEmbd"])
        self.attn = Attention(cfg, sdpa)
        self.ln_2 = LayerNorm(cfg["nEmbd"])
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg, sdpa=False):
        super().__init__()
        self.cfg = cfg
        V, T, C = cfg["vocabSize"], cfg["blockSize"], cfg["nEmbd"]
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(V, C),
            wpe=nn.Embedding(T, C),
            h=nn.ModuleList([Block(cfg, sdpa) for _ in range(cfg["nLayer"])]),
            ln_f=LayerNorm(C),
        ))
        self.lm_head = nn.Linear(C, V, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied
        self.init_weights()

    def init_weights(self):
        """nanoGPT's (and initWeights's) distribution, from torch's generator: N(0, 0.02), residual projections
        N(0, 0.02 / sqrt(2 L)), biases 0, LayerNorm weights 1. For benchmarks; tests load kxy's own weights."""
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * self.cfg["nLayer"]) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        if T > self.cfg["blockSize"]:
            raise ValueError(f"sequence of {T} tokens is longer than the context ({self.cfg['blockSize']})")
        pos = torch.arange(T, device=idx.device)
        x = F.dropout(self.transformer.wte(idx) + self.transformer.wpe(pos), self.cfg["dropout"], self.training)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, V)
        if targets is None:
            return logits, None
        logp = torch.log_softmax(logits if logits.dtype == torch.float64 else logits.float(), dim=-1)  # fp32 at least, even under bf16
        return logits, -logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1).mean()


# ---- kxy's .safetensors ---------------------------------------------------------------------------

def read_safetensors(data):
    """(tensors by name, metadata) from the bytes of a safetensors file; F32 only, as kxy writes."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {e['dtype']}; this reader takes F32")
        a, b = e["data_offsets"]
        buf = bytearray(data[8 + n + a:8 + n + b])
        tensors[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(e["shape"]) if b > a else torch.zeros(e["shape"])
    return tensors, meta


def load_kxy(path_or_bytes, dtype=torch.float32):
    """A GPT with a kxy export's weights, its config from the file's metadata."""
    data = open(path_or_bytes, "rb").read() if isinstance(path_or_bytes, str) else bytes(path_or_bytes)
    tensors, meta = read_safetensors(data)
    cfg = dict(DEFAULTS, **json.loads(meta["config"]))
    model = GPT(cfg)
    head = tensors.pop("lm_head.weight", None)
    if head is not None and not torch.equal(head, tensors["transformer.wte.weight"]):
        raise ValueError("lm_head.weight differs from transformer.wte.weight, but kxy ties them")
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [m for m in missing if m != "lm_head.weight"]
    if missing or unexpected:
        raise ValueError(f"names do not match: missing {missing}, unexpected {unexpected}")
    return model.to(dtype), cfg, meta


# ---- optimisation, as adamw.ts and loop.ts -----------------------------------------------------------

def adamw(model, cfg):
    """torch's AdamW is adamw.ts's update: decoupled decay (p *= 1 - lr * wd) on 2-D weights only, explicit eps."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    groups = [dict(params=decay, weight_decay=cfg["weightDecay"]), dict(params=rest, weight_decay=0.0)]
    return torch.optim.AdamW(groups, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"])


def learning_rate(step, total, cfg):
    """loop.ts learningRate: linear warmup (capped at a tenth of the run), then cosine to minLr at the last step."""
    warmup = min(cfg["warmupSteps"], math.ceil(total / 10))
    if step < warmup:
        return cfg["lr"] * (step + 1) / (warmup + 1)
    ratio = min(1.0, (step - warmup) / max(1, total - 1 - warmup))
    return cfg["minLr"] + 0.5 * (1 + math.cos(math.pi * ratio)) * (cfg["lr"] - cfg["minLr"])


def train_step(model, opt, x, y, lr, cfg, autocast):
    for g in opt.param_groups:
        g["lr"] = lr
    with autocast():
        logits, loss = model(x, y)
        # loop.ts: training adds zLoss · mean(log Z)²; the loss returned stays cross-entropy alone
        z = cfg.get("zLoss", 0.0)
        objective = loss + z * torch.logsumexp(logits.float(), dim=-1).pow(2).mean() if z > 0 else loss
    opt.zero_grad(set_to_none=True)
    objective.backward()
    # scale by max / (norm + 1e-6) when below 1, as adamw.ts; inf disables the clip but still gives the norm
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["gradClip"] if cfg["gradClip"] > 0 else float("inf"))
    opt.step()
    return loss.detach(), norm


def bench(args):
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.sdpa and not hasattr(F, "scaled_dot_product_attention"):
        sys.exit(f"--sdpa needs torch >= 2.0 (this is torch {torch.__version__})")
    device = torch.device(args.device)
    cfg = preset_config(args.preset)
    B, T = cfg["batchSize"], cfg["blockSize"]
    torch.manual_seed(args.seed)
    data = open(args.file, "rb").read() if args.file else None
    stream = torch.tensor(list(data), dtype=torch.long) if data else torch.randint(0, 256, (1_000_000,))
    if len(stream) < T + 2:
        sys.exit(f"{args.file}: {len(stream)} bytes is shorter than one window of {T + 1}")
    model = GPT(cfg, sdpa=args.sdpa).to(device)
    opt = adamw(model, cfg)
    if args.dtype == "bf16":
        autocast = lambda: torch.autocast(device_type=device.type, dtype=torch.bfloat16)  # noqa: E731 (weights and AdamW stay fp32)
    else:
        import contextlib
        autocast = contextlib.nullcontext
    total = args.warmup + args.steps

    def batch():
        starts = torch.randint(0, len(stream) - T - 1, (B,))
        w = torch.stack([stream[s:s + T + 1] for s in starts.tolist()])
        return w[:, :-1].to(device, non_blocking=True), w[:, 1:].to(device, non_blocking=True)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    losses = []
    for s in range(args.warmup):
        x, y = batch()
        losses.append(train_step(model, opt, x, y, learning_rate(s, total, cfg), cfg, autocast)[0])
    sync()
    t0 = time.perf_counter()
    for s in range(args.warmup, total):
        x, y = batch()
        losses.append(train_step(model, opt, x, y, learning_rate(s, total, cfg), cfg, autocast)[0])
    sync()
    sec = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps(dict(
        twin="torch", preset=args.preset, device=str(device), dtype=args.dtype, sdpa=args.sdpa, threads=torch.get_num_threads(),
        torch=torch.__version__, params=params, batch=B, context=T, steps=args.steps, warmup_steps=args.warmup,
        tokens_per_s=round(args.steps * B * T / sec, 1), ms_per_step=round(1000 * sec / args.steps, 3),
        loss_first_nats=round(losses[0].item(), 4), loss_last_nats=round(losses[-1].item(), 4),
        data=args.file or "random bytes")))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--load", help="a kxy .safetensors: print the logits of --tokens")
    p.add_argument("--tokens", default="0", help="comma-separated token ids for --load")
    p.add_argument("--bench", action="store_true", help="train at a preset's shape and print tokens/s as one JSON line")
    p.add_argument("--preset", default="nano", choices=sorted(PRESETS))
    p.add_argument("--steps", type=int, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--file", help="train on this file's bytes (default: random bytes)")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"], help="bf16: autocast matmuls, fp32 weights and optimizer")
    p.add_argument("--sdpa", action="store_true", help="fused scaled_dot_product_attention (torch >= 2.0)")
    p.add_argument("--seed", type=int, default=1337)
    args = p.parse_args()
    if args.bench:
        return bench(args)
    if args.load:
        model, cfg, _ = load_kxy(args.load, torch.float64)
        model.eval()
        idx = torch.tensor([[int(t) for t in args.tokens.split(",")]])
        with torch.no_grad():
            logits, _ = model(idx)
        print(json.dumps(dict(config=cfg, logits=logits[0].tolist())))
        return
    p.print_help()


if __name__ == "__main__":
    main()
