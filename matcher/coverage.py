"""A proven upper bound on secondary-need coverage (objective 2) for a served set.

Coverage is limited less by time than by association slots (rule 7): a joiner takes
one of its ``max_associations`` as surely as a lead does. Count, for each need q, the
(expert, association) pairs that experts covering q can form: every served association
whose primary need is q takes one (its lead covers q), and every association whose
secondary need q is covered takes another, with a different association. So no plan
serving these associations covers q for more associations than those experts' slots
less the primary-q ones, nor for more than ask for it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matcher.core import Matching, qualified_joiners
from matcher.encoding import Encoding


def coverage_upper_bound(enc: Encoding, matching: Matching, served: Iterable[int]) -> int:
    """Most secondary needs any rule-abiding plan serving exactly ``served`` can cover."""
    members = sorted(set(served))
    # An expert's pairs: its association cap, and no more than its sessions (one each).
    pairs = np.minimum(enc.expert_max_associations, matching.session_capacity)
    total = 0
    for q in range(len(enc.need_ids)):
        experts = enc.covers[:, q]
        primary = [a for a in members if enc.primary_need[a] == q]
        # Asked for twice (primary and secondary): its lead covers it, no pair needed.
        total += sum(1 for a in primary if q in enc.secondary_needs[a])
        asking = sum(1 for a in members if enc.primary_need[a] != q
                     and q in enc.secondary_needs[a] and qualified_joiners(enc, a, q))
        total += min(asking, max(0, int(pairs[experts].sum()) - len(primary)))
    return total
