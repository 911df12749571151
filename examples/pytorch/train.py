#!/usr/bin/python3
"""A real PyTorch worker for Tessera: data-parallel training of a small MLP under the worker contract.

It reads the contract from its environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT,
TESSERA_MICRO_BATCH, TESSERA_GRAD_ACCUMULATION, TESSERA_GLOBAL_BATCH, TESSERA_PRECISION,
TESSERA_CHECKPOINT_DIR, TESSERA_ATTEMPT), trains on CPU with torch.distributed over Gloo (standing in
for NCCL/HCCL), and reports TESSERA_PROGRESS lines with the samples/s it *measured* and its loss.

The task is regression onto a fixed teacher network plus noise, so the best reachable loss is
known: the noise variance (0.01). Every step draws the global batch from a generator seeded by the
step, and each rank trains on its own slice of it (its micro-batch times its accumulation), so an
uneven split across chips trains on exactly the samples one process with the whole batch would.

Gradients are summed, not averaged: each shard's loss is the sum of its squared errors divided by
the *global* batch, so the all-reduced gradient is the full batch's mean gradient whatever the
split. That is averaging weighted by each shard's share of the batch, and it makes the update of
an uneven gang equal to one process with the full batch (tests: PyTorchWorkerTest).

The sum follows the scheduler's communication plan (tessera_comm.py): reduce within each vendor
group onto its leader, all-reduce between the leaders over the bridge, broadcast back. --flat runs
one flat all-reduce over the world group instead, for comparison.

Each progress line reports the samples/s this shard *computed* (its forward and backward passes,
without the wait for its peers), so a chip slower than the catalog says shows as a slower rate,
the step time (compute and gradient sum) as step_sec, and the batch split it runs as split=V.

When the scheduler re-splits the batch by measured speed, the agent rewrites TESSERA_SPLIT_FILE.
At each checkpoint interval the ranks agree on the newest split every rank has (an all-reduce of
the version, MIN), switch to it together and print TESSERA_REBALANCED.

A simulated chip for tests and demos: --simulate-chips S makes each step take as long as the
shard's chip would by the catalog (TESSERA_CATALOG_SAMPLES_PER_SEC), times S (wall seconds per
chip second), and --chip-speed CHIP=F makes chip type CHIP run at F times the catalog's speed
(0.7: 30% slower), so the scheduler's loop has a true speed to discover. Rates are then reported
in chip time, like the catalog's.

Checkpoints are written by rank 0 with torch.save to a temporary file and renamed into place, so a
checkpoint is whole or absent; every rank then prints TESSERA_CHECKPOINT. On SIGTERM (preemption)
the worker checkpoints at the end of its step and exits 0. On start it resumes from the checkpoint
if there is one.
"""
import argparse
import json
import os
import signal
import sys
import time

import torch
import torch.distributed as dist

from tessera_gang import Gang

IN, HIDDEN = 16, 64
NOISE = 0.1  # the teacher's noise: the best reachable mean squared error is NOISE ** 2


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def teacher():
    g = torch.Generator().manual_seed(1234)
    return torch.randn(IN, 8, generator=g), torch.randn(8, 1, generator=g)


def global_batch(step, size, seed):
    """The whole step's batch, identical on every rank: inputs and noisy teacher targets."""
    g = torch.Generator().manual_seed(seed * 1_000_003 + step)
    x = torch.randn(size, IN, generator=g)
    w1, w2 = teacher()
    y = torch.tanh(x @ w1) @ w2 + NOISE * torch.randn(size, 1, generator=g)
    return x, y


def model(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(IN, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, 1))


def precision_context(wanted):
    """BF16 autocast when the job asks for bf16 and this CPU's torch can; FP32 otherwise, and says so."""
    if wanted == "bf16":
        try:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                torch.ones(2, 2) @ torch.ones(2, 2)
            return (lambda: torch.autocast("cpu", dtype=torch.bfloat16)), "bf16"
        except (RuntimeError, AttributeError) as e:
            print(f"bf16 autocast is not available here ({e}); running fp32", flush=True)
    elif wanted not in ("fp32", "tf32", ""):
        print(f"precision {wanted} has no CPU implementation here; running fp32", flush=True)
    import contextlib
    return contextlib.nullcontext, "fp32"


class Stop:
    requested = False


def checkpoint_path(directory):
    return os.path.join(directory, "checkpoint.pt") if directory else None


def chip_speed(pairs, chip):
    for pair in pairs:
        name, _, factor = pair.partition("=")
        if name == chip:
            return float(factor)
    return 1.0


