"""Validation of the relief forms: every field checked, errors named in Chinese."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from relief.assistance.rules import Category, Exclusion, WageSeries
from relief.core import clock
from relief.core.fields import MoneyField


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE


class ApplicationSchema(_Form):
    """What the clerk files."""

    party = fields.Integer(required=True)
    policy = fields.Integer(required=True)
    category = fields.Enum(Category, by_value=True, required=True)
    household_size = fields.Integer(
        required=True, validate=validate.Range(min=1, max=30, error="家庭人口应为1至30人。")
    )
    household_monthly_income = MoneyField(required=True)
    compensation_received = MoneyField(required=True)
    amount_requested = MoneyField(required=True)
    circumstances = fields.String(
        load_default="", validate=validate.Length(max=2000, error="情况说明不超过2000字。")
    )
    exclusions = fields.List(fields.Enum(Exclusion, by_value=True), load_default=list)
    filed_on = fields.Date(required=True)

    @validates("amount_requested")
    def _positive(self, value, **_):
        if value <= 0:
            raise ValidationError("申请金额必须大于零。")

    @validates("filed_on")
    def _not_in_future(self, value, **_):
        if value > clock.today():
            raise ValidationError("申请日期不能晚于今天。")


class ProposalSchema(_Form):
    """The judge's proposal."""

    amount = MoneyField(required=True)
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=2000, error="理由应为2至2000字。")
    )
    override_reason = fields.String(
        load_default="", validate=validate.Length(max=2000, error="例外理由不超过2000字。")
    )
    especially_serious = fields.Boolean(load_default=False)


class ReasonSchema(_Form):
    """A decision that needs only a reason (decline, return, approve)."""

    reason = fields.String(
        load_default="", validate=validate.Length(max=2000, error="理由不超过2000字。")
    )


class WageFigureSchema(_Form):
    """A provincial average wage entered by an administrator."""

    year = fields.Integer(
        required=True, validate=validate.Range(min=1990, max=2100, error="年度应在1990至2100之间。")
    )
    series = fields.Enum(WageSeries, by_value=True, required=True)
    annual_amount = MoneyField(required=True)
    source = fields.String(
        required=True, validate=validate.Length(min=2, max=500, error="请注明数据来源。")
    )

    @validates("annual_amount")
    def _positive(self, value, **_):
        if value <= 0:
            raise ValidationError("年平均工资必须大于零。")
