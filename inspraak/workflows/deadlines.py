"""Waiting for an event or a term's end, with a ladder of reminders and escalations on the way.

One piece for every trajectory: the advice request uses it for the advice, reply and waiting terms;
the renovation and agreement trajectories will use it for theirs. The schedule is planned outside the
workflow (absolute instants); this class only waits on it, so it stays deterministic.
"""

from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from inspraak.domain.terms import DeadlineSchedule, PlannedRung


class DeadlineClock:
    """A running term. ``extend`` may swap in a new schedule while ``wait`` is waiting.

    Args:
        schedule: the planned term.
    """

    def __init__(self, schedule: DeadlineSchedule) -> None:
        self.schedule = schedule
        self.fired: list[PlannedRung] = []
        self.met = False
        self.expired = False
        self._version = 0

    def extend(self, schedule: DeadlineSchedule) -> None:
        """Replace the schedule; rungs of the new one that lie in the future fire again."""
        self.schedule = schedule
        self._version += 1

    def satisfy(self) -> None:
        """The awaited event happened (recorded by an update): the term no longer counts as open."""
        self.met = True

    @property
    def running(self) -> bool:
        return not (self.met or self.expired)

    def _pending(self) -> list[PlannedRung]:
        fired = {(r.key, r.fire_at) for r in self.fired}
        return [r for r in self.schedule.rungs if (r.key, r.fire_at) not in fired]

    async def wait(
        self,
        done: Callable[[], bool],
        on_rung: Callable[[PlannedRung], Awaitable[None]] | None = None,
    ) -> bool:
        """Wait until ``done()`` holds (True) or the term has passed (False), firing rungs as they fall due."""
        while True:
            if done() or self.met:
                self.met = True
                return True
            now = workflow.now()
            if now >= self.schedule.expires_at:
                self.expired = True
                return False
            pending = self._pending()
            if pending and pending[0].fire_at <= now:
                rung = pending[0]
                self.fired.append(rung)
                if on_rung is not None:
                    await on_rung(rung)
                continue
            wake_at = min([self.schedule.expires_at, *(r.fire_at for r in pending[:1])])
            version = self._version

            def woken(v: int = version) -> bool:
                return done() or self._version != v

            try:
                await workflow.wait_condition(
                    woken,
                    timeout=wake_at - now,
                    timeout_summary=f"{self.schedule.term} until {wake_at.isoformat()}",
                )
            except TimeoutError:
                pass
