"""Liveness and readiness, as the HTTP API reports them.

Liveness: the event loop answers and no stage task has died. It stays true
through a broker outage, so Kubernetes does not restart healthy pods.
Readiness: the broker answers, every stage joined its group, and the service
is not draining.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass(slots=True)
class Health:
    broker_reachable: bool = False
    draining: bool = False
    stages: dict[str, asyncio.Event] = field(default_factory=dict)  # stage -> joined
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def live(self) -> tuple[bool, list[str]]:
        dead = [t.get_name() for t in self.tasks if t.done() and not t.cancelled()]
        return (not dead, [f"task {name} ended" for name in dead])

    def ready(self) -> tuple[bool, list[str]]:
        problems = []
        if not self.broker_reachable:
            problems.append("broker unreachable")
        if self.draining:
            problems.append("draining")
        problems += [f"{name} not joined" for name, ev in self.stages.items() if not ev.is_set()]
        live, why = self.live()
        return (live and not problems, problems + why)
