"""Tessera's worker helper: tell the scheduler how training goes, and follow the batch split it plans.

Every worker the Tessera agent starts finds this module on its PYTHONPATH (``import tessera``);
it needs nothing but the standard library. What it prints is what the agent reads from the
worker's output (docs/worker-contract.md):

    tessera.report(step, total=None, samples_per_sec=None, **metrics)
        one ``TESSERA_PROGRESS step=N total=M loss=... key=value`` line: the job's curve
        (GET /v1/jobs/{id}/metrics), its progress bar and ETA, and its named metrics
    tessera.checkpoint(step, seconds=None)
        one ``TESSERA_CHECKPOINT step=N seconds=S`` line, once a checkpoint is whole on disk
        (``seconds``: how long writing it took, which preemption counts in the job's cost)
    tessera.split()
        this shard's part of the global batch: (micro_batch, accumulation, version), from the
        split file the scheduler rewrites when it re-splits a running gang by measured speed
    tessera.batch_weight()
        this shard's share of the global batch, for gradients weighted by the samples each
        rank saw (a split-aware DDP step: scale the loss by it, then sum the gradients)

Scripts that log through Hugging Face Trainer or PyTorch Lightning need none of this: the agent
reads their logged dicts and progress bars as they are.
"""
import json
import math
import os
import re
import sys

__all__ = ["report", "checkpoint", "split", "batch_weight"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]{0,63}\Z")
_OWN = ("step", "total", "samples_per_sec", "split")
MAX_METRICS = 16


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        x = float(value.item() if hasattr(value, "item") else value)  # a 0-d tensor or numpy scalar too
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def report(step, total=None, samples_per_sec=None, file=None, **metrics):
    """Prints one progress line for the agent. Metrics that are not finite numbers, or have names
    the scheduler would refuse, are left out rather than failing the training."""
    step = int(step)
    if step < 0:
        raise ValueError("step must be 0 or more")
    parts = ["TESSERA_PROGRESS", f"step={step}"]
    if total is not None:
        parts.append(f"total={int(total)}")
    rate = _number(samples_per_sec) if samples_per_sec is not None else None
    if rate is not None and rate >= 0:
        parts.append(f"samples_per_sec={rate:.6f}")
    version = os.environ.get("TESSERA_SPLIT_VERSION")
    if version is not None and version.isdigit():
        parts.append(f"split={version}")
    kept = 0
    for name, value in metrics.items():
        x = _number(value)
        if x is None or not _NAME.match(name) or name in _OWN or kept >= MAX_METRICS:
            continue
        parts.append(f"{name}={x:.6g}")
        kept += 1
    print(" ".join(parts), file=file or sys.stdout, flush=True)


def checkpoint(step, seconds=None, file=None):
    """Says a checkpoint of ``step`` is whole on disk: a restart resumes from it. ``seconds``, if
    given, is how long writing it took; the scheduler counts it in what preempting this job costs."""
    line = f"TESSERA_CHECKPOINT step={int(step)}"
    s = _number(seconds)
    if s is not None and s >= 0:
        line += f" seconds={s:.3f}"
    print(line, file=file or sys.stdout, flush=True)


def split():
    """(micro_batch, accumulation, version) of this shard now: the split file's latest entry, else
    the environment the worker started with."""
    path = os.environ.get("TESSERA_SPLIT_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                latest = json.load(f)["splits"][-1]
            return int(latest["microBatch"]), int(latest["accumulation"]), int(latest["version"])
        except (OSError, ValueError, KeyError, IndexError):
            pass
    return (int(os.environ.get("TESSERA_MICRO_BATCH", "1")), int(os.environ.get("TESSERA_GRAD_ACCUMULATION", "1")),
            int(os.environ.get("TESSERA_SPLIT_VERSION", "0")))


def batch_weight():
    """This shard's samples per optimizer step over the global batch: weight its loss by this and sum
    the gradients across ranks, and shards of different speeds, holding different micro-batches,
    still average the global batch exactly."""
    micro, accumulation, _ = split()
    total = int(os.environ.get("TESSERA_GLOBAL_BATCH", "0"))
    return micro * accumulation / total if total > 0 else 1.0
