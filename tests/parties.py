"""Signatories of uploaded test contracts, as the finance system sends them."""

from __future__ import annotations

__all__ = ["BORROWER", "GUARANTOR", "LENDER"]

BORROWER = {
    "role": "borrower",
    "kind": "PERSONAL",
    "name": "张建国",
    "idNumber": "370102199001011231",
    "mobile": "13953112345",
    "routingOrder": 1,
    "keyword": "甲方（盖章）",
}
GUARANTOR = {
    "role": "guarantor",
    "kind": "PERSONAL",
    "name": "李秀英",
    "idNumber": "370112198803154523",
    "mobile": "13705311234",
    "routingOrder": 1,
    "keyword": "甲方（盖章）",
}
# The finance company seals silently at a fixed place once the others signed.
LENDER = {
    "role": "lender",
    "kind": "COMPANY",
    "name": "重汽汽车金融有限公司",
    "creditCode": "91370100MA3D8N7Q2L",
    "routingOrder": 2,
    "auto": True,
    "page": 1,
    "x": 400,
    "y": 200,
}
