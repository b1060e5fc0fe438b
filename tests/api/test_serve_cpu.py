"""A single-worker server keeps itself and its threads on one CPU (cheap thread hand-offs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from finance_api.commands import service
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


def test_a_pinned_worker_signs_on_its_own_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[str | None] = []
    monkeypatch.setattr(service, "pin_to_one_cpu", set)
    monkeypatch.setattr(
        service.uvicorn, "run", lambda *_, **__: served.append(os.environ.get(THREADS))
    )
    for name in (THREADS, "THREEFLOW_DB_URL", "THREEFLOW_LEDGER_KEY_FILE"):
        monkeypatch.setenv(name, "")  # what _serve sets is undone after the test
    monkeypatch.delenv(THREADS)
    service._serve("sqlite:///x.db", Path("k"), "127.0.0.1", 0, 1, True)
    assert served == [str(service.PINNED_SIGNATURE_THREADS)] == ["1"]
    monkeypatch.setenv(THREADS, "2")  # the operator's choice stands
    service._serve("sqlite:///x.db", Path("k"), "127.0.0.1", 0, 1, True)
    monkeypatch.delenv(THREADS)
    for workers, pin in ((1, False), (2, True)):  # not pinned: the settings' default
        service._serve("sqlite:///x.db", Path("k"), "127.0.0.1", 0, workers, pin)
    assert served == ["1", "2", None, None]


THREADS = "THREEFLOW_SIGNATURE_THREADS"
