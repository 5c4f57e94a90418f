"""marshmallow fields shared by forms and the API, with messages in Chinese."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields

from relief.core.money import parse_amount

# Chinese messages for marshmallow's own errors, so a form names the problem in the
# user's language.
fields.Field.default_error_messages.update(
    {"required": "此项为必填项。", "null": "此项不能为空。", "validator_failed": "取值无效。"}
)
fields.Date.default_error_messages.update({"invalid": "日期格式应为 YYYY-MM-DD。"})
fields.Integer.default_error_messages.update({"invalid": "请输入整数。"})
fields.String.default_error_messages.update({"invalid": "请输入文字。"})
fields.Enum.default_error_messages.update({"unknown": "请从列表中选择。"})


class MoneyField(fields.Field):
    """An amount in yuan: thousand separators accepted, at most two decimals, not negative.

    Loads to Decimal; dumps as a decimal string so no float ever carries money.
    """

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, float):
            raise ValidationError("金额须以文本形式提交。")
        try:
            return parse_amount(value)
        except (TypeError, ValueError):
            raise ValidationError(
                "请输入有效金额，例如 50000 或 50,000.00（最多两位小数）。"
            ) from None

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else f"{value:.2f}"
