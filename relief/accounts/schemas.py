"""Validation of the account administration forms."""

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

import relief.core.fields  # noqa: F401  (Chinese messages for marshmallow's own errors)
from relief.accounts.models import Role


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_empty(self, data, **_):
        # an empty input is a missing one, so required fields say so in Chinese
        return {key: value for key, value in data.items() if str(value).strip() != ""}


class NewUserSchema(_Form):
    """A new account."""

    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_.-]{2,64}$", error="用户名为2至64位字母、数字、点、横线或下划线。"
        ),
    )
    display_name = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="姓名不超过64字。")
    )
    role = fields.Enum(Role, by_value=True, required=True)
    insurer = fields.Integer(load_default=None)
    password = fields.String(required=True)


class ChangeUserSchema(_Form):
    """An account's role, name, insurer and status."""

    display_name = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="姓名不超过64字。")
    )
    role = fields.Enum(Role, by_value=True, required=True)
    insurer = fields.Integer(load_default=None)
    active = fields.Boolean(truthy={"1"}, falsy={"0"}, load_default=False)


class PasswordSchema(_Form):
    """A new password set by the administrator."""

    password = fields.String(required=True)
