"""enforcement case stages, inquiry, measures, termination, rechecks, holidays

Revision ID: 07d7478879f7
Revises: 67de23e47d42
Create Date: 2026-12-03 16:57:34.772024

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "07d7478879f7"
down_revision = "67de23e47d42"
branch_labels = None
depends_on = None

STAGE = sa.Enum(
    "filed",
    "inquiry",
    "quick",
    "ordinary",
    "disposal",
    "terminated_round",
    "closed",
    name="stage",
    native_enum=False,
    length=24,
)


def _timestamps():
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "holiday_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_overrides")),
        sa.UniqueConstraint("day", name=op.f("uq_holiday_overrides_day")),
    )
    op.create_table(
        "enforcement_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "report_order",
                "consumption_restriction",
                "dishonest_list",
                "online_inquiry",
                "onsite_inquiry",
                "leads_checked",
                "search",
                "audit",
                "bounty",
                "sanction",
                name="measurekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=96), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_enforcement_measures_case_id_enforcement_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_enforcement_measures_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_measures")),
    )
    with op.batch_alter_table("enforcement_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enforcement_measures_case_id"), ["case_id"])

    op.create_table(
        "inquiry_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "deposits",
                "vehicles",
                "real_estate",
                "securities",
                "other",
                name="propertykind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("amount_found", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("amount_found >= 0", name=op.f("ck_inquiry_results_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_inquiry_results_case_id_enforcement_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_inquiry_results_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_results")),
    )
    with op.batch_alter_table("inquiry_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiry_results_case_id"), ["case_id"])

    op.create_table(
        "property_rechecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "pending",
                "nothing",
                "found",
                "cancelled",
                name="recheckresult",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("applicant_notified_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_cases.id"],
            name=op.f("fk_property_rechecks_case_id_enforcement_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_property_rechecks_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_property_rechecks")),
        sa.UniqueConstraint("case_id", "sequence", name=op.f("uq_property_rechecks_case_id")),
    )
    with op.batch_alter_table("property_rechecks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_property_rechecks_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_property_rechecks_due_on"), ["due_on"])
        batch_op.create_index(batch_op.f("ix_property_rechecks_result"), ["result"])

    op.create_table(
        "terminations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ruled_on", sa.Date(), nullable=False),
        sa.Column("applicant_informed_on", sa.Date(), nullable=False),
        sa.Column("applicant_view", sa.Text(), nullable=False),
        sa.Column("applicant_agrees", sa.Boolean(), nullable=False),
        sa.Column("panel_approved", sa.Boolean(), nullable=False),
        sa.Column("investigation_summary", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["enforcement_cases.id"], name=op.f("fk_terminations_case_id_enforcement_cases")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_terminations_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["issued_documents.id"],
            name=op.f("fk_terminations_document_id_issued_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminations")),
        sa.UniqueConstraint("case_id", name=op.f("uq_terminations_case_id")),
    )

    with op.batch_alter_table("enforcement_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", STAGE, nullable=True))
        batch_op.add_column(sa.Column("resumed_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_enforcement_cases_resumed_from_id"), ["resumed_from_id"])
        batch_op.create_index(batch_op.f("ix_enforcement_cases_stage"), ["stage"])
        batch_op.create_foreign_key(
            batch_op.f("fk_enforcement_cases_resumed_from_id_enforcement_cases"),
            "enforcement_cases",
            ["resumed_from_id"],
            ["id"],
        )

    # Existing cases know only their outcome: open ones start at filing, as imported ones do.
    op.execute(
        "UPDATE enforcement_cases SET stage = CASE outcome "
        "WHEN 'open' THEN 'filed' WHEN 'terminated_round' THEN 'terminated_round' "
        "ELSE 'closed' END"
    )
    with op.batch_alter_table("enforcement_cases", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=STAGE, nullable=False)


def downgrade():
    with op.batch_alter_table("enforcement_cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_enforcement_cases_resumed_from_id_enforcement_cases"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_enforcement_cases_stage"))
        batch_op.drop_index(batch_op.f("ix_enforcement_cases_resumed_from_id"))
        batch_op.drop_column("resumed_from_id")
        batch_op.drop_column("stage")

    op.drop_table("terminations")
    op.drop_table("property_rechecks")
    op.drop_table("inquiry_results")
    op.drop_table("enforcement_measures")
    op.drop_table("holiday_overrides")
