"""The credit scorer's answer as the decision engine's :class:`Assessment`.

``credit.scoring.scorer.Scorer.score`` answers, per participant, ``pd_ppm``, ``score``,
``model_version``, ``checkpoint`` ``{tree_size, root_hash}`` and ``reasons`` ranked by
points lost (``{"code": "R03", "feature": ..., ...}``). Its reason codes name model
features; an adverse-action notice needs the ledger's decline codes, so the lender's
``codes`` map features to them (a feature without a code gives no reason: the engine then
falls back to its rules' own codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finance_api.lending.rules.policy import FixedAssessment


def from_score(shown: Mapping[str, Any], codes: Mapping[str, str]) -> FixedAssessment:
    ranked = sorted(shown.get("reasons", []), key=lambda r: r.get("rank", 0))
    reasons = tuple(dict.fromkeys(codes[r["feature"]] for r in ranked if r.get("feature") in codes))
    checkpoint = shown.get("checkpoint")
    return FixedAssessment(
        pd_ppm=int(shown["pd_ppm"]),
        score=int(shown["score"]),
        reasons=reasons,
        model_version=str(shown["model_version"]),
        checkpoint=None
        if not checkpoint
        else (int(checkpoint["tree_size"]), str(checkpoint["root_hash"])),
    )
