"""Validation of the preservation forms: every field checked, errors named in Chinese."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from relief.cases.models import PartyKind
from relief.core import clock
from relief.core.fields import MoneyField
from relief.guarantees.rules import Exemption, PreservationKind, PropertyKind, ReleaseGround

NAME = validate.Length(min=1, max=128, error="请填写姓名或名称（不超过128字）。")
CASE_NUMBER = validate.Length(max=64, error="案号不超过64字。")


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_missing(self, data, **_):
        # an empty optional input means "not given", not an invalid value
        return {key: value for key, value in data.items() if value != ""}


def _not_in_future(value, **_):
    if value > clock.today():
        raise ValidationError("日期不能晚于今天。")


class PreservationSchema(_Form):
    """What the clerk files."""

    court = fields.Integer(required=True)
    kind = fields.Enum(PreservationKind, by_value=True, required=True)
    urgent = fields.Boolean(load_default=False)
    amount = MoneyField(required=True)
    disputed_object_value = MoneyField(load_default=None)
    property_kind = fields.Enum(PropertyKind, by_value=True, required=True)
    property_description = fields.String(
        required=True,
        validate=validate.Length(min=2, max=500, error="请描述保全财产（2至500字）。"),
    )
    exemption = fields.Enum(Exemption, by_value=True, load_default=None)
    insurer = fields.Integer(load_default=None)
    applicant_kind = fields.Enum(PartyKind, by_value=True, required=True)
    applicant_name = fields.String(required=True, validate=NAME)
    applicant_id_number = fields.String(required=True)
    respondent_kind = fields.Enum(PartyKind, by_value=True, required=True)
    respondent_name = fields.String(required=True, validate=NAME)
    respondent_id_number = fields.String(required=True)
    main_case_number = fields.String(load_default="", validate=CASE_NUMBER)
    case_number = fields.String(load_default="", validate=CASE_NUMBER)
    filed_on = fields.Date(required=True, validate=_not_in_future)

    @validates("amount")
    def _positive(self, value, **_):
        if value <= 0:
            raise ValidationError("请求保全数额必须大于零。")

    @validates("disputed_object_value")
    def _value_positive(self, value, **_):
        if value is not None and value <= 0:
            raise ValidationError("争议标的价值必须大于零。")


class ReasonSchema(_Form):
    """A decision that needs only a reason."""

    reason = fields.String(
        load_default="", validate=validate.Length(max=2000, error="理由不超过2000字。")
    )


class RulingSchema(ReasonSchema):
    """The judge's ruling on the preservation."""

    granted = fields.Boolean(required=True)
    ruled_on = fields.Date(required=True, validate=_not_in_future)


class ExecutionSchema(_Form):
    executed_on = fields.Date(required=True, validate=_not_in_future)


class ReleaseSchema(_Form):
    ground = fields.Enum(ReleaseGround, by_value=True, required=True)
    released_on = fields.Date(required=True, validate=_not_in_future)


class ConversionSchema(_Form):
    case_number = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="请填写执行案号。")
    )
    converted_on = fields.Date(required=True, validate=_not_in_future)


class ClaimSchema(_Form):
    amount = MoneyField(required=True)
    judgment_number = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64, error="请填写判决文号（不超过64字）。"),
    )
    claimed_on = fields.Date(required=True, validate=_not_in_future)


class Rate(fields.Field):
    """A premium rate written as a percentage, e.g. "0.1" for 0.1%."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        try:
            percent = Decimal(str(value).strip().removesuffix("%"))
        except InvalidOperation:
            raise ValidationError("请输入费率百分数，例如 0.1 表示0.1%。") from None
        if not percent.is_finite() or not Decimal("0") < percent < Decimal("100"):
            raise ValidationError("费率应大于0%且小于100%。")
        return percent / 100


class ContractSchema(_Form):
    """An insurer's guarantee terms, entered by an administrator."""

    insurer = fields.Integer(required=True)
    rate = Rate(required=True)
    minimum_premium = MoneyField(required=True)
    exposure_limit = MoneyField(required=True)

    @validates_schema
    def _limit_positive(self, data, **_):
        if data.get("exposure_limit") is not None and data["exposure_limit"] <= 0:
            raise ValidationError("担保余额上限必须大于零。", "exposure_limit")
