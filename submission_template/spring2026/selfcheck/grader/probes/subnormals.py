"""Flush subnormal floats to zero in the training worker (what torch.set_flush_denormal(True) does).

Why: Adam's first moment of a weight whose gradient is mostly zero (MNIST's border pixels,
dead ReLUs) decays by beta_1 every step until it is a subnormal float, and x86 arithmetic on
subnormals is microcoded - ~40x slower here (`a * 0.9` over 200 000 float32 subnormals:
850 us vs 22 us). A few thousand such entries cost the reference ~25 % of its epoch by the
fifth epoch, and every submission with an Adam the same. With the FTZ/DAZ bits of the SSE
control register set, every result below the smallest normal float (1.2e-38 in float32,
2.2e-308 in float64) is zero instead, and so is every such input. For those moments the
update they carried was below 1e-30; elsewhere a value that small is already past what
float32 training survives (1 / 1e-38 overflows). The reference's ten epochs end at the same
accuracy to the digit either way (97.89 % both, under Gradescope's limits).

Only the final run's worker does this: the behaviour and gradient probes keep IEEE arithmetic.
The control register is per thread and copied into threads started later (NumPy's own and
BLAS's), so this runs before the student's code. glibc's fenv_t is used through ctypes (no
compiled extension): on x86-64 its last 32-bit word is MXCSR; on aarch64 its first is FPCR.
"""
import ctypes
import platform

_MXCSR_FTZ_DAZ = (1 << 15) | (1 << 6)   # x86 MXCSR: flush-to-zero, denormals-are-zero
_FPCR_FZ = 1 << 24                       # aarch64 FPCR: flush-to-zero
_FENV_WORDS = 8                          # fenv_t is 32 bytes on x86-64 (8 on aarch64): room for both


def _libm():
    """glibc's libm by its soname (ctypes.util.find_library would start a subprocess in the
    confined worker); the running program's own symbols when it is not there."""
    try:
        return ctypes.CDLL("libm.so.6")
    except OSError:
        return ctypes.CDLL(None)


def flush_subnormals_to_zero():
    """Set this thread's flush-to-zero mode; True when the platform supports it and it took."""
    word, bits = {"x86_64": (7, _MXCSR_FTZ_DAZ), "aarch64": (0, _FPCR_FZ)}.get(platform.machine(), (None, 0))
    if word is None:
        return False
    try:
        libm = _libm()
        env = (ctypes.c_uint32 * _FENV_WORDS)()
        if libm.fegetenv(env) != 0:
            return False
        env[word] |= bits
        if libm.fesetenv(env) != 0:
            return False
        check = (ctypes.c_uint32 * _FENV_WORDS)()
        return libm.fegetenv(check) == 0 and check[word] & bits == bits
    except (OSError, AttributeError):
        return False
