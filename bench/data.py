"""Bulk data for the benchmarks: cases from the demo generator, claims on top of them.

Rows go in through SQLAlchemy Core executemany with explicit ids, in batches, so a million
cases take a minute or two rather than the hours the ORM would need. The rows are what the
importer would make of the demo generator's export rows (relief/demo.py).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, insert, select

from relief.accounts.models import Role, User
from relief.assistance.models import (
    ApplicationStatus,
    ClaimStatus,
    ReliefApplication,
    ReliefClaim,
)
from relief.cases.importer import OUTCOMES, PARTY_KINDS
from relief.cases.models import (
    Court,
    EnforcementCase,
    Party,
    PartyRole,
    stage_for_outcome,
)
from relief.core.models import new_public_id
from relief.demo import COURTS, _Generator
from relief.documents.models import DocumentKind, IssuedDocument, new_verification_token
from relief.insurers.models import Insurer, ReliefPolicy

SEED = 2026
TODAY = date(2026, 12, 1)
BATCH = 5_000

#: a stand-in for the PDF bytes: the list never reads them
PDF_STAND_IN = b"%PDF-1.7 stand-in"


def _batches(rows: Iterator[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_courts(connection: Connection) -> dict[str, int]:
    """The demo's five Panjin courts; return their ids by name."""
    connection.execute(
        insert(Court),
        [{"id": i, "name": name, "code": code} for i, (name, code) in enumerate(COURTS, 1)],
    )
    return {name: i for i, (name, _code) in enumerate(COURTS, 1)}


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _case_rows(count: int, courts: dict[str, int], seed: int) -> Iterator[tuple[dict, list]]:
    """Cases as the importer would store the demo generator's rows, with their parties."""
    generator = _Generator(random.Random(seed), TODAY)
    now = datetime.now(UTC)
    for case_id in range(1, count + 1):
        row = generator.case_row(case_id)
        outcome = OUTCOMES[row[13]]
        case = {
            "id": case_id,
            "public_id": new_public_id("case"),
            "case_number": row[0],
            "court_id": courts[row[1]],
            "filed_on": date.fromisoformat(row[2]),
            "cause": row[3],
            "basis_document": row[4],
            "target_amount": _amount(row[11]),
            "recovered_amount": _amount(row[12]),
            "outcome": outcome,
            "closed_on": date.fromisoformat(row[14]) if row[14] else None,
            "judge_name": row[15],
            "stage": stage_for_outcome(outcome),
            "created_at": now,
            "updated_at": now,
        }
        parties = [
            {
                "id": 2 * case_id - 1,
                "case_id": case_id,
                "role": PartyRole.APPLICANT,
                "kind": PARTY_KINDS[row[6]],
                "name": row[5],
                "id_number": row[7],
            },
            {
                "id": 2 * case_id,
                "case_id": case_id,
                "role": PartyRole.RESPONDENT,
                "kind": PARTY_KINDS[row[9]],
                "name": row[8],
                "id_number": row[10],
            },
        ]
        yield case, parties


def insert_cases(connections: Connection | list[Connection], count: int, seed: int = SEED) -> None:
    """Insert ``count`` generated cases (ids 1..count) and their two parties each, the same
    into every connection's database (the rows are generated once), committing each batch.

    Party ids are 2 × case id − 1 for the applicant and 2 × case id for the respondent.
    """
    if isinstance(connections, Connection):
        connections = [connections]
    courts = {}
    for connection in connections:
        courts = insert_courts(connection)
    cases: list[dict] = []
    parties: list[dict] = []
    for case, case_parties in _case_rows(count, courts, seed):
        cases.append(case)
        parties.extend(case_parties)
        if len(cases) >= BATCH:
            _flush_cases(connections, cases, parties)
    _flush_cases(connections, cases, parties)


def _flush_cases(connections: list[Connection], cases: list[dict], parties: list[dict]) -> None:
    if cases:
        for connection in connections:
            connection.execute(insert(EnforcementCase.__table__), cases)
            connection.execute(insert(Party.__table__), parties)
            # a batch at a time: SQLite's write-ahead log would otherwise hold every page
            # written until the end, and reading through it slows each later batch
            connection.commit()
    cases.clear()
    parties.clear()


