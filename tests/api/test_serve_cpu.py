"""A single-worker server keeps itself and its threads on one CPU (cheap thread hand-offs)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from finance_api.commands.service import one_cpu


def test_the_highest_allowed_cpu_is_kept() -> None:
    assert one_cpu({0, 1}) == {1}
    assert one_cpu({2, 5, 3}) == {5}
    assert one_cpu({0}) == {0}


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux affinity only")
def test_pinning_holds_for_the_process_and_the_threads_it_starts() -> None:
    script = (
        "import os, threading\n"
        "from finance_api.commands.service import pin_to_one_cpu\n"
        "before = os.sched_getaffinity(0)\n"
        "after = pin_to_one_cpu()\n"
        "seen = []\n"
        "t = threading.Thread(target=lambda: seen.append(os.sched_getaffinity(0)))\n"
        "t.start(); t.join()\n"
        "print(sorted(before), sorted(after), sorted(seen[0]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split("] [")
    before, after, thread = (part.strip("[]\n ") for part in out)
    allowed = [int(c) for c in before.split(", ")]
    assert after == thread == str(max(allowed))
