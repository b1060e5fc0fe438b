"""What the ``threeflow anchor`` commands share: settings, the chain, keys, clean failures.

Every failure leaves a command as one JSON line on stderr, ``{"error", "detail"}``, and an
exit code — 1 when the chain, the contract or the database failed, 2 for bad usage or
settings — never as a traceback. A contract's refusal is spelled out with what it means
(``NotOwner(caller=0x…): only the contract owner may do this``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from ledger.anchoring.anchor_client import AnchorContractClient
from ledger.anchoring.anchor_versions import deploy_anchor, open_anchor_client
from ledger.anchoring.chain import Chain
from ledger.anchoring.errors import ChainError, ContractRevert
from ledger.anchoring.settings import IN_PROCESS, AnchorKeyMissing, AnchorSettings
from ledger.anchoring.store import ledger_id_for
from ledger.core.errors import LedgerError
from ledger.log import Ledger


def connect(settings: AnchorSettings) -> Chain:
    """The chain the settings name: an RPC URL, or the in-process EVM."""
    if settings.rpc_url == IN_PROCESS:
        return Chain.in_process()
    return Chain.connect(settings.rpc_url, timeout=settings.rpc_timeout)


def load_settings(**overrides: object) -> AnchorSettings:
    """The settings with the options given on the command line (None: not given)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return AnchorSettings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        fail("invalid_settings", settings_problems(exc), exit_code=2)


def key_from_file(path: Path, what: str) -> LocalAccount:
    """An account from a key file; neither the key nor its text is ever shown."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError:
        raise AnchorKeyMissing(f"cannot read the {what} key file {path}") from None
    try:
        account: LocalAccount = Account.from_key(secret)
    except Exception:  # the key's text must never reach the message
        raise AnchorKeyMissing(f"the {what} key in {path} is malformed") from None
    return account


def existing_client(chain: Chain, contract: str) -> AnchorContractClient:
    """A client of a contract that is there (either version); no code there is said plainly."""
    return open_anchor_client(chain, contract)


def fund_from_dev_account(chain: Chain, account: str, wei: int = 10**19) -> None:
    """Gives ``account`` gas money from a development node's first unlocked account."""
    with chain.translating():
        if chain.w3.eth.get_balance(account) >= wei // 10:  # type: ignore[arg-type]
            return
    sources = chain.dev_accounts()
    if not sources:
        raise ChainError(
            "the node unlocks no account to fund the anchorer from: --deploy is for "
            "development nodes (fund the anchorer and deploy the contract yourself)"
        )
    with chain.translating():
        tx = chain.w3.eth.send_transaction({"from": sources[0], "to": account, "value": wei})  # type: ignore[typeddict-item]
    chain.wait(bytes(tx))


def deploy_for(
    chain: Chain, ledger: Ledger, account: LocalAccount, *, version: int | None = None
) -> AnchorContractClient:
    """Deploys an anchor contract (v2 unless told) owned by ``account``, it the anchorer."""
    fund_from_dev_account(chain, account.address)
    if version is None:
        client = deploy_anchor(chain, sender=account)
    else:
        client = deploy_anchor(chain, sender=account, version=version)
    chain.wait(client.set_anchorer(ledger_id_for(ledger.origin), account.address, sender=account))
    return client


@contextmanager
def guarded() -> Iterator[None]:
    """Turns every ledger, chain and database failure into :func:`fail`."""
    try:
        yield
    except ContractRevert as exc:
        meaning = (type(exc).__doc__ or "").strip().splitlines()[0].rstrip(".")
        _fail_from(exc, f"{exc}: {meaning[:1].lower()}{meaning[1:]}" if meaning else str(exc))
    except LedgerError as exc:  # ChainError among them: the node, the contract, the key
        _fail_from(exc, str(exc))
    except SQLAlchemyError as exc:
        fail("database_error", str(exc).splitlines()[0])


def _fail_from(exc: LedgerError, detail: str) -> NoReturn:
    fail(exc.code, detail)


def fail(code: str, detail: str, *, exit_code: int = 1) -> NoReturn:
    typer.echo(json.dumps({"error": code, "detail": detail}), err=True)
    raise typer.Exit(exit_code)


def settings_problems(exc: ValidationError) -> str:
    """What is wrong with the settings, by field, without the values (a key may be one)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'settings'}: {error['msg']}"
        for error in exc.errors(include_input=False)
    )
