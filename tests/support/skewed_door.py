"""``python -m tests.support.skewed_door HOURS ARGS...``: the ``doorcheck`` command on a
laptop whose clock is HOURS off (negative: behind). The clock is the one thing of a
door the test cannot give a process for real without changing the machine's clock
for every process; the door reads it through these two functions only."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from doorcheck import cli
from doorcheck.domain import hlc
from doorcheck.peers import node
from doorcheck.services import checkin


def main() -> int:
    offset = timedelta(hours=float(sys.argv[1]))
    real_now = checkin.laptop_now
    real_wall = hlc.wall_clock_ms

    def now() -> datetime:
        return real_now() + offset

    def wall() -> int:
        return real_wall() + int(offset.total_seconds() * 1000)

    checkin.laptop_now = now
    hlc.wall_clock_ms = wall
    setattr(node, "wall_clock_ms", wall)  # noqa: B010 - imported there by name
    return cli.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
