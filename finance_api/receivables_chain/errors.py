"""The receivable registry's reverts: lending refusals that came from the contract.

Each class is both the chain's :class:`~ledger.anchoring.errors.ContractRevert` and the
lending error of the same rule, so ``except AlreadyFinanced`` catches a double financing
whether this deployment's projection or the shared registry refused it. ``code`` and
``status`` are set explicitly (through the MRO the chain's would win). Importing this
module registers the classes with the revert decoder.
"""

from __future__ import annotations

from finance_api.lending import receivable_errors as lending
from ledger.anchoring.errors import ContractRevert, register_reverts


class AlreadyFinanced(ContractRevert, lending.AlreadyFinanced):
    """The double financing, refused on chain whoever asks."""

    error_name = "AlreadyFinanced"
    code = lending.AlreadyFinanced.code
    status = lending.AlreadyFinanced.status


class NotFinanced(ContractRevert, lending.UnknownFinancing):
    error_name = "NotFinanced"
    code = lending.UnknownFinancing.code
    status = lending.UnknownFinancing.status


class NotFinancier(ContractRevert, lending.NotFinancingLender):
    error_name = "NotFinancier"
    code = lending.NotFinancingLender.code
    status = lending.NotFinancingLender.status


class AlreadyDischarged(ContractRevert, lending.FinancingClosed):
    error_name = "AlreadyDischarged"
    code = lending.FinancingClosed.code
    status = lending.FinancingClosed.status


register_reverts(AlreadyFinanced, NotFinanced, NotFinancier, AlreadyDischarged)
