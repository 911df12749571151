"""Tessera's communication plan for a PyTorch worker: sum gradients the way the scheduler planned.

Chips of different vendors cannot join one NCCL or HCCL all-reduce. The scheduler therefore cuts
each gang into groups, one per vendor and collective library, and hands every worker its part of
the plan (docs/worker-contract.md):

  TESSERA_COMM_GROUP_RANKS   the ranks of this worker's group        e.g. 3,4,5
  TESSERA_COMM_GROUP_LEADER  the group's leader (its lowest rank)    e.g. 3
  TESSERA_COMM_GROUP_ADDR    where the group's rendezvous listens    (the leader's node)
  TESSERA_COMM_GROUP_PORT    its port
  TESSERA_COMM_LIBRARY       the group's native library              nccl, hccl, or an ASIC plug-in's
  TESSERA_COMM_BRIDGE        the bridge between leaders, or none     gloo (default), flagcx, ...
  TESSERA_COMM_BRIDGE_RANKS, TESSERA_COMM_BRIDGE_ADDR, TESSERA_COMM_BRIDGE_PORT
  TESSERA_COMM_PLAN          the whole plan as JSON, for frameworks

A hierarchical all-reduce then runs in three phases: every group reduces onto its leader with its
native library, the leaders all-reduce over the bridge, and every leader broadcasts the result back
into its group. With one group there is no bridge and the group all-reduces on its own.

This example runs on CPU, so Gloo stands in for the groups' native libraries too; a real worker
would build its group with NCCL or HCCL (for example torch.distributed.new_group with the plan's
ranks and backend "nccl" or "hccl") and only the bridge on Gloo. The arithmetic is the same.
"""
import datetime
import os

import torch
import torch.distributed as dist


def _ranks(name):
    return [int(r) for r in os.environ[name].split(",")]


_HOSTED = {}  # port -> the store this process hosts there, kept for the process's life


def store(address, port, host, timeout):
    """The rendezvous store at address:port: hosted here (once per process and port) or a fresh client.

    A host keeps its store across re-formations of the gang, so peers that rejoin find it; a
    restarted host binds the port again. Clients connect anew each time, since the host they
    knew may be a new process."""
    if host:
        if port not in _HOSTED:
            _HOSTED[port] = dist.TCPStore(address, port, None, True, timeout, wait_for_workers=False)
        return _HOSTED[port]
    return dist.TCPStore(address, port, None, False, timeout)


def _group(address, port, ranks, rank, timeout, prefix, generation=0):
    """A Gloo process group of `ranks` with its own store at address:port, hosted by its first rank."""
    s = dist.PrefixStore(f"{prefix}-g{generation}", store(address, port, rank == ranks[0], timeout))
    return dist.ProcessGroupGloo(s, ranks.index(rank), len(ranks), timeout)


class GradientSum:
    """Sums tensors across the gang: over the plan's groups and bridge, or with one flat all-reduce."""

    def __init__(self, rank, flat=False, timeout=datetime.timedelta(seconds=120), generation=0):
        self.rank = rank
        self.flat = flat or "TESSERA_COMM_GROUP_RANKS" not in os.environ
        if self.flat:
            self.describe = "flat all-reduce over the world group"
            return
        self.members = _ranks("TESSERA_COMM_GROUP_RANKS")
        self.leader = int(os.environ["TESSERA_COMM_GROUP_LEADER"])
        self.root = self.members.index(self.leader)
        self.group = _group(os.environ["TESSERA_COMM_GROUP_ADDR"], int(os.environ["TESSERA_COMM_GROUP_PORT"]),
                            self.members, rank, timeout, "group", generation)
        self.bridge = None
        transport = os.environ.get("TESSERA_COMM_BRIDGE", "none")
        if transport != "none" and rank == self.leader:
            self.bridge = _group(os.environ["TESSERA_COMM_BRIDGE_ADDR"], int(os.environ["TESSERA_COMM_BRIDGE_PORT"]),
                                 _ranks("TESSERA_COMM_BRIDGE_RANKS"), rank, timeout, "bridge", generation)
        self.bridged = transport != "none"
        self.describe = (f"hierarchical: group {os.environ.get('TESSERA_COMM_GROUP')} "
                         f"({os.environ.get('TESSERA_COMM_LIBRARY')}, ranks {self.members}, leader {self.leader})"
                         + (f", bridge {transport} between leaders {os.environ['TESSERA_COMM_BRIDGE_RANKS']}"
                            if self.bridged else ", no bridge (one group)"))

    def sum_(self, tensors):
        """Replaces each tensor with its sum over every rank of the gang, in place."""
        if self.flat:
            for t in tensors:
                dist.all_reduce(t, op=dist.ReduceOp.SUM)
            return
        buffer = torch.cat([t.reshape(-1) for t in tensors])
        if not self.bridged:
            self.group.allreduce([buffer]).wait()
        else:
            reduce = dist.ReduceOptions()
            reduce.rootRank, reduce.reduceOp = self.root, dist.ReduceOp.SUM
            self.group.reduce([buffer], reduce).wait()
            if self.bridge is not None:
                self.bridge.allreduce([buffer]).wait()
            broadcast = dist.BroadcastOptions()
            broadcast.rootRank = self.root
            self.group.broadcast([buffer], broadcast).wait()
        at = 0
        for t in tensors:
            n = t.numel()
            t.copy_(buffer[at:at + n].view_as(t))
            at += n
