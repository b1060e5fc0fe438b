"""Exposure at default and expected loss, per line and per lender, in minor units.

EAD = drawn + CCF x undrawn. ``drawn`` is what the line owes (principal, interest and
fees); ``undrawn`` is the commitment left (nothing once the line can no longer be drawn:
closing, in default or closed). The credit conversion factor is a setting: 40% by default
(Basel III for commitments), 10% for lines the lender may cancel unconditionally at any time.
Expected loss EL = PD x LGD x EAD, with PD in parts per million (as scores carry it) and
LGD in basis points (45% by default, the foundation-IRB figure for senior unsecured
claims). Products are exact integers and round half up to a minor unit once per line; a
lender's EL is the sum of its lines' rounded figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from finance_api.lending.errors import InvalidSetting
from finance_api.lending.rules.lines import Line

BP = 10_000
PPM = 1_000_000


@dataclass(frozen=True, slots=True)
class ExposureSettings:
    ccf_bp: int = 4_000
    cancellable_ccf_bp: int = 1_000
    lgd_bp: int = 4_500

    def __post_init__(self) -> None:
        for name in ("ccf_bp", "cancellable_ccf_bp", "lgd_bp"):
            if not 0 <= getattr(self, name) <= BP:
                raise InvalidSetting(f"{name} must be within 0..10000", field=name)


def _half_up(numerator: int, denominator: int) -> int:
    return (numerator + denominator // 2) // denominator


def ead(line: Line, settings: ExposureSettings = ExposureSettings(), *,
        cancellable: bool = False) -> int:  # fmt: skip
    ccf = settings.cancellable_ccf_bp if cancellable else settings.ccf_bp
    return max(0, line.balance) + _half_up(line.undrawn() * ccf, BP)


def expected_loss(pd_ppm: int, lgd_bp: int, exposure: int) -> int:
    if not 0 <= pd_ppm <= PPM or not 0 <= lgd_bp <= BP or exposure < 0:
        raise InvalidSetting("PD within 0..1e6 ppm, LGD within 0..1e4 bp, EAD >= 0", field="pd")
    return _half_up(pd_ppm * lgd_bp * exposure, PPM * BP)


@dataclass(frozen=True, slots=True)
class LineRisk:
    line_id: str
    lender: str
    borrower: str
    currency: str
    ead: int
    pd_ppm: int
    expected_loss: int


@dataclass(frozen=True, slots=True)
class LenderRisk:
    lender: str
    currency: str
    lines: int
    ead: int
    expected_loss: int


def line_risks(lines: Iterable[Line], pd_by_borrower: Mapping[str, int],
               settings: ExposureSettings = ExposureSettings(),
               lgd_by_line: Mapping[str, int] | None = None) -> list[LineRisk]:  # fmt: skip
    """Each live line's EAD and EL; a borrower without a PD is taken as certain to default."""
    out = []
    for line in lines:
        if line.status == "closed":
            continue
        exposure = ead(line, settings)
        pd = pd_by_borrower.get(line.borrower, PPM)
        lgd = (lgd_by_line or {}).get(line.line_id, settings.lgd_bp)
        out.append(LineRisk(line.line_id, line.lender, line.borrower, line.currency, exposure,
                            pd, expected_loss(pd, lgd, exposure)))  # fmt: skip
    return out


def by_lender(risks: Iterable[LineRisk]) -> list[LenderRisk]:
    """Sums per lender and currency (amounts of different currencies are never added)."""
    totals: dict[tuple[str, str], list[int]] = {}
    for risk in risks:
        row = totals.setdefault((risk.lender, risk.currency), [0, 0, 0])
        row[0] += 1
        row[1] += risk.ead
        row[2] += risk.expected_loss
    return [
        LenderRisk(lender, cur, n, e, el) for (lender, cur), (n, e, el) in sorted(totals.items())
    ]
