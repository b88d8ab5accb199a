"""The development gateway: messages are stored (``/dev/sms``) and logged, not sent."""

from __future__ import annotations

import logging

from ..extensions import db
from ..models import DevSmsMessage
from . import mask_mobile

__all__ = ["DevSmsGateway", "latest_messages"]

logger = logging.getLogger(__name__)


class DevSmsGateway:
    def send(self, mobile: str, text: str) -> None:
        db.session.add(DevSmsMessage(mobile=mobile, text=text))
        db.session.commit()
        logger.info("dev SMS to %s: %d characters", mask_mobile(mobile), len(text))


def latest_messages(limit: int = 50, mobile: str | None = None) -> list[DevSmsMessage]:
    query = db.select(DevSmsMessage).order_by(DevSmsMessage.id.desc()).limit(limit)
    if mobile:
        query = query.where(DevSmsMessage.mobile == mobile)
    return list(db.session.scalars(query))
