"""Timing for the benches on a shared, noisy machine: min of N batches, CPU time of this process.

The minimum over many short batches is the run least disturbed by other processes; CPU time
(time.process_time) does not count the time the scheduler gave to someone else. A reference loop of
plain Python work is measured the same way in the same run, so figures from different machines (or
loads) can be compared as multiples of it.
"""
import time


def min_batch_seconds(fn, items, repeats=15, budget=10.0):
    """Smallest CPU time of one pass of fn over items, over up to `repeats` passes within `budget` s."""
    best = float("inf")
    clock = time.process_time
    wall_end = time.perf_counter() + budget
    for _ in range(repeats):
        t0 = clock()
        for it in items:
            fn(it)
        best = min(best, clock() - t0)
        if time.perf_counter() > wall_end:
            break
    return best


def min_rate(fn, items, repeats=15, budget=10.0):
    """Items per second of the least disturbed pass."""
    return len(items) / min_batch_seconds(fn, items, repeats, budget)


def _reference(i):
    """A fixed chunk of ordinary interpreter work: split, dict, string building."""
    d = {}
    for part in "a=1;b=2;branch=z9hG4bK74bf9;rport;lr".split(";"):
        k, _, v = part.partition("=")
        d[k.lower()] = v
    return f"{d.get('branch')}:{i}"


def reference_rate(repeats=40, budget=3.0):
    """Calls/s of _reference(): this machine's speed at plain Python, same run, same method.
    Benches measure it before and after their cases and keep the faster (a cold start or a
    burst of load on the other core only ever slows it down)."""
    return min_rate(_reference, range(2000), repeats, budget)
