"""The final training run (FINAL.txt): how a run is scored and reported.

Judgement only: the run itself (a worker of its own, one epoch per call, the
time budget) is grader/runner/training.py, which hands a Run here.

Score: accuracy >= final_full_accuracy earns everything, <= final_zero_accuracy
nothing, linear between. Errors (an exception, NaN loss, predictions of the
wrong shape, memory exhausted) earn nothing and say where and why.
Design notes and measured numbers: docs/staff_final.md.
"""
import math


from grader.results.outcome import Outcome

KEY = "final.accuracy"
DATA_DTYPE = "float32"
SLOW_EPOCH_S = 8.0           # the reference: ~1 s per epoch here (2 cores), ~3-4 s on Gradescope's half CPU

SLOW_HINT = ("the reference library trains one epoch in about 1 s on the grading machine's CPU. The "
             "usual causes are a Python loop over the samples of a batch (a per-sample loop in "
             "get_weight_gradients or get_input_gradients) and a tiled (batch, in, out) weight gradient: "
             "vectorize them (np.einsum, matmul on whole batches, x.T @ J for dL/dw). Time spent in the "
             "course's given compose loops is expected and is within the budget's design.")


def not_requested():
    return Outcome(KEY, 0.0, "Not requested. Add an empty file named FINAL.txt next to assignment.py "
                             "when you want the grader to train your get_model() on MNIST and score "
                             "its test accuracy (this takes a few minutes; in the self-check, "
                             "python run_autograder --final does the same without the file).")


def score_fraction(accuracy, settings):
    """1 at >= final_full_accuracy, 0 at <= final_zero_accuracy, linear between."""
    full, zero = settings["final_full_accuracy"], settings["final_zero_accuracy"]
    if accuracy is None or not math.isfinite(accuracy):
        return 0.0
    return min(1.0, max(0.0, (accuracy - zero) / (full - zero)))


# ------------------------------------------------------------------ the run, as data

class Run:
    """What happened: per-epoch rows, and why training ended."""

    def __init__(self, settings, budget_s=None):
        self.settings = settings
        self.budget_s = budget_s if budget_s is not None else (
            settings["final_time_budget_s"] or settings["total_time_budget_s"])
        self.epochs = []          # {"epoch", "accuracy", "seconds", "fit_seconds", "history", "profile"}
        self.failure = None       # text: an error that earns nothing
        self.stopped = None       # text: time ran out before the last epoch; the last finished one is scored
        self.predictions = None   # the last scored epoch's predicted test labels
        self.setup_seconds = 0.0
        self.total_seconds = 0.0
        self.profile = None
        self.printed = ""

    @property
    def accuracy(self):
        return self.epochs[-1]["accuracy"] if self.epochs else None


# ------------------------------------------------------------------ the report

def report(run, settings):
    full, zero = settings["final_full_accuracy"], settings["final_zero_accuracy"]
    lines = []
    extra = {"epochs_run": len(run.epochs), "epoch_seconds": [round(r["seconds"], 2) for r in run.epochs],
             "accuracy_curve": [round(r["accuracy"], 4) for r in run.epochs],
             "setup_seconds": round(run.setup_seconds, 2), "total_seconds": round(run.total_seconds, 2),
             "batch_size": settings["final_batch_size"], "data_dtype": DATA_DTYPE}
    if run.failure:
        fraction, board = 0.0, None
        lines.append(run.failure)
    elif not run.epochs:
        fraction, board = 0.0, None
        lines.append(run.stopped or "No epoch finished.")
    else:
        acc = run.accuracy
        fraction = score_fraction(acc, settings)
        board = [{"name": "Accuracy", "value": round(acc, 4), "order": "desc"}]
        lines.append(f"Test accuracy {acc:.2%} after {len(run.epochs)} epoch(s) "
                     f"(goal: {full:.0%} within {settings['final_epochs']} epochs).")
        if run.stopped:
            lines.append(run.stopped)
        extra["accuracy"] = acc
    lines.append(f"Scoring: full marks at >= {full:.1%} test accuracy, none at <= {zero:.1%}, linear between"
                 f"; this run earns {fraction:.1%} of the points.")
    if run.epochs:
        lines.append("")
        lines.append(f"epoch  test accuracy  train loss  seconds   (batch size {settings['final_batch_size']}, "
                     f"{DATA_DTYPE} inputs in [0, 1], one-hot labels)")
        for r in run.epochs:
            loss = r["history"].get("loss")
            loss = f"{loss:.4f}" if isinstance(loss, float) else str(loss or "-")
            lines.append(f"{r['epoch']:>5}  {r['accuracy']:>12.2%}  {loss:>10}  {r['seconds']:>7.1f}")
        lines.append(f"Training took {run.total_seconds:.0f} s of the {run.budget_s:.0f} s "
                     f"budget (building the model: {run.setup_seconds:.1f} s).")
    slowest = max((r["fit_seconds"] for r in run.epochs), default=0.0)
    profile = run.profile or (run.epochs[-1]["profile"] if run.epochs else None)
    if slowest > SLOW_EPOCH_S or run.stopped is not None:  # slow epochs, or time ran out
        lines.append(f"Slow training: {SLOW_HINT}")
        where = _profile_text(profile)
        if where:
            lines.append(where)
    return Outcome(KEY, fraction, "\n".join(lines), extra_data={"final": extra}, leaderboard=board)


def _profile_text(profile):
    if not isinstance(profile, dict) or not profile.get("samples") or not profile.get("top"):
        return ""
    total = profile["samples"]
    parts = [f"  {n / total:5.0%}  {where}" for where, n in profile["top"][:3]]
    return "Where your code spent its time (share of samples taken during training):\n" + "\n".join(parts)
