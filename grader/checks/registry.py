"""The check registry: every rubric test the probes answer is one Check, in one list.

A Check names its probe (code that runs in a worker, on the reference and on the
student alike), the probe's inputs (built here, seeded), how to score the answers,
which modules must import for it to run, which submission files its code runs
(for the banned-library policy), and its time allowance. grade() runs the list
uniformly; nothing dispatches on key strings.

Adding a check: a probe (grader/probes/), an entry below, a rubric entry. A test
asserts that the registry's keys and the rubric's keys agree.
"""
from dataclasses import dataclass, field

from grader.checks import behaviour, gradients, properties
from grader.checks.api import score_api
from grader.checks.compare import tolerance_for

CORE = ("beras/__init__.py", "beras/core.py")
LAYERS, ACTIVATIONS, LOSSES = "beras/layers.py", "beras/activations.py", "beras/losses.py"
METRICS, ONEHOT, OPTIMIZERS, MODEL = ("beras/metrics.py", "beras/onehot.py", "beras/optimizers.py",
                                      "beras/model.py")
MODEL_FILES = CORE + (LAYERS, ACTIVATIONS, LOSSES, METRICS, OPTIMIZERS, MODEL)
GRAPH_FILES = CORE + (LAYERS, ACTIVATIONS, LOSSES, MODEL)


@dataclass
class Check:
    key: str                         # the rubric test it scores
    probe: str                       # "grader.probes.module:function"
    args: dict                       # the probe's inputs, chosen and seeded by the grader
    score: object                    # (check, reference answer or None, student answer, settings) -> Outcome
    needs: tuple = ("beras",)        # modules that must import for the probe to run
    files: tuple = CORE              # submission files whose code it runs
    timeout: float = 20.0            # seconds, at most (see grade.SLOWDOWN)
    uses_reference: bool = True      # scored against the reference's answers
    normalize: object = None         # for case-by-case scoring (grader/checks/behaviour.py)
    tolerance: object = field(default=tolerance_for)
    diagnose: object = None
    meta: dict = field(default_factory=dict)   # {case key: what the case is}, read by the three above
    retry_on_memory: dict | None = None   # extra worker environment for one retry after running out of memory


def compare_cases(check, expected, got, settings):
    return behaviour.score_cases(check.key, expected, got, meta=check.meta, normalize=check.normalize,
                                 tolerance=check.tolerance, diagnose=check.diagnose,
                                 hint_detail=settings["hint_detail"])


def compare_gradients(check, expected, got, settings):
    note = gradients.ACCUMULATION_NOTE if check.key == "gradients.accumulation" else ""
    return gradients.score_gradients(check.key, expected, got, settings, informational_note=note)


def _behaviour(spec, files, **extra):
    """A behaviour.Check (inputs, tolerance, hints) as a registry entry."""
    return Check(spec.key, spec.probe, spec.args, compare_cases, files=files, timeout=spec.timeout,
                 normalize=spec.normalize, tolerance=spec.tolerance, diagnose=spec.diagnose, meta=spec.meta,
                 **extra)


def standard_checks(edition, seed=0):
    """The registry both editions share, in the edition's own API: its adapter (``edition.NAME``),
    its dense layer's name (labels, specs), API table and the files its gradients run (GRADIENT_FILES). ``seed`` picks the inputs (the
    platform's differ from the students' self-check)."""
    api, dense = edition.NAME, edition.ADAPTER.DENSE
    b = {spec.key: spec for spec in behaviour.behaviour_checks(seed, api=api, dense=dense,
                                                                 clipping=edition.CCE_MUST_CLIP)}
    a = {"api": api}

    def gradient_check(key, function, cases):
        return Check(key, f"grader.probes.gradients:{function}", {**a, **cases}, compare_gradients,
                     files=GRAPH_FILES + edition.GRADIENT_FILES, timeout=60)

    return [
        Check("api", "grader.probes.api:describe", {"entries": edition.API},
              lambda check, _, got, settings: score_api(check.key, check.args["entries"], got),
              needs=(), files=(), uses_reference=False),
        _behaviour(b["behaviour.tensor"], CORE),
        _behaviour(b["behaviour.weighted"], CORE + (LAYERS,)),
        _behaviour(b["behaviour.linear"], CORE + (LAYERS,)),
        Check("behaviour.initializers", "grader.probes.components:initializers",
              {**a, **properties.initializer_args(dense)},
              lambda check, _, got, settings: properties.score_initializers(check.key, got, check.args),
              files=CORE + (LAYERS,), uses_reference=False),
        _behaviour(b["behaviour.activations"], CORE + (ACTIVATIONS,)),
        _behaviour(b["behaviour.losses"], CORE + (LOSSES,)),
        _behaviour(b["behaviour.metrics"], CORE + (METRICS,)),
        Check("behaviour.onehot", "grader.probes.components:onehot", {**a, **properties.onehot_args()},
              lambda check, _, got, settings: properties.score_onehot(check.key, got, check.args),
              files=CORE + (ONEHOT,), uses_reference=False),
        _behaviour(b["behaviour.optimizers"], CORE + (OPTIMIZERS,)),
        _behaviour(b["behaviour.model"], MODEL_FILES + edition.GRADIENT_FILES),   # batch_step's gradients
        _behaviour(b["behaviour.preprocess"], CORE + ("preprocess.py",), needs=("beras", "preprocess"),
                   retry_on_memory=behaviour.PREPROCESS_SUBSET_ENV),
        gradient_check("gradients.layers", "layer_alone", gradients.layer_cases(seed, dense)),
        gradient_check("gradients.models", "sequential", gradients.model_cases(seed, dense)),
        gradient_check("gradients.general_graph", "general_graph", gradients.general_graph_cases(seed, dense)),
        gradient_check("gradients.accumulation", "accumulation", gradients.accumulation_cases(seed, dense)),
    ]
