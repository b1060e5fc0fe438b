"""How deeply a JSON text nests, measured without parsing it.

CPython's C JSON scanner recurses once per level; on a thread with a small C stack (a
thread pool, a test client's portal) a few ten thousand ``[`` overflow it with a
segmentation fault before any RecursionError. Every JSON body we accept from outside is
measured with :func:`too_deep` first.
"""

from __future__ import annotations

import re

_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def too_deep(data: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit``, found without recursing.

    The C JSON scanner recurses once per level and can exhaust a thread's C stack (a
    segmentation fault, not a RecursionError) on a few ten thousand ``[``; so depth is
    measured first, by a regex jump over everything but brackets, quotes and escapes.
    """
    depth = 0
    in_string = False
    escaped = -1
    for match in _STRUCTURE.finditer(data):
        pos = match.start()
        char = data[pos]
        if in_string:
            if pos == escaped:
                continue
            if char == 0x5C:
                escaped = pos + 1
            elif char == 0x22:
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif char in (0x5D, 0x7D):
            depth -= 1
    return False
