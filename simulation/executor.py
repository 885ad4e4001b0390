"""Where sweeps run: a local process pool by default, a Ray cluster with ``--ray ADDRESS``.

Both run every task in a process of its own that ends with the task, so a task's
peak memory (``peak_rss_mib`` in the task itself) is that task's alone, and a
crash or leak in one instance cannot spill into the next. Results come back in
the order of the tasks. Ray is an optional extra (``pip install 'haken[ray]'``).
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss: KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Executor(Protocol):
    """Use as a context manager: a Ray instance it started is stopped on exit."""

    description: str

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def map(self, task: Callable[[T], R], items: Sequence[T],
            done: Callable[[int, R], None] | None = None) -> list[R]:
        """``task(item)`` for every item, each in a fresh process; ``done(i, result)`` as each ends.

        ``task`` must be a module-level function and items and results picklable.
        """
        ...


class LocalPool:
    """A ``ProcessPoolExecutor`` of ``workers`` processes, one fresh process per task."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.description = f"local process pool, {workers} processes"

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to stop: each map's pool ends with the map."""

    def map(self, task: Callable[[T], R], items: Sequence[T],
            done: Callable[[int, R], None] | None = None) -> list[R]:
        results: dict[int, R] = {}
        # forkserver, not fork: the parent may run OR-Tools threads, which fork does not copy
        # safely. The server imports the task's module once, so a fresh process per task
        # (each task's peak memory its own) costs a fork, not a fresh import of OR-Tools.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([task.__module__])
        with ProcessPoolExecutor(max_workers=min(self.workers, max(len(items), 1)),
                                 mp_context=context, max_tasks_per_child=1) as pool:
            futures = {pool.submit(task, item): i for i, item in enumerate(items)}
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if done is not None:
                    done(index, results[index])
        return [results[i] for i in range(len(items))]


class RayCluster:
    """Tasks on a Ray cluster at ``address``; ``local`` starts one here with ``local_cpus``."""

    def __init__(self, address: str, local_cpus: int = 2, reuse_workers: bool = False) -> None:
        try:
            import ray
        except ImportError:
            raise RuntimeError(
                "--ray needs the optional extra: pip install 'haken[ray]'") from None
        self.ray: Any = ray
        self.address = address
        self.local_cpus = local_cpus
        # A sweep wants each task's memory its own (a fresh worker per task); a plan in
        # parts wants its many small tasks cheap: a worker's start-up and imports of
        # OR-Tools took seconds per task on a loaded machine, longer than most parts.
        self.reuse_workers = reuse_workers
        self.description = (f"local Ray instance, {local_cpus} CPUs" if address == "local"
                            else f"Ray cluster at {address}")

        self.started_here = False

    def __enter__(self) -> RayCluster:
        ray = self.ray
        if not ray.is_initialized():
            if self.address == "local":
                ray.init(num_cpus=self.local_cpus, include_dashboard=False,
                         log_to_driver=False)
            else:
                ray.init(address=self.address, log_to_driver=False)
            self.started_here = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started_here:
            self.ray.shutdown()
            self.started_here = False

    def map(self, task: Callable[[T], R], items: Sequence[T],
            done: Callable[[int, R], None] | None = None) -> list[R]:
        ray = self.ray
        if not ray.is_initialized():
            raise RuntimeError("use the Ray executor inside a with block")
        # max_calls=1: the worker process ends with the task, as in the local pool.
        remote = ray.remote(num_cpus=1, max_calls=0 if self.reuse_workers else 1)(task)
        refs = [remote.remote(item) for item in items]
        index = {ref: i for i, ref in enumerate(refs)}
        results: dict[int, R] = {}
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                results[index[ref]] = ray.get(ref)
                if done is not None:
                    done(index[ref], results[index[ref]])
        return [results[i] for i in range(len(items))]


def make_executor(workers: int, ray_address: str | None = None) -> Executor:
    """The local pool, or Ray when an address is given."""
    if ray_address:
        return RayCluster(ray_address, local_cpus=workers)
    return LocalPool(workers)
