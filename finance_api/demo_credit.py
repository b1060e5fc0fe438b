"""The demo's credit part: train a model on the demo ledger and let the server score with it.

Trains the scorecard on the simulated demo ledger (as-of points across its year, labels
from the ledger), writes the platform's scoring key beside it (the simulation's
seed-derived key of ``platform-0001``: research data, never production), points the
server at both through the environment, and gives a lender a key and a seller's consent,
so the printed ``curl`` lines answer a score straight away.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SCORER = "platform-0001"
SELLER = "seller-000001"
LENDER = "lender-0001"
SEED = 7  # the demo simulation's seed


def prepare(
    db: str, key_file: Path, table: Any, port: int, models: Path = Path("var/credit-models")
) -> None:
    """Train, configure the server's credit routes, and add what was done to ``table``."""
    from credit.errors import CreditError
    from credit.scoring.training import train
    from finance_api import demo_decisions
    from finance_api.auth import create_api_key
    from ledger.core.events import Event, format_timestamp
    from ledger.log import Ledger
    from simulations.signer import agent_key

    with Ledger.open(db, key_file=key_file) as ledger:
        try:
            trained = train(ledger, models, created_at=datetime.now(UTC))
        except CreditError as exc:
            table.add_row("credit model", f"not trained: {exc}")
            return
        scorer_key = models / "credit-scorer.key"
        scorer_key.write_text(agent_key(SEED, SCORER).seed.hex() + "\n")
        scorer_key.chmod(0o600)
        now = ledger.clock.now()
        ledger.append(Event.create(
            agent_key(SEED, SELLER), flow="information", type="consent.granted", actor=SELLER,
            payload={"consent_id": f"demo-consent-{now:%Y%m%d%H%M%S}", "subject": SELLER,
                     "grantee": LENDER, "scope": ["score"],
                     "expires_at": format_timestamp(now + timedelta(days=30))},
            occurred_at=now, subjects=[LENDER],
        ))  # fmt: skip
        ledger.checkpoint()
        lender_key = create_api_key(ledger, LENDER, "demo", now)
        decided = demo_decisions.run(ledger, trained.folder, models / "decision-keys")
        decided += demo_decisions.book(ledger, lender_key, port)
    os.environ["THREEFLOW_CREDIT_MODEL"] = str(trained.folder)
    os.environ["THREEFLOW_CREDIT_SCORER"] = SCORER
    os.environ["THREEFLOW_CREDIT_SCORER_KEY_FILE"] = str(scorer_key)
    auc = trained.performance.get("oot_auc")
    table.add_row(
        "credit model",
        f"{trained.folder} ({trained.train_rows} training rows"
        + (f", out-of-time AUC {auc:.3f})" if auc is not None else ")"),
    )
    table.add_row(
        "credit scores",
        f"curl -H 'X-API-Key: {lender_key}' http://127.0.0.1:{port}/v1/credit/{SELLER} "
        f"(as {LENDER}, with {SELLER}'s consent; recorded on the ledger)",
    )
    for what, value in decided:
        table.add_row(what, value)
