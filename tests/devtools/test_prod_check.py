"""`make prod-check` in the suite: the production profile deploys on loopback (gunicorn
with two workers, a task worker, the scheduler, PostgreSQL, collected static files)
and passes the smoke check; every process is gone afterwards."""

from __future__ import annotations

import os

from devtools import prod_check


def test_production_profile_passes_the_smoke_check():
    lines: list[str] = []
    checks = prod_check.run_check(report=lines.append)

    assert checks == 4
    assert lines[-1].startswith("prod-check: passed")
    # Each process ran in a group of its own (gunicorn's workers in the master's): no group
    # has a member left.
    groups = [int(line.split("pid=")[1]) for line in lines if "pid=" in line]
    assert len(groups) == 3
    for group in groups:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process group {group} outlived the check")
