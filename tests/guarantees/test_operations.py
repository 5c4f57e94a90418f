"""The life of a guarantee through its operations: filing, the letter, exposure, renewal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from relief.core import clock
from relief.core.audit import AuditEntry
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.documents.models import DocumentKind
from relief.extensions import db
from relief.guarantees import operations, rules
from relief.guarantees.models import Guarantee, GuaranteeStatus
from tests.guarantees.conftest import complete_letter, entry, executed, issued


def test_filing_computes_security_and_fee(world):
    guarantee = operations.file_application(
        entry(), court=world.court, insurer=world.a.insurer, case=None, clerk=world.clerk
    )

    assert guarantee.status == GuaranteeStatus.REQUESTED
    assert guarantee.security_required == Decimal("300000.00")
    assert guarantee.court_fee == Decimal("5000.00")
    assert guarantee.preservation_number == f"（{clock.today().year}）辽11财保1号"


def test_an_exempt_application_needs_no_insurer_and_awaits_the_ruling(world):
    guarantee = operations.file_application(
        entry(exemption=rules.Exemption.MAINTENANCE_WAGES_INJURY),
        court=world.court,
        insurer=world.a.insurer,
        case=None,
        clerk=world.clerk,
    )

    assert guarantee.security_required == Decimal("0.00")
    assert guarantee.insurer is None
    assert guarantee.status == GuaranteeStatus.ACCEPTED
    assert operations.deadlines(guarantee).ruling is not None


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("applicant_id_number", {"applicant_id_number": "91211104G3F6W6RC1B"}),
        ("respondent_id_number", {"respondent_id_number": "211103199201139461"}),
    ],
)
def test_filing_refuses_an_identity_number_failing_its_checksum(world, field, changes):
    base = entry()
    party = "applicant" if field.startswith("applicant") else "respondent"
    old = getattr(base, party)
    bad = operations.PartyEntry(old.kind, old.name, next(iter(changes.values())))

    with pytest.raises(OperationError) as refused:
        operations.file_application(
            entry(**{party: bad}),
            court=world.court,
            insurer=world.a.insurer,
            case=None,
            clerk=world.clerk,
        )
    assert refused.value.field == field
    assert db.session.query(Guarantee).count() == 0


def test_a_pre_suit_application_cannot_be_exempt(world):
    with pytest.raises(OperationError, match="诉前财产保全必须提供担保") as refused:
        operations.file_application(
            entry(kind=rules.PreservationKind.PRE_SUIT, exemption=rules.Exemption.CLEAR_FACTS),
            court=world.court,
            insurer=world.a.insurer,
            case=None,
            clerk=world.clerk,
        )
    assert refused.value.field == "exemption"


def test_quote_uses_the_insurers_contract(world):
    guarantee = operations.file_application(
        entry(), court=world.court, insurer=world.a.insurer, case=None, clerk=world.clerk
    )

    operations.quote(guarantee, insurer=world.a.insurer)
    assert guarantee.premium == Decimal("1000.00")  # 0.1% of 1,000,000

    operations.quote(guarantee, insurer=world.a.insurer, insured_amount=Decimal("300000"))
    assert guarantee.premium == Decimal("500.00")  # the minimum

    with pytest.raises(OperationError) as refused:
        operations.quote(guarantee, insurer=world.a.insurer, insured_amount=Decimal("299999"))
    assert refused.value.field == "insured_amount"


def test_another_insurer_cannot_answer(world):
    guarantee = operations.file_application(
        entry(), court=world.court, insurer=world.a.insurer, case=None, clerk=world.clerk
    )

    with pytest.raises(Forbidden):
        operations.quote(guarantee, insurer=world.b.insurer)


def test_an_incomplete_letter_is_refused_and_changes_nothing(world):
    guarantee = operations.file_application(
        entry(), court=world.court, insurer=world.a.insurer, case=None, clerk=world.clerk
    )
    operations.quote(guarantee, insurer=world.a.insurer)

    with pytest.raises(operations.LetterRefused) as refused:
        operations.issue_letter(
            guarantee,
            complete_letter(guarantee, irrevocable=False, compensation_undertaking=False),
            insurer=world.a.insurer,
        )
    assert [p.field for p in refused.value.problems] == [
        "irrevocable",
        "compensation_undertaking",
    ]
    assert guarantee.status == GuaranteeStatus.QUOTED
    assert guarantee.letter_document is None


def test_an_issued_letter_is_rendered_with_its_verification_code(world):
    guarantee = issued(world)

    document = guarantee.letter_document
    assert guarantee.status == GuaranteeStatus.ISSUED
    assert document.kind == DocumentKind.GUARANTEE_LETTER
    assert document.case_id is None
    assert document.content.startswith(b"%PDF")
    assert document.data["verify_url"].startswith("http://relief.test/verify/")
    assert document.data["guaranteed_capitals"] == "人民币壹佰万元整"
    # identity numbers are kept masked in the record of what the letter was made from
    assert "91211104G3F6W6RC1A" not in str(document.data)


# --- Exposure ------------------------------------------------------------------------------


def test_exposure_counts_a_released_guarantee_until_its_liability_ends(world):
    today = clock.today()
    guarantee = executed(world)
    operations.release(
        guarantee,
        ground=rules.ReleaseGround.COUNTER_SECURITY,
        released_on=today,
        judge=world.judge,
    )
    insurer_id = world.a.insurer.id
    last_day = guarantee.liability_ends_on

    assert guarantee.status == GuaranteeStatus.RELEASED
    assert last_day == rules.liability_ends(today).due
    assert operations.exposure(insurer_id, today - timedelta(days=1)) == 0
    assert operations.exposure(insurer_id, today) == Decimal("1000000.00")
    assert operations.exposure(insurer_id, today + timedelta(days=700)) == Decimal("1000000.00")
    assert operations.exposure(insurer_id, last_day) == Decimal("1000000.00")
    assert operations.exposure(insurer_id, last_day + timedelta(days=1)) == 0
    assert operations.exposure(world.b.insurer.id, today) == 0


def test_a_rejected_guarantee_no_longer_counts(world):
    guarantee = issued(world)
    assert operations.exposure(world.a.insurer.id, clock.today()) == Decimal("1000000.00")

    operations.reject(guarantee, reason="保函未加盖分公司印章。", user=world.judge)

    assert operations.exposure(world.a.insurer.id, clock.today()) == 0


def test_a_paid_claim_ends_the_exposure(world):
    today = clock.today()
    guarantee = executed(world)
    operations.release(
        guarantee,
        ground=rules.ReleaseGround.JUDGMENT_DISMISSED,
        released_on=today,
        judge=world.judge,
    )
    with pytest.raises(OperationError, match="担保金额"):
        operations.file_claim(
            guarantee,
            amount=Decimal("1000000.01"),
            judgment_number="（2025）辽11民初99号",
            claimed_on=today,
            clerk=world.clerk,
        )
    operations.file_claim(
        guarantee,
        amount=Decimal("42000.00"),
        judgment_number="（2025）辽11民初99号",
        claimed_on=today,
        clerk=world.clerk,
    )
    assert operations.exposure(world.a.insurer.id, today) == Decimal("1000000.00")

    operations.record_claim_payment(
        guarantee,
        amount=Decimal("42000.00"),
        paid_on=today,
        transaction_reference="PICC-BQ-0001",
        insurer=world.a.insurer,
    )

    assert guarantee.status == GuaranteeStatus.PAID
    assert operations.exposure(world.a.insurer.id, today) == 0


def test_a_guarantee_beyond_the_limit_needs_an_approver(world):
    first = issued(world)
    operations.accept(first, reason="", judge=world.judge)
    assert first.status == GuaranteeStatus.ACCEPTED  # exactly at the limit of 1,000,000

    second = issued(world, amount=Decimal("10000.00"))
    operations.accept(second, reason="符合要求。", judge=world.judge)
    assert second.status == GuaranteeStatus.AWAITING_APPROVAL
    assert second.accepted_at is None

    with pytest.raises(Forbidden):
        operations.approve_acceptance(second, approver=world.judge)
    operations.approve_acceptance(second, approver=world.approver)

    assert second.status == GuaranteeStatus.ACCEPTED
    assert second.approved_by == world.approver
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert "guarantee.acceptance_proposed" in actions


# --- Deadlines and renewal -----------------------------------------------------------------


def test_the_renewal_alert_is_raised_seven_days_before_expiry(world):
    today = clock.today()
    # a deposit frozen almost a year ago: the measure expires within the week
    executed_on = today.replace(year=today.year - 1) + timedelta(days=3)
    guarantee = executed(world, executed_on=executed_on, filed_on=executed_on)
    expires = guarantee.measure_expires_on

    assert expires == rules.measure_expires(executed_on, rules.PropertyKind.DEPOSIT).due
    assert operations.deadlines(guarantee, today).renewal_alert == (
        expires - timedelta(days=7) <= today
    )
    assert operations.deadlines(guarantee, expires - timedelta(days=7)).renewal_alert
    assert not operations.deadlines(guarantee, expires - timedelta(days=8)).renewal_alert
    assert operations.renewals_due(expires - timedelta(days=7)) == [guarantee]
    assert operations.renewals_due(expires - timedelta(days=8)) == []

    operations.renew(guarantee, user=world.clerk)

    assert guarantee.renewals == 1
    assert guarantee.measure_expires_on > expires + timedelta(days=360)
    assert operations.renewals_due(expires - timedelta(days=7)) == []


def test_a_pre_suit_measure_shows_the_window_to_sue(world):
    guarantee = executed(world, kind=rules.PreservationKind.PRE_SUIT, urgent=True)

    found = operations.deadlines(guarantee)
    assert found.suit.due == rules.suit_due(guarantee.executed_on).due
    assert found.ruling_source == rules.SOURCE_URGENT
    assert found.ruling.due.minute == 0  # counted in whole hours


def test_closing_before_the_tail_ends_is_refused(world):
    guarantee = executed(world)
    operations.release(
        guarantee, ground=rules.ReleaseGround.OTHER, released_on=clock.today(), judge=world.judge
    )

    with pytest.raises(Conflict, match="届满前不能结案"):
        operations.close_expired(guarantee, user=world.clerk)


def test_closing_after_the_tail_ends(world, monkeypatch):
    guarantee = executed(world)
    operations.release(
        guarantee, ground=rules.ReleaseGround.OTHER, released_on=clock.today(), judge=world.judge
    )
    later = guarantee.liability_ends_on + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)

    operations.close_expired(guarantee, user=world.clerk)

    assert guarantee.status == GuaranteeStatus.CLOSED
    assert guarantee.closed_on == later