def insert_claims(connection: Connection, count: int, insurers: list[int], clerk_id: int) -> None:
    """An approved application, a claim and its two documents on each of cases 1..count.

    Claims go to the insurers in turn, with the mix of statuses a working year leaves.
    """
    policies = dict(
        connection.execute(select(ReliefPolicy.insurer_id, ReliefPolicy.id)).tuples().all()
    )
    rng = random.Random(SEED)  # seeded, not secret
    now = datetime.now(UTC)
    statuses = [ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID, ClaimStatus.REJECTED]

    def rows() -> Iterator[tuple[dict, dict, list[dict]]]:
        for case_id in range(1, count + 1):
            insurer_id = insurers[case_id % len(insurers)]
            amount = Decimal(rng.randint(5_000, 100_000))
            filed_on = TODAY - timedelta(days=rng.randint(20, 300))
            status = rng.choices(statuses, weights=[20, 10, 65, 5])[0]
            relief_number = f"（{filed_on.year}）辽11司救执{case_id}号"
            application = {
                "id": case_id,
                "public_id": new_public_id("app"),
                "relief_number": relief_number,
                "case_id": case_id,
                "party_id": 2 * case_id - 1,
                "policy_id": policies[insurer_id],
                "category": "tort_injury",
                "household_size": 3,
                "household_monthly_income": Decimal("900.00"),
                "compensation_received": Decimal("0.00"),
                "amount_requested": amount,
                "circumstances": "",
                "exclusions": [],
                "filed_on": filed_on,
                "filed_by_id": clerk_id,
                "decision_due_on": filed_on + timedelta(days=14),
                "status": ApplicationStatus.APPROVED,
                "proposed_amount": amount,
                "proposal_reason": "申请人因案致贫，被执行人确无财产可供执行。",
                "decision_reason": "同意。",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            paid = status == ClaimStatus.PAID
            claim = {
                "id": case_id,
                "public_id": new_public_id("clm"),
                "application_id": case_id,
                "insurer_id": insurer_id,
                "policy_id": policies[insurer_id],
                "amount": amount,
                "status": status,
                "submitted_at": now - timedelta(days=rng.randint(1, 300)),
                "answered_at": None if status == ClaimStatus.SUBMITTED else now,
                "rejection_reason": "材料不全。" if status == ClaimStatus.REJECTED else None,
                "paid_amount": amount if paid else None,
                "paid_on": TODAY if paid else None,
                "transaction_reference": f"TX{case_id:09d}" if paid else None,
                "clawed_back": Decimal("0.00"),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            documents = [
                {
                    "id": 2 * case_id - 1 + offset,
                    "token": new_verification_token(),
                    "kind": kind,
                    "number": relief_number + suffix,
                    "case_id": case_id,
                    "application_id": case_id,
                    "sha256": hashlib.sha256(f"{kind}{case_id}".encode()).hexdigest(),
                    "size": len(PDF_STAND_IN),
                    "content": PDF_STAND_IN,
                    "data": {},
                    "issued_at": now,
                }
                for offset, (kind, suffix) in enumerate(
                    ((DocumentKind.RELIEF_DECISION, ""), (DocumentKind.RELIEF_CLAIM, "之一"))
                )
            ]
            yield application, claim, documents

    applications: list[dict] = []
    claims: list[dict] = []
    documents: list[dict] = []
    for application, claim, claim_documents in rows():
        applications.append(application)
        claims.append(claim)
        documents.extend(claim_documents)
        if len(applications) >= BATCH:
            _flush_claims(connection, applications, claims, documents)
    _flush_claims(connection, applications, claims, documents)


def _flush_claims(connection: Connection, *tables: list[dict]) -> None:
    applications, claims, documents = tables
    if applications:
        connection.execute(insert(ReliefApplication.__table__), applications)
        connection.execute(insert(ReliefClaim.__table__), claims)
        connection.execute(insert(IssuedDocument.__table__), documents)
    for rows in tables:
        rows.clear()


def make_insurers(names: list[str]) -> list[tuple[Insurer, str, str]]:
    """Insurers with a policy for the year and an API key each: (insurer, key id, secret).

    Uses the ORM session (and so the vault) inside an app context; the caller commits.
    """
    from relief.extensions import db
    from relief.insurers.operations import create_api_client

    made = []
    for number, short_name in enumerate(names, 1):
        insurer = Insurer(
            name=f"{short_name}财产保险股份有限公司盘锦市分公司", short_name=short_name
        )
        db.session.add(insurer)
        db.session.add(
            ReliefPolicy(
                insurer=insurer,
                policy_number=f"PZJZ{TODAY.year}2111{number:04d}",
                starts_on=date(TODAY.year, 1, 1),
                ends_on=date(TODAY.year, 12, 31),
                per_case_limit=Decimal("100000"),
                annual_aggregate=Decimal("100000000"),
            )
        )
        db.session.flush()
        client, secret = create_api_client(insurer, label="bench")
        made.append((insurer, client.key_id, secret))
    return made


def make_user(username: str, role: Role, password: str) -> User:
    """A staff account (argon2 hash: once per run)."""
    from relief.accounts.operations import create_user

    return create_user(username, password, role, username)
