"""Business rules without a framework: no Flask, SQLAlchemy, zeep or pyHanko here.

Identifier checks (``validators``), amounts in Chinese capitals (``money``),
repayment schedules (``repayment``) and contract states (``contracts``).
"""
