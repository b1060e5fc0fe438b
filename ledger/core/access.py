"""Who is asking: the authenticated caller of a read or a write, as the ledger sees it.

The HTTP layer turns an API key into a :class:`Caller`; the rules of what a caller may see
and write are judged against it, here and in the features, never against raw headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Caller:
    participant_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
