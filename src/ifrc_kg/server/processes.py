"""What ``/proc`` says about processes: CPU time, time waiting for a CPU, resident memory
and the process tree.

The query pool reads a worker's CPU time to tell a slow query from one that waits for a
core; the load bench and the hostile-query tests read the same numbers to see that stopped
queries stop using CPU. Linux only, like the pool's memory limit; a process that is gone
counts as zero.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of ``/proc/PID/stat`` after the command name (which may hold spaces)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def stat_cpu_seconds(stat: bytes) -> float:
    """CPU time (user + system) in the text of a ``/proc/PID/stat``, in seconds.

    >>> stat_cpu_seconds(b"7 (a b) S 1 7 7 0 -1 0 0 0 0 0 250 50 0 0")
    3.0
    """
    fields = stat.rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


class ProcessCpu:
    """A process's CPU time read through a ``/proc/PID/stat`` kept open: one ``pread``
    (the pool reads it before every query) instead of an open, a read and a close."""

    def __init__(self, pid: int) -> None:
        try:
            self._fd: int | None = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def seconds(self) -> float:
        if self._fd is None:
            return 0.0
        try:
            return stat_cpu_seconds(os.pread(self._fd, 4096, 0))
        except (OSError, IndexError, ValueError):
            return 0.0  # gone

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def cpu_seconds(pids: Iterable[int]) -> float:
    """CPU time (user + system) the processes have used, in seconds."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / _TICKS


def resident_bytes(pid: int) -> int:
    """The process's resident set size (what the pool's memory limit is checked against)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def run_queue_wait_seconds(pid: int, thread: int | None = None) -> float:
    """How long a thread (default: the process's main thread) has been ready to run but
    waiting for a CPU (``/proc/PID/task/TID/schedstat``, second field, in ns): the share of
    a latency that is the machine's, not the program's."""
    try:
        with open(f"/proc/{pid}/task/{thread or pid}/schedstat", "rb") as schedstat:
            return int(schedstat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    return _parents().get(pid, [])


def descendants(pid: int) -> list[int]:
    """The process and every process below it."""
    parents = _parents()
    found, stack = [pid], [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _parents() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                tree[int(fields[1])].append(int(entry))
    return tree
