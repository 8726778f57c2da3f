"""Probes used only by the sandbox tests (the worker imports them by name)."""
import importlib
import os

import numpy as np


def call(module, function, args=None):
    """Import a student module and call one of its functions."""
    return getattr(importlib.import_module(module), function)(*(args or []))


def import_student(module):
    importlib.import_module(module)
    return module


def echo(value):
    return value


def unsendable():
    return object()


def identity_info():
    return {"uid": os.getuid(), "euid": os.geteuid(), "cwd": os.getcwd()}


def read_text(path):
    with open(path) as handle:
        return handle.read()


def allocate_mb(megabytes):
    return int(np.ones(int(megabytes) * 1024 * 1024 // 8).nbytes)
