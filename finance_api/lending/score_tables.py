"""The latest score each recipient was shown of each subject (``credit.score_issued``).

Part of the ``lending.scores`` projection: the PD a lender's exposure and expected loss are
computed with is the one the scoring service recorded for that lender, with its model
version and the checkpoint it was computed from. Created by migration ``0011_lending_scores``.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq


class ShownScore(Base):
    __tablename__ = "lending_scores"

    recipient: Mapped[str] = mapped_column(String(200), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    score_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(Integer)
    pd_ppm: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(8))
    model_version: Mapped[str] = mapped_column(String(100))
    tree_size: Mapped[int] = mapped_column(Seq)
    root_hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Seq)
