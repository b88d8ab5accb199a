"""Safe XML parsing and stamp tickets (no server needed)."""

from __future__ import annotations

import pytest

from oa_plugin.soap import SoapFault, parse_xml
from oa_plugin.ticket import TicketError, make_ticket, read_ticket


def test_a_dtd_hidden_in_utf16_is_still_refused():
    data = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    )
    with pytest.raises(SoapFault) as fault:
        parse_xml(data.encode("utf-16"))
    assert fault.value.code == "dtd_forbidden"


def test_an_external_entity_is_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    data = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e SYSTEM '
        f'"file://{secret}">]><a>&e;</a>'
    ).encode("utf-16")
    with pytest.raises(SoapFault):
        parse_xml(data)


def test_tickets_round_trip_and_refuse_forgery_and_age():
    ticket = make_ticket("s3cret", 6, 2966001, "用印", ttl=60, now=1000)
    claims = read_ticket("s3cret", ticket, now=1030)
    assert (claims.user, claims.request_id, claims.node) == (6, 2966001, "用印")
    with pytest.raises(TicketError, match="expired"):
        read_ticket("s3cret", ticket, now=1061)
    with pytest.raises(TicketError):
        read_ticket("other", ticket, now=1030)
    payload, _, mac = ticket.partition(".")
    with pytest.raises(TicketError):
        read_ticket("s3cret", f"{payload}x.{mac}", now=1030)
    with pytest.raises(TicketError):
        read_ticket("s3cret", "garbage", now=1030)
