"""Child trajectories: a part of the kernel (a renovation's advice request runs as its child).

A parent starts a child with :meth:`ChildTrajectories.start_child` (parent close policy ABANDON), keeps the
child's :class:`~inspraak.domain.trajectory.ChildLink` in its state and hears of every change through the
``child_changed`` signal (:meth:`ChildTrajectories.on_child`); it ends a child only through the child's own
action (:meth:`ChildTrajectories.end_child`), and before it completes waits for the children it asked to end.
A child tells its parent its link after every change whose facts differ from what it told last.
"""

import asyncio
from datetime import timedelta
from typing import Any, Generic, TypeVar

from temporalio import workflow
from temporalio.exceptions import FailureError

from inspraak.workflows.config import KernelConfig

with workflow.unsafe.imports_passed_through():
    from inspraak.domain.trajectory import ChildLink, TrajectoryState
    from inspraak.workflows import names

S = TypeVar("S", bound=TrajectoryState)

# The signal a child trajectory sends its parent with its ChildLink.
CHILD_CHANGED = "child_changed"
# How long a parent that finishes waits for a child it asked to end (withdraw) to report that it has.
CHILD_END_WAIT = timedelta(hours=1)


class ChildTrajectories(Generic[S]):
    """Starting, hearing from and ending child trajectories; the kernel sets ``s``, ``_lock``, ``_config`` and
    ``_mail`` and calls :meth:`begin_children`, :meth:`tell_parent` and :meth:`children_ended`."""

    s: S
    _lock: asyncio.Lock
    _config: KernelConfig
    _mail: list[asyncio.Task[None]]

    def finished(self) -> bool:
        raise NotImplementedError

    def changed(self) -> None:
        raise NotImplementedError

    async def _carry_on(self, work: Any, what: str) -> None:
        raise NotImplementedError

    # ---- hooks for the trajectory -----------------------------------------------------------------

    def link(self) -> ChildLink:
        """What this trajectory tells its parent when it runs as a child; a trajectory adds its own facts."""
        return ChildLink(id=self.s.id, type=self.s.type, state=self.s.state, state_label=self.s.state,
                         next_deadline=self.s.next_deadline(), final=self.finished(), updated_at=workflow.now())

    async def on_child(self, link: ChildLink) -> None:
        """A child trajectory reported a change (its link is in ``self.s.children`` already; under the lock)."""

    # ---- for the kernel -----------------------------------------------------------------------------

    def begin_children(self) -> None:
        self._told: ChildLink | None = None
        self._child_runs: dict[str, workflow.ChildWorkflowHandle[Any, Any]] = {}  # started in this run

    def tell_parent(self) -> None:
        """As a child: tell the parent the new link, in the background, if its facts changed."""
        if self.s.parent_id is not None:
            link = self.link()
            if not link.same_facts(self._told):
                self._told = link
                self._mail.append(asyncio.create_task(self._tell_parent(self.s.parent_id, link)))

    async def children_ended(self) -> None:
        """Wait (at most :data:`CHILD_END_WAIT`) until the children this trajectory asked to end have ended."""
        ending = [c.id for c in self.s.children.values() if c.ending]
        # A child started in this run has ended when it has completed (the server then tells this run);
        # one started before a continue-as-new, when its last link says it is final.
        done = {i: asyncio.create_task(self._completed(self._child_runs[i])) for i in ending if i in self._child_runs}
        try:
            if ending:
                await workflow.wait_condition(lambda: all(
                    done[i].done() if i in done else self.s.children[i].final for i in ending),
                    timeout=CHILD_END_WAIT, timeout_summary="children to end")
        except TimeoutError:
            pass

    # ---- parent and child -----------------------------------------------------------------------------

    async def start_child(self, run: Any, inp: Any, state: TrajectoryState, link: ChildLink) -> None:
        """Start a child trajectory (its id is ``link.id``) and keep its link. The parent close policy is
        ABANDON: a continue-as-new of the parent must not touch the child, and a parent that ends its child
        does so through the child's own action (:meth:`end_child`), never by terminating or cancelling it.
        ``state`` is the child's first state: its memo and search attributes, as the API gives a trajectory."""
        handle = await workflow.start_child_workflow(
            run, inp, id=link.id, parent_close_policy=workflow.ParentClosePolicy.ABANDON, memo=names.memo(state),
            search_attributes=names.search_attributes(state) if self._config.search_attributes else None)
        self.s.children[link.id] = link
        self._child_runs[link.id] = handle

    async def end_child(self, child_id: str, signal: str, arg: Any) -> None:
        """Ask a child to end itself with its own action (``signal``); :meth:`finish` waits for it to report."""
        try:
            await workflow.get_external_workflow_handle(child_id).signal(signal, arg)
        except FailureError:  # the child has completed: there is nothing left to end
            return
        self.s.children[child_id] = self.s.children[child_id].model_copy(update={"ending": True})

    @staticmethod
    async def _completed(handle: workflow.ChildWorkflowHandle[Any, Any]) -> None:
        try:
            await handle
        except FailureError:  # it failed or was terminated: ended all the same
            pass

    async def _tell_parent(self, parent_id: str, link: ChildLink) -> None:
        try:
            await workflow.get_external_workflow_handle(parent_id).signal(CHILD_CHANGED, link)
        except FailureError:  # the parent has finished: nobody is waiting for this any more
            pass

    @workflow.signal(name=CHILD_CHANGED)
    async def child_changed(self, link: ChildLink) -> None:
        await workflow.wait_condition(lambda: self.s.opened)
        async with self._lock:
            known = self.s.children.get(link.id)
            if known is None or known.updated_at > link.updated_at:
                return  # not a child of this trajectory, or news older than what it knows
            link = self.s.children[link.id] = link.model_copy(update={"ending": known.ending})
            await self._carry_on(self.on_child(link), link.id)
            self.changed()
