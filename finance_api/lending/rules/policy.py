"""Automatic credit decisions: knock-outs, a PD cut-off, a limit formula, and overrides.

The engine takes what a scorer says about the applicant through :class:`Assessment` (PD,
score, reasons, model version and the checkpoint it was computed from), so any scorer that
answers that protocol plugs in: the credit models' scorer, or a fixed one in tests. Rules
run in a fixed order and every one is recorded with its outcome, so a decision says what
decided it:

1. knock-outs: a fraud score at or over ``fraud_decline`` declines, over ``fraud_refer``
   refers; an active default (a line or loan in default now) declines;
2. the cut-off: PD over ``pd_decline_ppm`` declines, over ``pd_refer_ppm`` refers;
3. the limit: ``min(requested, cap, revenue_share x six months' revenue) - existing
   exposure``, rounded down to ``limit_step``; under ``min_limit`` it declines. A secured
   application (``borrowing_base`` set: the advance value of the collateral pledged to
   this lender) replaces the revenue cap by the borrowing base, as asset-based lenders do;
   an applicant the scorer has no file on (``thin_file``) is referred, not scored.

A decline, or an approval for less than was asked, carries adverse-action reasons: at most
four, specific, from the ledger's reason codes (Regulation B), the rules' own first and then
the scorer's principal reasons. A lender overrides a decision with a reason, which is kept
beside the automatic outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from finance_api.lending.errors import InvalidSetting
from ledger.core.event_types.credit import DECLINE_REASONS

Outcome = Literal["approve", "refer", "decline"]
MAX_REASONS = 4
EVENT_DECISION = {"approve": "approved", "refer": "review", "decline": "declined"}


class Assessment(Protocol):
    """What a scorer says of an applicant (the credit models' scores answer this)."""

    @property
    def pd_ppm(self) -> int: ...
    @property
    def score(self) -> int: ...
    @property
    def reasons(self) -> Sequence[str]: ...
    @property
    def model_version(self) -> str: ...
    @property
    def checkpoint(self) -> tuple[int, str] | None: ...


@dataclass(frozen=True, slots=True)
class FixedAssessment:
    """An :class:`Assessment` given as values (tests, or a score read from the ledger)."""

    pd_ppm: int
    score: int = 0
    reasons: Sequence[str] = ()
    model_version: str = "fixed"
    checkpoint: tuple[int, str] | None = None


@dataclass(frozen=True, slots=True)
class Application:
    application_id: str
    applicant: str
    lender: str
    requested: int
    currency: str = "USD"
    product: str = "credit_line"
    revenue_6m: int = 0  # what the applicant was paid over six months (minor units)
    existing_exposure: int = 0  # what it owes this lender already
    active_default: bool = False
    fraud_points: int = 0
    fraud_reasons: Sequence[str] = ()
    borrowing_base: int | None = None  # secured: advance value of the pledged collateral
    thin_file: bool = False  # the scorer has no file on the applicant at the checkpoint


@dataclass(frozen=True, slots=True)
class LenderPolicy:
    fraud_decline: int = 700
    fraud_refer: int = 400
    pd_decline_ppm: int = 150_000
    pd_refer_ppm: int = 80_000
    limit_cap: int = 50_000_000
    revenue_share_bp: int = 5_000  # one bank's cap: half the payouts of six months
    limit_step: int = 10_000
    min_limit: int = 100_000

    def __post_init__(self) -> None:
        if not 0 <= self.fraud_refer <= self.fraud_decline <= 1000:
            raise InvalidSetting("0 <= fraud_refer <= fraud_decline <= 1000", field="fraud_refer")
        if not 0 <= self.pd_refer_ppm <= self.pd_decline_ppm <= 1_000_000:
            raise InvalidSetting("0 <= pd_refer <= pd_decline <= 1e6 ppm", field="pd_refer_ppm")
        if self.limit_step < 1 or self.min_limit < 0 or self.limit_cap < self.min_limit:
            raise InvalidSetting("limit step >= 1, 0 <= min limit <= cap", field="min_limit")


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str
    outcome: Outcome | None  # None: the rule passed
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.outcome or 'pass'} ({self.detail})"


@dataclass(frozen=True, slots=True)
class Decision:
    application: Application
    outcome: Outcome
    limit: int
    rules: tuple[RuleResult, ...]
    reasons: tuple[str, ...]
    pd_ppm: int
    model_version: str
    checkpoint: tuple[int, str] | None
    automatic: Outcome | None = None  # the engine's outcome, when a lender overrode it
    override_reason: str | None = None
    deciding: tuple[str, ...] = field(default=())

    @property
    def overridden(self) -> bool:
        return self.automatic is not None


