"""Calls at once, each in its own thread with its own database connection, released
together by a barrier: what a double click can do, or many people acting together.
Every race test of the suite runs its calls through `at_once`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    results: dict[int, Any] = {}
    barrier = threading.Barrier(len(calls), timeout=30)

    def work(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # reported to the test as the outcome
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [results.get(i) for i in range(len(calls))]


def settled(results: list[Any], refusals: tuple[type[BaseException], ...]) -> list[Any]:
    """`at_once`'s results, failing the test on any exception but the expected refusals."""
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, refusals):
            raise result
    return results
