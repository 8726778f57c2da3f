"""The whole run's time, as one object: what is left, and what a step may take."""
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
