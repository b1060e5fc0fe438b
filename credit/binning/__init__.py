"""Binning of one feature into classes with monotone bad rates, and their weights of evidence.

``fit_numeric`` and ``fit_categorical`` learn a :class:`FeatureBinning` from one column and
the target; the binning assigns any later value (missing and unseen ones included) to a
bin, and carries each bin's counts, bad rate, WoE and IV contribution.
"""

from credit.binning.bins import Bin, FeatureBinning
from credit.binning.categorical import fit_categorical
from credit.binning.numeric import fit_numeric
from credit.binning.woe import BinningSettings, iv_band

__all__ = [
    "Bin",
    "BinningSettings",
    "FeatureBinning",
    "fit_categorical",
    "fit_numeric",
    "iv_band",
]
