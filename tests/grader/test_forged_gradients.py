"""Gradient points cannot be forged from inside the worker (issue: 18 points for a broken backward).

A student's worker reports its own finite differences; the grader must not believe
them. Each attack pairs a backward that does nothing (gradients all zero) with a way
to make the worker's finite differences agree: a patched checker, or a forward that
turns constant when it sees the gradient probe on the stack. Both must earn no
gradient points, on both bases, while the rest of the submission keeps its points.
"""
import pytest

from tests.grader.submissions import BASES, assert_complete, by_number, grade_json, losers, make_submission, summary

GRADIENTS = {"3.1", "3.2", "3.3"}

ZERO_BACKWARD = """
    def _zero_backward(self, grad=None):
        for p in self.parameters:
            p.grad = np.zeros(np.shape(p))
        for x in self.inputs:
            if callable(getattr(x, "backward", None)):
                x.backward([np.zeros(np.shape(x))])
    Diffable.backward = _zero_backward
    """

PATCHED_REPORT = ZERO_BACKWARD + """
    import sys as _sys
    def _agreeing_report(loss_of, params, captured, inputs):
        # finite differences "measured" as zero, like the zero backward, and a loss that
        # is not the reference's (so that no comparison with it is made)
        zeros = {name: np.zeros(np.shape(t)) for name, t in {**params, **inputs}.items()}
        return {"analytic": dict(zeros), "numeric": dict(zeros), "loss": 12345.0}
    for _name, _module in list(_sys.modules.items()):
        if _name.startswith("grader") and hasattr(_module, "_report"):
            _module._report = _agreeing_report
    """

CONSTANT_UNDER_THE_PROBE = ZERO_BACKWARD + """
    import sys as _sys
    _honest_call = Diffable.__call__
    def _call_that_goes_flat(self, *args, **kwargs):
        out = _honest_call(self, *args, **kwargs)
        frame = _sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename.endswith("gradients.py"):  # the gradient probe: a flat forward
                out[...] = 0.5
                break
            frame = frame.f_back
        return out
    Diffable.__call__ = _call_that_goes_flat
    """


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("attack", [PATCHED_REPORT, CONSTANT_UNDER_THE_PROBE], ids=["patched_report", "flat_forward"])
def test_a_zero_backward_earns_no_gradient_points_however_the_worker_lies(tmp_path, base, attack):
    results = grade_json(make_submission(tmp_path, base=base, overrides={"beras/core.py": attack}))
    assert_complete(results)
    tests = by_number(results)
    for number in GRADIENTS:
        assert tests[number]["score"] == 0, summary(results)
    # model training uses the same backward, and nothing else is touched
    assert losers(results) <= GRADIENTS | {"2.10"}, summary(results)
