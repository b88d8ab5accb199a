"""Chinese labels for what people read: statuses, categories, events, verdicts.

Shared by the evidence report and the dashboard so both say the same thing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

__all__ = [
    "CHINA",
    "CATEGORIES",
    "EVENT_LABELS",
    "INDICATIONS",
    "STATUSES",
    "china_time",
]

CHINA = timezone(timedelta(hours=8), "CST")

CATEGORIES = {
    "credit_authorization": "征信授权书",
    "loan_contract": "借款合同",
    "lease_contract": "融资租赁合同",
    "guarantee_letter": "担保函",
    "loan_application": "借款申请",
    "official_document": "公文",
}
STATUSES = {
    "DRAFT": "草稿",
    "SIGNING": "签署中",
    "COMPLETE": "已完成",
    "REJECTED": "已拒签",
    "RECALLED": "已撤回",
    "EXPIRED": "已逾期",
    "INVALIDATED": "已作废",
}
EVENT_LABELS = {
    "created": "创建合同",
    "sent": "发起签署",
    "signed": "签署/盖章",
    "completed": "签署完成",
    "rejected": "拒签",
    "recalled": "撤回",
    "expired": "逾期失效",
    "invalidated": "作废",
    "reminded": "催签",
    "identity_verified": "实名认证通过",
    "identity_failed": "实名认证未通过",
    "code_sent": "发送短信验证码",
    "willingness_confirmed": "短信验证码确认签署意愿",
}
INDICATIONS = {"PASSED": "通过", "FAILED": "失败", "INDETERMINATE": "无法确定"}


def china_time(value: datetime | str | None) -> str:
    """``2026-11-29 13:37:18 (UTC+8)``; naive datetimes are UTC (SQLite)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)"
