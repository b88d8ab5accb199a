"""Flask extensions, created unbound and bound in :func:`bridge.create_app`."""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "db"]


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base)
