"""Grader stand-in for Weights & Biases: every call is accepted and does nothing."""


class _Anything:
    """Callable, indexable, usable as a context manager; always returns itself."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __bool__(self):
        return False


_anything = _Anything()
run = None
config = _anything


def init(*args, **kwargs):
    return _anything


def login(*args, **kwargs):
    return True


def log(*args, **kwargs):
    pass


def finish(*args, **kwargs):
    pass


def __getattr__(name):
    return _anything
