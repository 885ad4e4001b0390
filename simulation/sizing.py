"""How many experts of each kind a programme needs for N applications.

For each volume N and seed, the applications are simulated by the generator (the
volumes of one seed are nested: N=100 is a subset of N=200). Experts are sized by
*kind*: the qualifications that cover the same need form one kind (産業カウンセラー
and 公認心理師 both cover mental health, so they are one kind); every simulated
expert holds a single qualification, so it counts in exactly one kind.

An application is served only by a lead who covers its primary need, so with
single-kind experts the kinds do not compete for service: each kind is sized on
its own applications, which is the same as holding the other kinds ample. For a
kind and a volume:

1. *servable*: what the first-come-first-served greedy plan serves with an ample
   pool (one expert per application of the kind at the largest volume, at least
   ``MIN_AMPLE_POOL``). Applications no pool can serve
   (decided too late for their sessions, no common time with anyone) are not the
   pool's to fix; the service level is a share of the servable ones.
2. *experts*: the smallest pool, by bisection, whose greedy plan serves at least
   ``ceil(level * servable)``. The greedy plan is a rule-abiding plan, so that many
   experts are enough.
3. *at least*: the smallest pool whose matcher upper bound (a maximum flow and a
   capacity relaxation, both proven bounds) reaches the same target: fewer experts
   cannot serve that many, whatever the plan.

The bisection for a larger volume starts at the answer for the smaller one, so the
counts never fall as the volume grows (monotone by construction). Finally the
combined pool of all kinds, for each volume and seed, is planned by the planner
(CP-SAT) and checked by the checker: the table says whether it confirms the target.
"""

from __future__ import annotations

import io
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from domain.checker import check_plan
from domain.loading import parse_scenario
from domain.scenario import Programme
from scheduler.solve import SolveOptions, solve, solve_greedy
from simulation.executor import Executor, peak_rss_mib
from simulation.generator import APPLICANTS, PROFILES, generate_expert_pool, generate_scenario

# The matcher's CP-SAT bound in the inner loop: short, still a proven bound.
INNER_BOUND_SECONDS = 1.0
# The ample pool of a kind: one expert per application of the largest volume, and never
# fewer than this, so that an application meets several candidate experts even when
# few apply (a busy consultant offers two to four half days a week).
MIN_AMPLE_POOL = 12


@dataclass(frozen=True)
class Kind:
    """Qualifications that cover the same needs; experts of one kind can lead the same work."""

    key: str  # the needs it covers, joined by "+"
    needs: tuple[str, ...]
    qualifications: tuple[str, ...]
    ja: str
    en: str


def expert_kinds(profile: str) -> list[Kind]:
    """The profile's vocabulary split into kinds (connected qualifications and needs)."""
    programme = Programme.model_validate(APPLICANTS[PROFILES[profile].applicants].programme)
    words = programme.words
    groups: list[tuple[set[str], set[str]]] = []  # (needs, qualifications)
    for need, definition in words.needs.items():
        needs, quals = {need}, set(definition.covered_by)
        for group in [g for g in groups if g[1] & quals]:
            groups.remove(group)
            needs |= group[0]
            quals |= group[1]
        groups.append((needs, quals))
    order = list(words.needs)
    kinds = []
    for needs, quals in sorted(groups, key=lambda g: min(order.index(n) for n in g[0])):
        need_list = tuple(n for n in order if n in needs)
        qual_list = tuple(q for q in words.qualifications if q in quals)
        kinds.append(Kind(
            key="+".join(need_list), needs=need_list, qualifications=qual_list,
            ja="・".join(words.qualifications[q].ja for q in qual_list),
            en=" / ".join(words.qualifications[q].en for q in qual_list),
        ))
    return kinds


