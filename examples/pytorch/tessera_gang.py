"""Keeping a gang together when one of its workers is restarted in place (the process rung).

A job that declares `recovery: {processRestarts: N}` asks Tessera to restart a worker that fails on
a healthy node in place, at the same attempt, instead of restarting the whole gang from its last
checkpoint (docs/worker-contract.md, "Recovery"). Its other workers must then keep their processes
and re-form the gang with the new one. This module shows how, with torch.distributed:

  TESSERA_GANG_FILE        JSON {"generation": G, "masterAddr": A, "masterPort": P, "env": {...}}, rewritten by
                           the agent whenever a peer is restarted in place or replaced (G grows by one each
                           time); env holds MASTER_ADDR, MASTER_PORT and TESSERA_COMM_* as they now are
  TESSERA_GANG_GENERATION  the generation this process was started at
  TESSERA_INCARNATION      how many times this shard's own worker was restarted in place (0 at first)

1. Every rendezvous of generation G uses keys under the prefix "g<G>" of the job's stores, so a
   re-formed gang never meets an earlier one's leftovers. Rank 0 hosts the world store for its
   whole life; a restarted rank 0 hosts it again on the same port.
2. A collective that fails (a peer died) raises; the survivors destroy their process group, wait for
   the gang file to show a newer generation, take the rendezvous it names (a peer replaced on another
   node may have moved it), and form the gang again at it.
3. The re-formed gang agrees on the newest completed step (all-reduce MAX) and the lowest rank
   holding it broadcasts its model and optimizer state, so the restarted worker continues exactly
   where the survivors were: no work since the last checkpoint is lost, and the survivors lose
   only the step in flight.
"""
import datetime
import gc
import json
import os
import time

import torch
import torch.distributed as dist

from tessera_comm import GradientSum, store


class Gang:
    """The world process group and the gradient sum of one worker, re-formed at each generation."""

    def __init__(self, rank, world, flat=False, timeout=datetime.timedelta(seconds=120)):
        self.rank, self.world, self.flat, self.timeout = rank, world, flat, timeout
        self.file = os.environ.get("TESSERA_GANG_FILE")
        self.generation = max(int(os.environ.get("TESSERA_GANG_GENERATION", "0")), self._published())
        self.gradients = None
        self._form(timeout)

    def _published(self):
        """The generation the agent last wrote to the gang file (-1: no file)."""
        return int(self._read().get("generation", -1))

    def _read(self):
        """The gang file: {"generation", "masterAddr", "masterPort", "env"}; empty when there is none."""
        try:
            with open(self.file) as f:
                return json.load(f)
        except (TypeError, OSError, ValueError):
            return {}

    def _form(self, timeout):
        address, port = os.environ.get("MASTER_ADDR", "127.0.0.1"), int(os.environ.get("MASTER_PORT", "29500"))
        world_store = dist.PrefixStore(f"world-g{self.generation}", store(address, port, self.rank == 0, timeout))
        dist.init_process_group("gloo", store=world_store, rank=self.rank, world_size=self.world, timeout=timeout)
        self.gradients = GradientSum(self.rank, flat=self.flat, timeout=timeout, generation=self.generation)

    def rejoin(self, wait_sec=300.0, form_sec=30.0):
        """After a failed collective: wait for a newer generation and form the gang at it. False: it never came.

        Call it outside the except block that caught the failure: the traceback holds the gradient
        sum's groups, and a survivor must close them at once, or a peer still waiting on it in a
        group or bridge collective waits out the whole collective timeout instead of failing too."""
        self.gradients = None  # its group and bridge close with it: peers blocked on this rank fail now
        gc.collect()
        try:
            dist.destroy_process_group()
        except (RuntimeError, AssertionError):
            pass
        deadline = time.monotonic() + wait_sec
        while time.monotonic() < deadline:
            gang = self._read()
            newest = int(gang.get("generation", -1))
            if newest > self.generation:
                self.generation = newest
                os.environ.update(gang.get("env", {}))  # a replaced peer may have moved the rendezvous
                try:
                    self._form(datetime.timedelta(seconds=form_sec))
                    return True
                except RuntimeError:  # a later peer failed meanwhile: its generation comes next
                    try:
                        dist.destroy_process_group()
                    except (RuntimeError, AssertionError):
                        pass
            time.sleep(0.1)
        return False

    def sync(self, done, net, opt):
        """Every rank takes the state of the lowest rank at the newest completed step; returns that step and rank."""
        newest = torch.tensor([done])
        dist.all_reduce(newest, op=dist.ReduceOp.MAX)
        donor = torch.tensor([self.rank if done == int(newest.item()) else self.world])
        dist.all_reduce(donor, op=dist.ReduceOp.MIN)
        src = int(donor.item())
        state = [{"model": net.state_dict(), "optimizer": opt.state_dict()} if self.rank == src else None]
        dist.broadcast_object_list(state, src=src)
        if self.rank != src:
            net.load_state_dict(state[0]["model"])
            opt.load_state_dict(state[0]["optimizer"])
        return int(newest.item()), src
