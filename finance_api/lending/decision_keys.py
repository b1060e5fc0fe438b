"""The keys lenders register with the service to sign their automatic decisions.

A decision is the lender's act, so it is signed with a key of the lender's, never the
platform's. A lender that wants decisions in a second without a person (MYbank's "3-1-0")
has the operator register a *second* key of its own on the ledger (``participant.key_added``,
kept apart from the key it signs drawdowns and everything else with) and places that key
with this service: one file per lender, ``<lender id>.key`` (the hex seed, as
``threeflow keygen`` writes it), in the directory ``THREEFLOW_CREDIT_DECISION_KEYS_DIR``. The
service signs only ``credit.decision`` events with it, each under the policy the lender
set; every decision names the key that signed it (its ``key_id``), so an auditor tells a
delegated decision from one the lender signed itself, and the lender withdraws the
delegation by revoking that key alone. A lender without a key here has its applications
refused (``no_decision_key``), and decides by posting its own signed ``credit.decision``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ledger.core.keys import SigningKey
from ledger.keyfile import load

ENV = "THREEFLOW_CREDIT_DECISION_KEYS_DIR"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-@+]{0,199}$")


def from_dir(folder: Path) -> dict[str, SigningKey]:
    """lender id -> decision key, one ``<lender>.key`` file each."""
    keys = {}
    for path in sorted(folder.glob("*.key")):
        if _NAME.match(path.stem):
            keys[path.stem] = load(path)
    return keys


def from_env(environ: Mapping[str, str] = os.environ) -> dict[str, SigningKey]:
    folder = environ.get(ENV)
    return from_dir(Path(folder)) if folder else {}
