"""Errors as a signer reads them: in Chinese, keyed by the stable error code."""

from __future__ import annotations

from ..errors import BridgeError

__all__ = ["message_for"]

MESSAGES = {
    "unknown_link": "签署链接无效，请核对短信中的链接。",
    "link_expired": "签署链接已过期，请联系经办人重新发送。",
    "link_revoked": "该合同已撤回、拒签或过期，链接已失效。",
    "not_signing": "该合同当前不在签署中。",
    "not_your_turn": "还没有轮到您签署。",
    "already_signed": "您已完成签署。",
    "identity_required": "请先完成实名认证。",
    "identity_mismatch": "姓名或身份证号与合同签署人不一致，实名认证未通过。",
    "identity_provider_unavailable": "实名认证服务暂时不可用，请稍后再试。",
    "identity_attempts_exceeded": "实名认证失败次数过多，请1小时后再试。",
    "otp_missing": "请先获取短信验证码。",
    "otp_invalid": "验证码错误。",
    "otp_expired": "验证码已过期，请重新获取。",
    "otp_locked": "验证码错误次数过多，已锁定15分钟。",
    "otp_rate_limited": "验证码发送过于频繁，请稍后再试。",
    "empty_signature": "请在签名板上手写签名。",
    "invalid_signature": "签名图片无效，请重新签名。",
    "invalid_request": "请填写完整。",
    "csrf_failed": "页面已过期，请刷新后重试。",
    "login_required": "请先登录。",
    "seal_not_authorized": "您无权使用该印章。",
    "unknown_contract": "找不到该合同。",
    "head_office_only": "仅总部用户可以执行此操作。",
    "not_dead": "该消息已不在失败状态，无需重试。",
    "not_found": "找不到该记录。",
    "invalid_period": "日期格式应为 2026-11-29，且开始日期不晚于结束日期。",
    "invalid_cursor": "事件编号无效。",
}


def message_for(error: BridgeError) -> str:
    if error.code == "otp_invalid" and "attemptsLeft" in error.details:
        return f"验证码错误，还可尝试{error.details['attemptsLeft']}次。"
    if error.code == "not_your_turn" and error.details.get("waiting"):
        return f"还没有轮到您签署，正在等待{error.details['waiting']}签署。"
    return MESSAGES.get(error.code) or error.message
