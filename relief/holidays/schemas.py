"""Validation of the holiday table form."""

from marshmallow import EXCLUDE, Schema, fields, validate

import relief.core.fields  # noqa: F401  (Chinese messages for marshmallow's own errors)


class HolidayOverrideSchema(Schema):
    """One day of the table: the day, whether offices work, and where that comes from."""

    class Meta:
        unknown = EXCLUDE

    day = fields.Date(required=True)
    is_workday = fields.Boolean(
        required=True, truthy={"1"}, falsy={"0"}, error_messages={"invalid": "请选择上班或放假。"}
    )
    note = fields.String(
        required=True,
        validate=validate.Length(
            min=2, max=200, error="请注明依据（2至200字），例如国务院办公厅通知文号。"
        ),
    )


class DaySchema(Schema):
    """A day to remove from the table."""

    class Meta:
        unknown = EXCLUDE

    day = fields.Date(required=True)
