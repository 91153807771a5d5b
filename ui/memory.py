"""Freed memory back to the system after each page run (Linux with glibc; a no-op elsewhere).

A page run on a big table makes and drops arrays of tens of MB. glibc keeps freed blocks in the
arena of the thread that freed them, for that thread's next allocations, and each session's
script runs on threads of its own; so without this the server's resident memory grows by every
session's peak, not by what the sessions hold. malloc_trim(0) hands the free pages of every
arena back (it takes milliseconds).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (macOS, Windows, musl)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def release() -> None:
    """Return the pages freed by this run to the system."""
    if (trim := _malloc_trim()) is not None:
        trim(0)