def applications(profile: str, seed: int,
                 volumes: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The simulated applications of each volume; a smaller volume is a subset of a larger."""
    largest = max(volumes)
    document = generate_scenario(largest, 0, seed, profile)
    order = random.Random(f"haken:sizing:{profile}:{seed}").sample(range(largest), largest)
    records = document["associations"]
    return {n: [records[i] for i in sorted(order[:n])] for n in volumes}


def _programme(profile: str) -> dict[str, Any]:
    return dict(APPLICANTS[PROFILES[profile].applicants].programme)


def _of_kind(records: list[dict[str, Any]], kind: Kind) -> list[dict[str, Any]]:
    return [r for r in records if r["status"] == "accepted" and r["needs"][0] in kind.needs]


def _kind_pool(profile: str, seed: int, kind: Kind, largest: list[dict[str, Any]],
               prefix: str = "E") -> list[dict[str, Any]]:
    """The ample pool of one kind for one seed; sizing takes prefixes of it."""
    of_kind = _of_kind(largest, kind)
    return generate_expert_pool(max(len(of_kind), MIN_AMPLE_POOL), seed, profile,
                                kind.qualifications, of_kind, prefix=prefix)


def _scenario_document(profile: str, records: list[dict[str, Any]],
                       experts: list[dict[str, Any]]) -> dict[str, Any]:
    ids = {r["id"] for r in records}
    experts = [{**e, "conflicts": [c for c in e["conflicts"] if c in ids]} for e in experts]
    return {"programme": _programme(profile), "experts": experts, "associations": records,
            "pinned": []}


# --------------------------------------------------------------------------- one kind


@dataclass(frozen=True)
class KindTask:
    profile: str
    seed: int
    kind: Kind
    volumes: tuple[int, ...]
    service_level: float


@dataclass
class VolumeSize:
    volume: int
    applications: int  # accepted applications of the kind
    servable: int  # served by the greedy plan with an ample pool
    target: int  # ceil(level * servable)
    experts: int  # enough: the greedy plan reaches the target
    at_least: int  # the matcher's upper bound proves fewer cannot
    served: int  # the greedy plan's service with ``experts``


@dataclass
class KindResult:
    seed: int
    kind: str
    sizes: list[VolumeSize]
    evaluations: int
    peak_rss_mib: float


def _bisect(low: int, high: int, enough: Callable[[int], bool]) -> int:
    """The smallest k in [low, high] with enough(k), given enough(high); k-1 fails."""
    if enough(low):
        return low
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high


class _Pools:
    """Greedy plans of one kind's applications with the first ``count`` experts of a pool."""

    def __init__(self, profile: str, records: list[dict[str, Any]],
                 pool: list[dict[str, Any]]) -> None:
        self.profile, self.records, self.pool = profile, records, pool
        self.results: dict[int, tuple[int, int]] = {0: (0, 0)}

    def evaluate(self, count: int) -> tuple[int, int]:
        """(greedy served, matcher upper bound) with the first ``count`` experts."""
        if count not in self.results:
            scenario = parse_scenario(
                _scenario_document(self.profile, self.records, self.pool[:count]))
            plan = solve_greedy(scenario, INNER_BOUND_SECONDS)
            self.results[count] = (plan.stats.served, plan.stats.served_upper_bound)
        return self.results[count]

    def size(self, volume: int, service_level: float, previous: int) -> VolumeSize:
        """The counts for this volume, never fewer experts than ``previous``."""
        ample = len(self.pool)
        servable = self.evaluate(ample)[0]
        target = math.ceil(service_level * servable - 1e-9)
        experts = _bisect(previous, ample, lambda k: self.evaluate(k)[0] >= target)
        at_least = _bisect(0, experts, lambda k: self.evaluate(k)[1] >= target)
        return VolumeSize(volume, len(self.records), servable, target, experts, at_least,
                          self.evaluate(experts)[0])


def size_kind(task: KindTask) -> KindResult:
    """Size one kind over every volume of one seed, smallest volume first."""
    volumes = sorted(task.volumes)
    by_volume = applications(task.profile, task.seed, volumes)
    pool = _kind_pool(task.profile, task.seed, task.kind, by_volume[volumes[-1]])
    sizes: list[VolumeSize] = []
    evaluations = 0
    for volume in volumes:
        pools = _Pools(task.profile, _of_kind(by_volume[volume], task.kind), pool)
        # Starting at the previous volume's count keeps the counts monotone.
        sizes.append(pools.size(volume, task.service_level, sizes[-1].experts if sizes else 0))
        evaluations += len(pools.results) - 1
    return KindResult(task.seed, task.kind.key, sizes, evaluations, peak_rss_mib())


# --------------------------------------------------------------------------- the combined pool


@dataclass(frozen=True)
class ConfirmTask:
    profile: str
    seed: int
    volume: int
    volumes: tuple[int, ...]
    pools: tuple[tuple[Kind, int], ...]  # experts of each kind
    time_limit: float
    workers: int


@dataclass
class Confirmation:
    seed: int
    volume: int
    accepted: int
    experts: int
    greedy_served: int
    planner_served: int | None
    planner_bound: int | None
    violations: int
    seconds: float
    peak_rss_mib: float


def confirm(task: ConfirmTask) -> Confirmation:
    """Plan the combined pool of every kind for one volume and seed; check the plan."""
    by_volume = applications(task.profile, task.seed, task.volumes)
    records, largest = by_volume[task.volume], by_volume[max(task.volumes)]
    experts: list[dict[str, Any]] = []
    for index, (kind, count) in enumerate(task.pools):
        # The pool size_kind drew, under ids distinct per kind.
        experts += _kind_pool(task.profile, task.seed, kind, largest, f"E{index + 1}-")[:count]
    scenario = parse_scenario(_scenario_document(task.profile, records, experts))
    greedy = solve_greedy(scenario, INNER_BOUND_SECONDS)
    violations = len(check_plan(scenario, greedy))
    planner_served = planner_bound = None
    started = time.monotonic()
    if task.time_limit > 0:
        plan = solve(scenario, SolveOptions(time_limit=task.time_limit, workers=task.workers,
                                             seed=task.seed)).plan
        violations += len(check_plan(scenario, plan))
        planner_served, planner_bound = plan.stats.served, plan.stats.served_upper_bound
    return Confirmation(task.seed, task.volume, len(scenario.accepted), len(experts),
                        greedy.stats.served, planner_served, planner_bound, violations,
                        time.monotonic() - started, peak_rss_mib())


# --------------------------------------------------------------------------- the sweep


@dataclass
class SizingRow:
    """One volume: experts of each kind enough in every seed, and how the planner did."""

    volume: int
    experts: dict[str, int]  # kind -> most needed over the seeds
    at_least: dict[str, int]  # kind -> least proven necessary over the seeds
    target: int  # applications to serve, smallest over the seeds
    servable: int
    accepted: int
    greedy_served: int  # smallest over the seeds, combined pool
    planner_served: int | None
    confirmed: bool | None  # the planner served the target in every seed

    @property
    def total(self) -> int:
        return sum(self.experts.values())


@dataclass
class Sizing:
    profile: str
    volumes: list[int]
    seeds: list[int]
    service_level: float
    time_limit: float
    kinds: list[Kind]
    rows: list[SizingRow]
    kind_results: list[KindResult]
    confirmations: list[Confirmation]
    executor: str

    @property
    def method(self) -> str:
        """What the counts come from, to print beside them."""
        confirmation = (
            f"the combined pool planned by the planner (CP-SAT, {self.time_limit:g} s) and "
            "checked" if self.time_limit > 0 else "the planner not run (--time-limit 0)")
        return ("inner loop: the greedy first-come-first-served plan (enough) and the "
                f"matcher's upper bound (at least); {confirmation}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["method"] = self.method
        for row, raw in zip(self.rows, data["rows"], strict=True):
            raw["total"] = row.total
        return data


def size(volumes: Sequence[int], profile: str, seeds: Sequence[int], service_level: float,
         time_limit: float, workers: int, executor: Executor,
         progress: Callable[[str], None] | None = None) -> Sizing:
    """Experts of each kind needed for each volume at ``service_level`` of servable applications.

    Raises ``ValueError`` on an unknown profile, an empty or non-positive volume list,
    no seeds, or a level outside (0, 1].
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if not volumes or any(v <= 0 for v in volumes):
        raise ValueError("volumes must be positive numbers of applications")
    if not seeds:
        raise ValueError("at least one seed is needed")
    if not 0 < service_level <= 1:
        raise ValueError(f"service level {service_level} is not in (0, 1]")
    volumes = sorted(set(volumes))
    kinds = expert_kinds(profile)
    say = progress or (lambda _: None)

    kind_tasks = [KindTask(profile, seed, kind, tuple(volumes), service_level)
                  for seed in seeds for kind in kinds]
    kind_results = executor.map(
        size_kind, kind_tasks,
        lambda i, r: say(f"sized {r.kind} for seed {r.seed} ({r.evaluations} greedy plans)"))
    by_seed_kind = {(r.seed, r.kind): r for r in kind_results}

    confirm_tasks = [
        ConfirmTask(profile, seed, volume, tuple(volumes), tuple(
            (kind, by_seed_kind[seed, kind.key].sizes[i].experts) for kind in kinds),
            time_limit, workers)
        for seed in seeds for i, volume in enumerate(volumes)
    ]
    confirmations = executor.map(
        confirm, confirm_tasks,
        lambda i, c: say(f"planned the combined pool for {c.volume} applications, seed {c.seed}"))
    by_seed_volume = {(c.seed, c.volume): c for c in confirmations}

    rows = []
    for i, volume in enumerate(volumes):
        per_seed = [[by_seed_kind[seed, k.key].sizes[i] for k in kinds] for seed in seeds]
        targets = {seed: sum(s.target for s in sizes) for seed, sizes in zip(seeds, per_seed,
                                                                            strict=True)}
        checks = [by_seed_volume[seed, volume] for seed in seeds]
        planner = [c.planner_served for c in checks]
        confirmed = None if any(p is None for p in planner) else all(
            c.planner_served is not None and c.planner_served >= targets[c.seed] for c in checks)
        rows.append(SizingRow(
            volume=volume,
            experts={k.key: max(by_seed_kind[s, k.key].sizes[i].experts for s in seeds)
                     for k in kinds},
            at_least={k.key: min(by_seed_kind[s, k.key].sizes[i].at_least for s in seeds)
                      for k in kinds},
            target=min(targets.values()),
            servable=min(sum(s.servable for s in sizes) for sizes in per_seed),
            accepted=min(c.accepted for c in checks),
            greedy_served=min(c.greedy_served for c in checks),
            planner_served=None if confirmed is None else min(p or 0 for p in planner),
            confirmed=confirmed,
        ))
    return Sizing(profile, list(volumes), list(seeds), service_level, time_limit, kinds, rows,
                  kind_results, confirmations, executor.description)


def plot(sizing: Sizing) -> bytes:
    """Experts of each kind (and in all) against the number of applications, as PNG bytes.

    Labels are in English: matplotlib's bundled fonts have no Japanese glyphs.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory only
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    volumes = [row.volume for row in sizing.rows]
    for kind in sizing.kinds:
        axes.plot(volumes, [row.experts[kind.key] for row in sizing.rows], marker="o",
                  label=kind.en)
    axes.plot(volumes, [row.total for row in sizing.rows], marker="s", color="black",
              linestyle="--", label="all experts")
    axes.set_xlabel("applications")
    axes.set_ylabel("experts needed")
    axes.set_title(f"Experts for {sizing.service_level:.0%} of servable applications "
                   f"({sizing.profile}, {len(sizing.seeds)} seeds)")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
