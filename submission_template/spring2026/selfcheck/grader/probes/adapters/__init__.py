"""The API adapters: how a probe does one thing (build a dense layer, read its parameters,
backpropagate, step an optimizer, compile a model) in an edition's own API.

Probes are written once against an adapter; each edition names its adapter
(``Edition.ADAPTER``) and the trusted side passes that name in every probe's inputs
(``api``), so the reference and the student of one edition run the same calls.
"""
import importlib

ADAPTERS = {"spring2026": "grader.probes.adapters.spring2026:Spring2026Api",
            "fall2025": "grader.probes.adapters.fall2025:Fall2025Api"}


def load(name):
    """The adapter for edition ``name``, bound to the subject's own beras package."""
    module_name, _, class_name = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
