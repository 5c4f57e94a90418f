"""Validation of the case pages' forms and queries."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates

from relief.cases.models import Outcome
from relief.core import clock
from relief.core.fields import MoneyField


class CaseSearchSchema(Schema):
    """The case list's search form; every field optional."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(validate=validate.Length(max=64))
    court = fields.Integer(validate=validate.Range(min=1))
    outcome = fields.Enum(Outcome, by_value=True)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))

    @pre_load
    def _drop_empty(self, data, **_):
        # the form sends "" for 全部: no filter, not a bad value
        return {key: value for key, value in data.items() if value != ""}


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
