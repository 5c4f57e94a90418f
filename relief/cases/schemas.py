"""Validation of the case pages' forms and queries."""

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

from relief.cases.models import MeasureKind, Outcome, PropertyKind, Stage
from relief.core import clock
from relief.core.fields import MoneyField


class CaseSearchSchema(Schema):
    """The case list's search form; every field optional."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=64))
    court = fields.Integer(validate=validate.Range(min=1))
    outcome = fields.Enum(Outcome, by_value=True)
    stage = fields.Enum(Stage, by_value=True)
    judge = fields.String(validate=validate.Length(max=64, error="承办人不超过64字。"))
    filed_from = fields.Date()
    filed_to = fields.Date()
    #: only the viewer's own cases (a judge's)
    mine = fields.Boolean(truthy={"1"}, falsy={"0"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))

    @pre_load
    def _drop_empty(self, data, **_):
        # the form sends "" for 全部: no filter, not a bad value
        return {key: value.strip() for key, value in data.items() if value.strip() != ""}

    @validates_schema
    def _range_in_order(self, data, **_):
        start, end = data.get("filed_from"), data.get("filed_to")
        if start and end and start > end:
            raise ValidationError("结束日期不能早于开始日期。", field_name="filed_to")


class RecoverySchema(Schema):
    """Money recovered from the debtor."""

    class Meta:
        unknown = EXCLUDE

    amount = MoneyField(required=True)
    received_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))

    @validates("received_on")
    def _not_in_future(self, value, **_):
        if value > clock.today():
            raise ValidationError("到位日期不能晚于今天。")


def _reason(required: bool = True):
    return fields.String(
        required=required,
        load_default=None if required else "",
        validate=validate.Length(max=2000, error="不超过2000字。"),
    )


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_empty(self, data, **_):
        # an empty input is a missing one, so required fields say so in Chinese
        return {key: value for key, value in data.items() if str(value).strip() != ""}


class EmptySchema(_Form):
    """A form with nothing but its CSRF token."""


class MoveSchema(_Form):
    """A move that needs only a reason."""

    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=2000, error="理由应为2至2000字。")
    )


class InquiryResultSchema(_Form):
    """One kind's answer from the online inquiry; no amount means nothing was found."""

    kind = fields.Enum(PropertyKind, by_value=True, required=True)
    found = fields.Boolean(
        required=True, truthy={"1"}, falsy={"0"}, error_messages={"invalid": "请选择是否查到。"}
    )
    amount_found = MoneyField()
    received_on = fields.Date(required=True)
    note = _reason(required=False)

    @validates_schema
    def _amount_when_found(self, data, **_):
        deposits = data.get("kind") == PropertyKind.DEPOSITS
        if data.get("found") and deposits and not data.get("amount_found"):
            raise ValidationError("查到存款的，请填写冻结金额。", field_name="amount_found")


class MeasureSchema(_Form):
    """An enforcement measure taken."""

    kind = fields.Enum(MeasureKind, by_value=True, required=True)
    taken_on = fields.Date(required=True)
    note = _reason(required=False)


class CloseSchema(_Form):
    """Closing a case as 执行完毕 or 终结执行."""

    outcome = fields.Enum(Outcome, by_value=True, required=True)
    closed_on = fields.Date(required=True)
    ground = fields.String()
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=2000, error="理由应为2至2000字。")
    )


class TerminationSchema(_Form):
    """The judge's statements for the 终本 checklist."""

    ruled_on = fields.Date(required=True)
    investigation_exhausted = fields.Boolean(truthy={"1"}, falsy={"0"}, load_default=False)
    investigation_summary = fields.String(
        required=True,
        validate=validate.Length(min=2, max=4000, error="财产调查情况应为2至4000字。"),
    )
    applicant_informed_on = fields.Date(load_default=None)
    applicant_view = fields.String(
        load_default="", validate=validate.Length(max=2000, error="不超过2000字。")
    )
    applicant_agrees = fields.Boolean(truthy={"1"}, falsy={"0"}, load_default=False)
    panel_approved = fields.Boolean(truthy={"1"}, falsy={"0"}, load_default=False)


class RecheckSchema(_Form):
    """A re-check's result."""

    found = fields.Boolean(
        required=True, truthy={"1"}, falsy={"0"}, error_messages={"invalid": "请选择复查结果。"}
    )
    done_on = fields.Date(required=True)
    applicant_notified_on = fields.Date(load_default=None)
    note = _reason(required=False)


class ResumeSchema(_Form):
    """Filing the 执恢 case."""

    filed_on = fields.Date(required=True)
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=2000, error="理由应为2至2000字。")
    )
