"""The whole run's time, as one object: what is left, and what a step may take.

A grading run must end within ``total_s`` (the rubric's total_time_budget_s,
under Gradescope's 10-minute limit): ``remaining()`` is what work may still use,
``reserve_s`` excluded (kept for stopping workers and writing results.json).
The training run gets :meth:`TimeBudget.for_training`: what remains then, or the
staff's cap when it is smaller; its own TimeBudget on the same clock, so it can
never reach past the whole run's end. The clock is injectable (tests use a fake).
"""
import time
from dataclasses import dataclass, field


@dataclass
class TimeBudget:
    total_s: float                      # the whole grading run (rubric: total_time_budget_s)
    reserve_s: float = 30.0             # kept back for writing results and the training's setup
    clock: object = time.monotonic
    started: float = field(default=None)

    def __post_init__(self):
        if self.started is None:
            self.started = self.clock()

    def elapsed(self):
        return self.clock() - self.started

    def remaining(self):
        """Seconds left for work, the reserve excluded (never negative)."""
        return max(0.0, self.total_s - self.reserve_s - self.elapsed())

    def allow(self, wanted_s):
        """What a step that wants wanted_s seconds may take now."""
        return min(wanted_s, self.remaining())

    def for_training(self, cap_s=0):
        """The training run's budget, starting now: what remains, or cap_s when smaller
        (0 or None: no cap of its own). Ends no later than this budget's work ends."""
        limit = self.remaining() if not cap_s else min(cap_s, self.remaining())
        return TimeBudget(limit, reserve_s=0.0, clock=self.clock)
