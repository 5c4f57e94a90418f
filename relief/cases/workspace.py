"""The staff workspace: one list of what waits for the viewer, overdue first.

Each queue is a function of the user and today's date returning items; features add theirs
to QUEUES (bounties: tips to verify) without this module knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from relief.accounts.models import Role, User
from relief.assistance.models import ApplicationStatus, ReliefApplication
from relief.cases import rules
from relief.cases.models import OPEN_STAGES, EnforcementCase, Recheck, RecheckResult, Stage
from relief.extensions import db
from relief.holidays.operations import court_calendar
from relief.web import localtime

#: how far ahead "due this week" looks
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting: what, on which case, by when, and since when."""

    queue: str
    title: str
    case_number: str
    url: str
    due_on: date
    waiting_since: date

    def overdue(self, today: date) -> bool:
        """Whether its due day has passed."""
        return self.due_on < today

    def days_waiting(self, today: date) -> int:
        """Days since it started waiting, never negative."""
        return max(0, (today - self.waiting_since).days)


Queue = Callable[[User, date], list[QueueItem]]

#: the queues shown on the workspace; other features append theirs
QUEUES: list[Queue] = []


def queue(function: Queue) -> Queue:
    """Register a queue of the workspace."""
    QUEUES.append(function)
    return function


def items_for(user: User, today: date) -> list[QueueItem]:
    """Everything waiting for the user, overdue first, then by due day."""
    items = [item for function in QUEUES for item in function(user, today)]
    return sorted(items, key=lambda item: (not item.overdue(today), item.due_on, item.title))


def own_cases(query: Select, user: User) -> Select:
    """Limit a query over cases to the judge's own; other roles see the court's."""
    # TODO: cases know their judge by the name in the court's export, not by account; two
    # judges with the same name would share their queues until the export carries an id.
    if user.role == Role.JUDGE:
        return query.where(EnforcementCase.judge_name == user.display_name)
    return query


# --- Relief --------------------------------------------------------------------------------

_RELIEF_STATUSES = {
    Role.JUDGE: (ApplicationStatus.FILED, ApplicationStatus.RETURNED),
    Role.CLERK: (ApplicationStatus.FILED,),
    Role.ADMIN: (ApplicationStatus.FILED, ApplicationStatus.RETURNED),
}


@queue
def relief_to_decide(user: User, today: date) -> list[QueueItem]:
    """Relief applications waiting for the judge's proposal or decision."""
    statuses = _RELIEF_STATUSES.get(user.role)
    if not statuses:
        return []
    query = (
        select(ReliefApplication)
        .join(EnforcementCase, ReliefApplication.case_id == EnforcementCase.id)
        .where(ReliefApplication.status.in_(statuses))
        .options(selectinload(ReliefApplication.case))
    )
    return [
        QueueItem(
            queue=str(lazy_gettext("待决定的救助申请")),
            title=application.relief_number,
            case_number=application.case.case_number,
            url=url_for("assistance.show", public_id=application.public_id),
            due_on=application.decision_due_on,
            waiting_since=application.filed_on,
        )
        for application in _rows(own_cases(query, user))
    ]


@queue
def approvals_waiting(user: User, today: date) -> list[QueueItem]:
    """Proposals waiting for a second signature; never the viewer's own."""
    if user.role not in (Role.APPROVER, Role.ADMIN):
        return []
    query = (
        select(ReliefApplication)
        .where(
            ReliefApplication.status == ApplicationStatus.PROPOSED,
            ReliefApplication.proposed_by_id != user.id,
        )
        .options(selectinload(ReliefApplication.case))
    )
    return [
        QueueItem(
            queue=str(lazy_gettext("待我审批")),
            title=application.relief_number,
            case_number=application.case.case_number,
            url=url_for("assistance.show", public_id=application.public_id),
            due_on=application.decision_due_on,
            waiting_since=_local_day(application.proposed_at) or application.filed_on,
        )
        for application in _rows(query)
    ]


# --- Cases ---------------------------------------------------------------------------------


@queue
def rechecks_due(user: User, today: date) -> list[QueueItem]:
    """Re-checks after 终本 due within a week or overdue."""
    if user.role not in (Role.CLERK, Role.JUDGE, Role.ADMIN):
        return []
    query = (
        select(Recheck)
        .join(EnforcementCase, Recheck.case_id == EnforcementCase.id)
        .where(Recheck.result == RecheckResult.PENDING, Recheck.due_on <= today + WEEK)
        .options(selectinload(Recheck.case))
    )
    return [
        QueueItem(
            queue=str(lazy_gettext("终本后财产复查")),
            title=str(lazy_gettext("第%(sequence)s次复查", sequence=recheck.sequence)),
            case_number=recheck.case.case_number,
            url=url_for("cases.show", public_id=recheck.case.public_id, _anchor="rechecks"),
            due_on=recheck.due_on,
            waiting_since=recheck.due_on,
        )
        for recheck in _rows(own_cases(query, user))
    ]


@queue
def resumptions_proposed(user: User, today: date) -> list[QueueItem]:
    """终本 cases where a re-check found property: the judge decides on resumption."""
    if user.role not in (Role.JUDGE, Role.ADMIN):
        return []
    query = (
        select(Recheck)
        .join(EnforcementCase, Recheck.case_id == EnforcementCase.id)
        .where(
            Recheck.result == RecheckResult.FOUND,
            EnforcementCase.stage == Stage.TERMINATED_ROUND,
            ~select(EnforcementCase.id)
            .where(EnforcementCase.resumed_from_id == Recheck.case_id)
            .correlate(Recheck)
            .exists(),
        )
        .options(selectinload(Recheck.case))
    )
    return [
        QueueItem(
            queue=str(lazy_gettext("建议恢复执行")),
            title=str(lazy_gettext("第%(sequence)s次复查发现财产", sequence=recheck.sequence)),
            case_number=recheck.case.case_number,
            url=url_for("cases.show", public_id=recheck.case.public_id, _anchor="resume"),
            due_on=recheck.done_on,
            waiting_since=recheck.done_on,
        )
        for recheck in _rows(own_cases(query, user))
    ]


@queue
def closing_deadlines(user: User, today: date) -> list[QueueItem]:
    """The judge's open cases whose six-month closing period ends this week or has ended."""
    if user.role != Role.JUDGE:
        return []
    # the period ends at most a few days after filing + 6 months (holiday roll-over), so
    # cases filed before this bound are the only candidates
    latest_filing = rules.months_before(today + WEEK, rules.CLOSE_WITHIN_MONTHS)
    query = select(EnforcementCase).where(
        EnforcementCase.stage.in_(OPEN_STAGES), EnforcementCase.filed_on <= latest_filing
    )
    calendar = court_calendar()
    items = []
    for case in _rows(own_cases(query, user)):
        due = rules.close_due(case.filed_on, calendar).due
        if due <= today + WEEK:
            items.append(
                QueueItem(
                    queue=str(lazy_gettext("本周到期的执行期限")),
                    title=str(lazy_gettext("六个月执行期限")),
                    case_number=case.case_number,
                    url=url_for("cases.show", public_id=case.public_id),
                    due_on=due,
                    waiting_since=case.filed_on,
                )
            )
    return items


def _rows(query: Select) -> list:
    return list(db.session.execute(query).scalars())


def _local_day(moment) -> date | None:
    return date.fromisoformat(localtime(moment)[:10]) if moment else None