def latest_split(path, current):
    """The newest (version, micro-batch, accumulation) in the agent's split file; `current` if none."""
    try:
        with open(path) as f:
            splits = json.load(f)["splits"]
        best = max(splits, key=lambda s: s["version"])
        return best["version"], {s["version"]: (s["microBatch"], s["accumulation"]) for s in splits}
    except (OSError, ValueError, KeyError):
        return current, {}


def shares_of(world, local, global_size):
    shares = [torch.zeros(1, dtype=torch.long) for _ in range(world)]
    dist.all_gather(shares, torch.tensor([local]))
    shares = [int(s.item()) for s in shares]
    if sum(shares) != global_size:
        raise SystemExit(f"the shards' batches add up to {sum(shares)}, not TESSERA_GLOBAL_BATCH {global_size}")
    return shares


def save(path, step, net, opt):
    tmp = path + ".tmp"
    torch.save({"step": step, "model": net.state_dict(), "optimizer": opt.state_dict()}, tmp)
    os.replace(tmp, path)  # whole or absent


class Split:
    """This rank's part of the global batch: its micro-batch, accumulation and sample offset, at a split version."""

    def __init__(self, rank, world, global_size, version, micro, accumulation):
        self.rank, self.world, self.global_size = rank, world, global_size
        self.version, self.micro, self.accumulation = version, micro, accumulation
        self.offset = self.local = 0

    def settle(self):
        """Gathers every rank's part (a collective) and places this rank's samples after the lower ranks'."""
        self.local = self.micro * self.accumulation
        self.offset = sum(shares_of(self.world, self.local, self.global_size)[:self.rank])

    def agree(self, path):
        """Switches, with every rank, to the newest split all of them have in the agent's file. True: it changed."""
        newest, table = latest_split(path, self.version)
        agreed = torch.tensor([newest])
        dist.all_reduce(agreed, op=dist.ReduceOp.MIN)  # the newest split every rank has
        version = int(agreed.item())
        changed = version != self.version and version in table
        if changed:
            self.version, (self.micro, self.accumulation) = version, table[version]
        self.settle()  # on every rank, changed or not, so all run the same collectives
        return changed


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--checkpoint-every", type=int, default=20)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dump-params", help="write the final parameters as JSON here (rank 0), for equivalence checks")
    p.add_argument("--flat", action="store_true", help="one flat all-reduce instead of the communication plan")
    p.add_argument("--rejoin", type=float, default=0.0, metavar="SEC",
                   help="when a peer fails, wait up to SEC for it to be restarted in place and re-form the gang "
                        "(jobs with recovery.processRestarts; 0: fail with it, the default)")
    p.add_argument("--simulate-chips", type=float, default=0.0, metavar="S",
                   help="pace each step as the shard's chip would, times S wall seconds per chip second (0: off)")
    p.add_argument("--chip-speed", action="append", default=[], metavar="CHIP=F",
                   help="with --simulate-chips: chip type CHIP runs at F x the catalog's speed (repeatable)")
    return p.parse_args()


def train_step(step, a, net, opt, ctx, split, gradients, pace):
    """One optimizer step over this rank's slice of the global batch; returns the summed loss and compute time."""
    began = time.perf_counter()
    x, y = global_batch(step, split.global_size, a.seed)
    opt.zero_grad()
    loss_sum = torch.zeros(1)
    for k in range(split.accumulation):
        lo = split.offset + k * split.micro
        with ctx():
            err = net(x[lo:lo + split.micro]).float() - y[lo:lo + split.micro]
            part = (err * err).sum() / split.global_size  # this micro-batch's share of the full batch's mean
        part.backward()
        loss_sum += part.detach()
    if a.simulate_chips > 0:  # the simulated chip: this shard's samples at its chip's true speed
        time.sleep(max(0.0, split.local / pace - (time.perf_counter() - began)))
    computed = (time.perf_counter() - began) / (a.simulate_chips if a.simulate_chips > 0 else 1.0)
    gradients.sum_([prm.grad for prm in net.parameters()])  # the full batch's mean gradient
    dist.all_reduce(loss_sum, op=dist.ReduceOp.SUM)
    opt.step()
    return loss_sum, computed, began


