"""The receipt registry's reverts: finance refusals that came from the contract.

Each class is both the chain's :class:`~ledger.anchoring.errors.ContractRevert` (with the
decoded revert arguments and data) and the finance domain's error of the same rule, so
``except finance_api.domain.errors.AlreadyPledged`` catches a double pledge whether the
finance service's own rules or the shared registry refused it. ``code`` and ``status`` are
set explicitly: through the MRO the chain's ``contract_revert`` would win. Importing this
module registers the classes with the revert decoder.
"""

from __future__ import annotations

from finance_api.domain import errors as domain
from ledger.anchoring.errors import ContractRevert, register_reverts


class AlreadyAdmitted(ContractRevert, domain.AlreadyAdmitted):
    error_name = "AlreadyAdmitted"
    code = domain.AlreadyAdmitted.code
    status = domain.AlreadyAdmitted.status


class NotAdmittedWarehouse(ContractRevert, domain.NotAdmittedWarehouse):
    error_name = "NotAdmittedWarehouse"
    code = domain.NotAdmittedWarehouse.code
    status = domain.NotAdmittedWarehouse.status


class AlreadyRegistered(ContractRevert, domain.AlreadyRegistered):
    error_name = "AlreadyRegistered"
    code = domain.AlreadyRegistered.code
    status = domain.AlreadyRegistered.status


class UnknownReceipt(ContractRevert, domain.UnknownReceipt):
    error_name = "UnknownReceipt"
    code = domain.UnknownReceipt.code
    status = domain.UnknownReceipt.status


class AlreadyCancelled(ContractRevert, domain.AlreadyCancelled):
    error_name = "AlreadyCancelled"
    code = domain.AlreadyCancelled.code
    status = domain.AlreadyCancelled.status


class AlreadyPledged(ContractRevert, domain.AlreadyPledged):
    """The double pledge, refused on chain whoever asks."""

    error_name = "AlreadyPledged"
    code = domain.AlreadyPledged.code
    status = domain.AlreadyPledged.status


class NotHolder(ContractRevert, domain.NotHolder):
    error_name = "NotHolder"
    code = domain.NotHolder.code
    status = domain.NotHolder.status


class NotPledged(ContractRevert, domain.NotPledged):
    error_name = "NotPledged"
    code = domain.NotPledged.code
    status = domain.NotPledged.status


class NotPledgee(ContractRevert, domain.NotPledgee):
    error_name = "NotPledgee"
    code = domain.NotPledgee.code
    status = domain.NotPledgee.status


class NotIssuer(ContractRevert, domain.NotIssuer):
    error_name = "NotIssuer"
    code = domain.NotIssuer.code
    status = domain.NotIssuer.status


class StillPledged(ContractRevert, domain.StillPledged):
    error_name = "StillPledged"
    code = domain.StillPledged.code
    status = domain.StillPledged.status


register_reverts(
    AlreadyAdmitted,
    NotAdmittedWarehouse,
    AlreadyRegistered,
    UnknownReceipt,
    AlreadyCancelled,
    AlreadyPledged,
    NotHolder,
    NotPledged,
    NotPledgee,
    NotIssuer,
    StillPledged,
)
