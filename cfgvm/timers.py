"""A timer queue on the engine clock (sans-IO: nothing here sleeps or reads a clock).

The engine owns one TimerQueue; modules arm timers through it with absolute deadlines computed from
ctx.clock(), and the driver asks `engine.next_deadline()` and calls `engine.tick(now)`:
a dry-run moves its virtual clock straight to the next deadline (30 s of fr_timer pass in
microseconds), `cfgvm run` sleeps on the real clock until then.

    h = timers.arm(now + 0.5, callback, name="A")     # callback(now, out) when due
    h.cancel()                                         # idempotent; a cancelled timer never fires
    timers.next_deadline() -> float | None
    timers.pop_due(now) -> [Timer]                     # in deadline order, then arming order
"""
from __future__ import annotations

import heapq
import itertools
from typing import Callable


class Timer:
    __slots__ = ("deadline", "seq", "callback", "name", "cancelled")

    def __init__(self, deadline: float, seq: int, callback: Callable, name: str):
        self.deadline, self.seq, self.callback, self.name = deadline, seq, callback, name
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def active(self) -> bool:
        return not self.cancelled

    def __lt__(self, other: "Timer") -> bool:
        return (self.deadline, self.seq) < (other.deadline, other.seq)

    def __repr__(self) -> str:
        return f"<Timer {self.name} @{self.deadline:.3f}{' cancelled' if self.cancelled else ''}>"


class TimerQueue:
    def __init__(self):
        self._heap: list[Timer] = []
        self._seq = itertools.count()

    def arm(self, deadline: float, callback: Callable, name: str = "") -> Timer:
        t = Timer(float(deadline), next(self._seq), callback, name)
        heapq.heappush(self._heap, t)
        return t

    def _trim(self) -> None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)

    def next_deadline(self) -> float | None:
        self._trim()
        return self._heap[0].deadline if self._heap else None

    def pop_due(self, now: float) -> list[Timer]:
        """Every live timer whose deadline is <= now, removed from the queue and marked fired
        (cancel() on it afterwards is harmless)."""
        out = []
        while True:
            self._trim()
            if not self._heap or self._heap[0].deadline > now:
                return out
            t = heapq.heappop(self._heap)
            t.cancelled = True          # fired: no longer active
            out.append(t)

    def __len__(self) -> int:
        return sum(1 for t in self._heap if not t.cancelled)
