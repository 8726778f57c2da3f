"""A numeric gradient checker (NumPy only), in the spirit of torch.autograd.gradcheck.

    numeric = numeric_gradient(lambda: float(loss()), w)   # central differences
    report = compare(analytic, numeric, rtol=1e-6, atol=1e-8)
    assert report.ok, report.describe()

Definitions (per entry, a = analytic, n = numeric):
    abs error = |a - n|
    rel error = |a - n| / max(|a|, |n|, TINY)          (CS231n-style)
    ok        = every entry has |a - n| <= atol + rtol * max(|a|, |n|)
So atol covers entries whose true value is ~0, where the relative error means nothing.
Use float64 for both the function and x: with eps = 1e-6 the central difference
has truncation error ~eps^2 and round-off error ~1e-16 * |f| / eps.
"""
from dataclasses import dataclass, field

import numpy as np

TINY = 1e-300


def numeric_gradient(f, x, eps=1e-6):
    """d f() / d x by central differences; f takes no argument and returns a scalar.

    x (an ndarray or a subclass such as a Beras Tensor) is perturbed in place, one
    entry at a time, and always restored. Returns a float64 array shaped like x.
    """
    if not np.issubdtype(np.asarray(x).dtype, np.floating):
        raise TypeError(f"numeric_gradient needs a floating-point array, got {np.asarray(x).dtype}")
    grad = np.zeros(np.shape(x), dtype=np.float64)
    for index in np.ndindex(*np.shape(x)):
        original = x[index].copy()
        try:
            x[index] = original + eps
            plus = np.asarray(f(), dtype=np.float64).item()
            x[index] = original - eps
            minus = np.asarray(f(), dtype=np.float64).item()
        finally:
            x[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@dataclass
class GradReport:
    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple | None          # index (into the numeric gradient) of the largest rel error
    analytic_shape: tuple | None       # None when the analytic gradient is None
    numeric_shape: tuple
    rtol: float
    atol: float
    analytic: np.ndarray | None = field(default=None, repr=False)
    numeric: np.ndarray | None = field(default=None, repr=False)
    hints: list = field(default_factory=list)

    def __bool__(self):
        return self.ok

    def describe(self, name="gradient"):
        """A short human-readable account: shapes, a few values, the worst entry, hints."""
        status = "OK" if self.ok else "WRONG"
        lines = [f"{name}: {status} (expected shape {self.numeric_shape}, got "
                 f"{'None' if self.analytic_shape is None else self.analytic_shape})"]
        if self.analytic is not None and self.analytic.shape == self.numeric.shape:
            lines.append(f"  max abs error {self.max_abs_error:.3g}, max rel error "
                         f"{self.max_rel_error:.3g} (rtol {self.rtol:g}, atol {self.atol:g})")
            if self.worst_index is not None:
                i = self.worst_index
                lines.append(f"  worst entry {i}: expected {self.numeric[i]:.8g}, got {self.analytic[i]:.8g}")
        lines.append(f"  expected (finite differences) {_few(self.numeric)}")
        if self.analytic is not None:
            lines.append(f"  got (analytic)                {_few(self.analytic)}")
        lines += [f"  hint: {h}" for h in self.hints]
        return "\n".join(lines)


def _few(a, k=5):
    flat = np.ravel(a)
    shown = ", ".join(f"{v:.6g}" for v in flat[:k])
    return f"[{shown}{', ...' if flat.size > k else ''}]"


def _hints(a, n, atol, subject="the analytic gradient"):
    """Guess the cause of a mismatch of same-shaped arrays."""
    if not np.any(a):
        return [f"{subject} is all zeros (was it never computed or stored?)"]
    big = (np.abs(n) > 100 * atol) & (np.abs(a) > 100 * atol) & np.isfinite(a) & np.isfinite(n)
    if not np.any(big):
        return []
    ratio = a[big] / n[big]
    r = float(np.median(ratio))
    if not np.allclose(ratio, r, rtol=1e-3, atol=0):
        if a.ndim == 2 and a.shape[0] == a.shape[1] and np.allclose(a.T, n, rtol=1e-4, atol=atol):
            return [f"{subject} is the transpose of the expected one"]
        return []
    if abs(r + 1) < 1e-3:
        return ["the sign is flipped (analytic = -numeric)"]
    if abs(r - 1) < 1e-3:
        return []
    for value, word in ((r, "too large"), (1 / r, "too small")):
        k = round(abs(value))
        if k >= 2 and abs(abs(value) - k) < 1e-3 * k:
            sign = " and the sign is flipped" if value < 0 else ""
            return [f"off by a factor of {k} ({word}{sign}) - a missing or extra 1/batch "
                    f"(or 1/size) when the batch or size is {k}?"]
    return [f"{subject} = {r:.6g} x the expected values everywhere: a constant factor is wrong"]


def compare(analytic, numeric, *, rtol=1e-6, atol=1e-8, subject="the analytic gradient"):
    """Check an analytic gradient against a numeric one; return a GradReport.

    ``subject`` names what is checked in the hints (e.g. "your values" for a forward pass)."""
    n = np.asarray(numeric, dtype=np.float64)
    common = dict(numeric_shape=n.shape, rtol=rtol, atol=atol, numeric=n)
    if analytic is None:
        return GradReport(False, np.inf, np.inf, None, None, analytic=None, **common,
                          hints=["the analytic gradient is None (never computed or stored?)"])
    a = np.asarray(analytic, dtype=np.float64)
    if a.shape != n.shape:
        hint = f"the analytic gradient has shape {a.shape} but the parameter/input has shape {n.shape}"
        if a.ndim == 2 and a.T.shape == n.shape and np.allclose(a.T, n, rtol=1e-4, atol=atol):
            hint += " (it is the transpose of the expected gradient)"
        elif a.size == n.size:
            hint += " (same number of entries: reshape it like the parameter)"
        return GradReport(False, np.inf, np.inf, None, a.shape, analytic=a, **common, hints=[hint])
    with np.errstate(invalid="ignore"):   # inf - inf
        diff = np.abs(a - n)
    scale = np.maximum(np.abs(a), np.abs(n))
    with np.errstate(invalid="ignore"):  # NaN entries stay NaN and are reported as failing
        rel = diff / np.maximum(scale, TINY)
    bad = ~((diff <= atol + rtol * scale) | (a == n))      # also catches NaN
    # An infinity matches only the same infinity: otherwise its own size (in scale) would excuse it.
    bad |= (np.isinf(a) | np.isinf(n)) & (a != n)
    ok = not np.any(bad)
    worst = None
    if a.size:
        # Report the worst entry among the failing ones if any, else the largest relative error.
        key = np.where(bad, np.nan_to_num(rel, nan=np.inf) + 1.0, np.nan_to_num(rel, nan=np.inf))
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(key)), a.shape))
    hints = [] if ok else _hints(a, n, atol, subject)
    if not ok and not np.all(np.isfinite(a)):
        hints.insert(0, f"{subject} contains NaN or inf")
    return GradReport(ok, float(diff.max(initial=0.0)), float(rel.max(initial=0.0)), worst, a.shape,
                      analytic=a, **common, hints=hints)
