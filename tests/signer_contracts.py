"""A four-party loan contract for the signer pages, and the links texted to it."""

from __future__ import annotations

import io
import re

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bridge.extensions import db
from bridge.models import ApiApp, DevSmsMessage
from bridge.outbox.dispatch import dispatch_due
from bridge.services import contracts
from bridge.services.audit import Actor

FONT = "STSong-Light"
DEALER = "济南重汽商用车销售服务有限公司"
DEALER_CREDIT_CODE = "91370100MA3C5XK21P"  # the demo operator's company
BORROWER = {
    "name": "王小明",
    "id_number": "370102199001011231",
    "mobile": "13853112345",
}
GUARANTOR = {
    "name": "李秀英",
    "id_number": "370102198503150026",
    "mobile": "13953100001",
}
KEYWORDS = (
    "借款人（签字）：",
    "保证人（签字）：",
    "经销商（盖章）：",
    "贷款人（盖章）：",
)


def loan_pdf(pages: int = 3) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    for page in range(1, pages + 1):
        document.setFont(FONT, 12)
        for line in range(28 if page < pages else 15):
            document.drawString(
                72, 770 - line * 22, f"第{page}页 第{line + 1}行 借款合同条款。"
            )
        if page == pages:
            for i, keyword in enumerate(KEYWORDS):
                document.drawString(72, 420 - i * 110, keyword)
        document.showPage()
    document.save()
    return buffer.getvalue()


def _party(role, kind, order, keyword, person=None, **extra):
    party = {
        "role": role,
        "kind": kind,
        "routing_order": order,
        "keyword": keyword,
        "actions": ["PERSONAL_SIGN" if kind == "PERSONAL" else "COMPANY_SEAL"],
    }
    return party | (person or {}) | extra


def create_loan(
    api_app: ApiApp, biz_id: str, *, expires_at=None, guarantor=True, dealer=DEALER
):
    """Borrower 1, guarantor 2, dealer 3, lender 4 (auto); sent at once."""
    parties = [_party("borrower", "PERSONAL", 1, KEYWORDS[0], BORROWER)]
    if guarantor:
        parties.append(_party("guarantor", "PERSONAL", 2, KEYWORDS[1], GUARANTOR))
    parties += [
        _party(
            "dealer",
            "COMPANY",
            3,
            KEYWORDS[2],
            name=dealer,
            credit_code=DEALER_CREDIT_CODE,
        ),
        _party(
            "lender",
            "COMPANY",
            4,
            KEYWORDS[3],
            name="重汽汽车金融有限公司",
            credit_code="91370100MA3D8N7Q2L",
            auto=True,
        ),
    ]
    request = contracts.ContractRequest(
        biz_id=biz_id,
        subject=f"借款合同（{BORROWER['name']}）",
        category="loan_contract",
        template=None,
        parameters=None,
        parties=parties,
        business_data={"loanNo": biz_id},
        expires_at=expires_at,
        send=True,
        pdf=loan_pdf(),
        fingerprint=biz_id,
    )
    contract, _ = contracts.create_contract(api_app, request, Actor("test"))
    return contract


def create_template_loan(api_app: ApiApp, biz_id: str):
    """The real 借款合同 from its Word template, as the finance API makes it.

    :return: the contract and its borrower and guarantor (name, id_number, mobile).
    """
    from bridge.api.contract_io import parse_template_request
    from bridge.documents.finance_templates import get_template

    parameters = get_template("loan_contract").schema["examples"][0]
    request = parse_template_request(
        {
            "bizId": biz_id,
            "template": "loan_contract",
            "parameters": parameters,
            "send": True,
        }
    )
    contract, _ = contracts.create_contract(api_app, request, Actor("test"))
    return contract, parameters["borrower"], parameters["guarantor"]


def texts_to(mobile: str) -> list[str]:
    """Deliver the outbox, then every SMS the dev gateway holds for ``mobile``."""
    while dispatch_due().delivered:
        pass
    return list(
        db.session.scalars(
            db.select(DevSmsMessage.text)
            .where(DevSmsMessage.mobile == mobile)
            .order_by(DevSmsMessage.id)
        )
    )


def link_path(mobile: str) -> str:
    """The path of the newest signing link texted to ``mobile``."""
    links = [m for t in texts_to(mobile) for m in re.findall(r"/s/[\w-]+", t)]
    return links[-1]


def latest_code(mobile: str) -> str:
    codes = [m for t in texts_to(mobile) for m in re.findall(r"验证码 (\d{6})", t)]
    return codes[-1]
