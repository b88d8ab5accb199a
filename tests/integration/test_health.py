"""``/health`` and how a request ends when the database goes away under it."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def test_health_answers_ok_with_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_is_503_while_the_database_is_away(client, monkeypatch):
    def away(self, *args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(Session, "execute", away)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "2"


def test_a_connection_dropped_at_the_end_of_a_request_keeps_its_answer(
    client, monkeypatch
):
    """Closing the session rolls back; on a connection the server just killed
    that raises. The answer already made must stand (not become a 500)."""
    close = Session.close
    calls = []

    def dropped(self):
        if not calls:
            calls.append(self)
            raise OperationalError("ROLLBACK", {}, Exception("server closed"))
        return close(self)

    monkeypatch.setattr(Session, "close", dropped)
    response = client.get("/health")
    assert calls, "the session was closed at the end of the request"
    assert response.status_code == 200
    monkeypatch.setattr(Session, "close", close)
    assert client.get("/health").status_code == 200  # and the next one works
