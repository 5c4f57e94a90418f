"""Validation of the bounty forms, staff and public: every field checked, errors in Chinese."""

from __future__ import annotations

import re
import unicodedata
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

from relief.bounties.rules import AmountMethod, BountyKind, Channel, Exclusion, TipVerdict
from relief.core import clock
from relief.core.fields import MoneyField
from relief.core.identity import InvalidIdentity, validate_person_id

#: mainland mobile numbers: 11 digits starting 13–19 (MIIT numbering plan)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_empty(self, data, **_):
        # an empty optional box means "not given", not an invalid value
        return {key: value for key, value in data.items() if value not in ("", None)}


class PercentField(fields.Field):
    """A percentage typed as "10" or "10%", loaded as the rate 0.10."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise ValidationError("请输入百分比数字，例如 10 表示10%。") from None
        if not percent.is_finite() or percent.as_tuple().exponent < -2:
            raise ValidationError("百分比最多保留两位小数。")
        return percent / 100


class PhoneField(fields.String):
    """A mainland mobile number; spaces, hyphens and a +86 prefix are accepted."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))
        digits = re.sub(r"[\s\-()]", "", text)
        digits = digits.removeprefix("+86").removeprefix("0086")
        if not _MOBILE.fullmatch(digits):
            raise ValidationError("请输入11位中国大陆手机号码，例如 13812345678。")
        return digits


class PersonIdField(fields.String):
    """A resident identity number, checked against GB 11643."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        try:
            return validate_person_id(super()._deserialize(value, attr, data, **kwargs))
        except InvalidIdentity as error:
            raise ValidationError(error.reason) from None


class BountySchema(_Form):
    """The applicant's bounty application, as the clerk enters it."""

    party = fields.Integer(required=True)
    insurer = fields.Integer(required=True)
    kind = fields.Enum(BountyKind, by_value=True, required=True)
    method = fields.Enum(AmountMethod, by_value=True, required=True)
    fixed_amount = MoneyField(load_default=None)
    rate = PercentField(load_default=None)
    cap = MoneyField(load_default=None)
    channels = fields.List(fields.Enum(Channel, by_value=True), load_default=list)
    undertaking = fields.Boolean(load_default=False)
    published_details = fields.String(
        load_default="", validate=validate.Length(max=1000, error="公布信息不超过1000字。")
    )
    filed_on = fields.Date(required=True)

    @validates("filed_on")
    def _not_in_future(self, value, **_):
        if value > clock.today():
            raise ValidationError("申请日期不能晚于今天。")

    @validates_schema
    def _amount_given(self, data, **_):
        if data.get("method") == AmountMethod.FIXED and data.get("fixed_amount") is None:
            raise ValidationError("请填写悬赏金额。", "fixed_amount")
        if data.get("method") == AmountMethod.PERCENTAGE:
            if data.get("rate") is None:
                raise ValidationError("请填写悬赏比例。", "rate")
            if data.get("cap") is None:
                raise ValidationError("请填写悬赏最高金额。", "cap")


class ReasonSchema(_Form):
    """A decision that needs only a reason."""

    reason = fields.String(
        load_default="", validate=validate.Length(max=2000, error="理由不超过2000字。")
    )


class MarkSchema(_Form):
    """The judge's finding on a tip."""

    verdict = fields.Enum(TipVerdict, by_value=True, required=True)
    exclusion = fields.Enum(Exclusion, by_value=True, load_default=None)
    same_lead_as = fields.String(load_default=None)
    note = fields.String(
        load_default="", validate=validate.Length(max=2000, error="不超过2000字。")
    )


class TipRecoverySchema(_Form):
    """Money recovered through a tip's lead."""

    amount = MoneyField(required=True)
    received_on = fields.Date(required=True)

    @validates("amount")
    def _positive(self, value, **_):
        if value <= 0:
            raise ValidationError("到位金额必须大于零。")


AGREE_MESSAGE = "请确认所提供的信息真实，并同意法院为核实和发放悬赏金使用。"


class TipSchema(_Form):
    """A tip from the public."""

    lead = fields.String(
        required=True,
        validate=validate.Length(min=10, max=5000, error="线索内容应为10至5000字。"),
    )
    name = fields.String(
        required=True, validate=validate.Length(min=2, max=50, error="姓名应为2至50个字。")
    )
    id_number = PersonIdField(required=True)
    phone = PhoneField(required=True)
    agree = fields.Boolean(required=True, error_messages={"required": AGREE_MESSAGE})

    @validates("agree")
    def _agreed(self, value, **_):
        if not value:
            raise ValidationError(AGREE_MESSAGE)


class AdditionSchema(_Form):
    """More information from the tipster, with the receipt code."""

    code = fields.String(required=True)
    text = fields.String(
        load_default="", validate=validate.Length(max=5000, error="补充内容不超过5000字。")
    )