_WORST = {None: 0, "approve": 0, "refer": 1, "decline": 2}


def _adverse(rule_codes: Sequence[str], scorer: Sequence[str]) -> tuple[str, ...]:
    codes = [c for c in (*rule_codes, *scorer) if c in DECLINE_REASONS]
    return tuple(dict.fromkeys(codes))[:MAX_REASONS] or ("policy",)


def _limit(app: Application, policy: LenderPolicy) -> tuple[int, str, str]:
    """The limit, the reason code of what bound it, and the rule's detail."""
    secured = app.borrowing_base is not None
    cap_name, cap_code = ("borrowing base", "insufficient_collateral") if secured else (
        "revenue cap", "low_revenue")  # fmt: skip
    by_cap = (app.borrowing_base if app.borrowing_base is not None else
              app.revenue_6m * policy.revenue_share_bp // 10_000)  # fmt: skip
    base = min(app.requested, policy.limit_cap, by_cap)
    limit = max(0, base - app.existing_exposure) // policy.limit_step * policy.limit_step
    binding = (cap_code if base == by_cap < app.requested else
               "existing_exposure" if app.existing_exposure else "policy")  # fmt: skip
    detail = (f"limit {limit} of {app.requested} asked ({cap_name} {by_cap}, exposure "
              f"{app.existing_exposure})")  # fmt: skip
    return limit, binding, detail


def decide(app: Application, assessment: Assessment,
           policy: LenderPolicy = LenderPolicy()) -> Decision:  # fmt: skip
    """Every rule, in order; the worst outcome decides; the limit comes from the formula."""
    pd = assessment.pd_ppm
    rules: list[RuleResult] = []
    codes: list[str] = []

    def rule(name: str, outcome: Outcome | None, detail: str, code: str | None = None) -> None:
        rules.append(RuleResult(name, outcome, detail))
        if outcome is not None and code is not None:
            codes.append(code)

    fraud = app.fraud_points
    fraud_out: Outcome | None = ("decline" if fraud >= policy.fraud_decline else
                                 "refer" if fraud >= policy.fraud_refer else None)  # fmt: skip
    rule("fraud_knockout", fraud_out, f"fraud score {fraud}; "
         f"{', '.join(app.fraud_reasons) or 'no signal'}", "policy")  # fmt: skip
    rule("active_default", "decline" if app.active_default else None,
         "in default now" if app.active_default else "none", "prior_default")  # fmt: skip
    if app.thin_file:
        rule("thin_file", "refer", "no file at the checkpoint", "insufficient_history")
    else:
        pd_out: Outcome | None = ("decline" if pd > policy.pd_decline_ppm else
                                  "refer" if pd > policy.pd_refer_ppm else None)  # fmt: skip
        rule("pd_cutoff", pd_out, f"PD {pd / 10_000:.2f}% against "
             f"{policy.pd_refer_ppm / 10_000:.2f}/{policy.pd_decline_ppm / 10_000:.2f}%",
             "delinquency")  # fmt: skip
    limit, binding, detail = _limit(app, policy)
    short = limit < policy.min_limit and not app.thin_file  # no file: a person sets it
    rule("limit", "decline" if short else None, detail, binding)
    outcome: Outcome = max((r.outcome or "approve" for r in rules), key=lambda o: _WORST[o])
    deciding = tuple(r.rule for r in rules if r.outcome == outcome and outcome != "approve")
    reasons: tuple[str, ...] = ()
    if outcome == "decline":
        reasons = _adverse(codes, assessment.reasons)
    elif outcome == "approve" and limit < app.requested:
        reasons = _adverse([binding], assessment.reasons)
    return Decision(app, outcome, limit if outcome != "decline" else 0, tuple(rules), reasons,
                    pd, assessment.model_version, assessment.checkpoint,
                    deciding=deciding)  # fmt: skip


def override(decision: Decision, outcome: Outcome, reason: str,
             limit: int | None = None) -> Decision:  # fmt: skip
    """A lender's override: the new outcome and limit, the automatic one kept, and why."""
    if not reason.strip():
        raise InvalidSetting("an override needs a reason", field="reason")
    new_limit = decision.limit if limit is None else limit
    if outcome == "decline":
        new_limit = 0
    elif new_limit <= 0:
        raise InvalidSetting("an approval or referral needs a positive limit", field="limit")
    reasons = decision.reasons if outcome == "decline" else ()
    if outcome == "decline" and not reasons:
        reasons = ("policy",)
    return replace(decision, outcome=outcome, limit=new_limit, reasons=reasons,
                   automatic=decision.automatic or decision.outcome,
                   override_reason=reason.strip())  # fmt: skip