def main():
    a = parse_args()
    rank, world = env_int("RANK", 0), env_int("WORLD_SIZE", 1)
    micro = env_int("TESSERA_MICRO_BATCH", 32)
    accumulation = env_int("TESSERA_GRAD_ACCUMULATION", 1)
    global_size = env_int("TESSERA_GLOBAL_BATCH", micro * accumulation * world)
    ctx, precision = precision_context(os.environ.get("TESSERA_PRECISION", "fp32"))
    gang = Gang(rank, world, flat=a.flat)
    signal.signal(signal.SIGTERM, lambda *_: setattr(Stop, "requested", True))

    split_file = os.environ.get("TESSERA_SPLIT_FILE")
    split = Split(rank, world, global_size, env_int("TESSERA_SPLIT_VERSION", 0), micro, accumulation)
    try:
        if gang.generation == 0:  # a worker restarted in place settles its split as it rejoins
            split.settle()
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    speed = chip_speed(a.chip_speed, os.environ.get("TESSERA_CHIP_TYPE", ""))
    catalog = float(os.environ.get("TESSERA_CATALOG_SAMPLES_PER_SEC")
                    or os.environ.get("TESSERA_PREDICTED_SAMPLES_PER_SEC") or 100.0)
    scale = a.simulate_chips if a.simulate_chips > 0 else 1.0

    net = model(a.seed)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    ckpt = checkpoint_path(os.environ.get("TESSERA_CHECKPOINT_DIR"))
    start = 1
    if ckpt and os.path.exists(ckpt):
        state = torch.load(ckpt)
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start = state["step"] + 1
        print(f"resumed from checkpoint at step {state['step']}", flush=True)
    print(f"rank {rank}/{world} on {os.environ.get('TESSERA_CHIP_TYPE', 'cpu')}: micro-batch {micro} x {accumulation}"
          f" of global {global_size} ("
          + (f"samples {split.offset}..{split.offset + split.local - 1}" if split.local else "rejoining its gang")
          + f"), precision {precision},"
          f" attempt {os.environ.get('TESSERA_ATTEMPT', '1')}; gradients: {gang.gradients.describe}", flush=True)

    def rejoined(done):
        """After forming at a generation above 0: take the newest state and split; the next step to run."""
        newest, src = gang.sync(done, net, opt)
        if split_file:
            split.agree(split_file)
        else:
            split.settle()
        print(f"TESSERA_REJOINED generation={gang.generation} step={newest} from_rank={src} behind={newest - done}",
              flush=True)
        return newest + 1

    done = start - 1  # the last step this rank completed
    step = rejoined(done) if gang.generation > 0 else start
    done = step - 1
    loss_sum = torch.zeros(1)
    while step <= a.steps:
        failure = None
        try:
            loss_sum, computed, began = train_step(step, a, net, opt, ctx, split, gradients=gang.gradients,
                                                   pace=catalog * speed / scale)
            took = (time.perf_counter() - began) / scale
            print(f"TESSERA_PROGRESS step={step} total={a.steps} loss={loss_sum.item():.6f} samples={split.local}"
                  f" samples_per_sec={split.local / max(computed, 1e-9):.3f} step_sec={took:.6f} split={split.version}",
                  flush=True)
            done, last = step, step == a.steps
            if ckpt and (step % a.checkpoint_every == 0 or last or Stop.requested):
                saving = time.perf_counter()
                if rank == 0:
                    save(ckpt, step, net, opt)
                dist.barrier()
                print(f"TESSERA_CHECKPOINT step={step} seconds={time.perf_counter() - saving:.3f}", flush=True)
            if Stop.requested:
                print(f"SIGTERM: checkpointed step {step}; stopping", flush=True)
                return 0
            if split_file and step % a.checkpoint_every == 0 and not last and split.agree(split_file):
                print(f"TESSERA_REBALANCED step={step} version={split.version} micro_batch={split.micro}"
                      f" accumulation={split.accumulation} samples={split.offset}..{split.offset + split.local - 1}",
                      flush=True)
            step += 1
        except RuntimeError as e:
            if a.rejoin <= 0:
                raise
            failure = str(e).splitlines()[0][:200]
        if failure is None:
            continue
        # Outside the except block, so the failure's traceback no longer holds this rank's groups.
        print(f"a peer failed at step {step} ({failure}); waiting up to {a.rejoin:.0f} s for the gang to re-form",
              flush=True)
        if not gang.rejoin(wait_sec=a.rejoin):
            print("the gang did not re-form in time; failing, so the scheduler restarts the gang", flush=True)
            return 1
        step = rejoined(done)
        done = step - 1

    if a.dump_params and rank == 0:
        with open(a.dump_params, "w") as f:
            json.dump({n: t.detach().flatten().tolist() for n, t in net.state_dict().items()}, f)
    print(f"rank {rank} finished {a.steps} steps, loss {loss_sum.item():.6f}", flush=True)
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
