"""The worker process of the two-core feature pass (:mod:`credit.features.halves`).

Run as ``python -m credit.features.half_worker`` by that module, never by hand: it reads
passes (pickles) on its standard input and answers each with the fold of the second half
on its standard output, until its input closes. Its own module, so that the process that
starts it never imports it and it never imports the caller's main module.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import IO, Any

from credit.features.halves import fold_second


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """A pass per request until ``requests`` closes; each answer names its request."""
    while True:
        try:
            number, url, tree_size, at = pickle.load(requests)
        except EOFError:
            return
        answer: tuple[int, str, Any]
        try:
            answer = (number, "ok", fold_second(url, tree_size, at))
        except Exception as error:  # reported to the caller, which folds the half itself
            answer = (number, "error", f"{type(error).__name__}: {error}")
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    # the answers go to a copy of standard output; anything printed goes to standard error
    _answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, _answers)
