"""``sealbridge dashboard-users``: who may open the dashboard, and what they see."""

from __future__ import annotations

import click

from .cli import in_app

__all__ = ["dashboard_users"]


@click.group("dashboard-users")
def dashboard_users() -> None:
    """Dashboard logins: head office (all dealers) or one dealer store."""


@dashboard_users.command("add")
@click.option("--mobile", required=True, help="Login codes are texted here.")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["head_office", "dealer"]))
@click.option("--tenant", help="The dealer store's tenant (dealers only).")
@click.option("--oa-user", type=int, help="OA user id, for single sign-on.")
@in_app
def dashboard_users_add(mobile, name, role, tenant, oa_user) -> None:
    from .services.dashboard_users import add_user

    user = add_user(mobile, name, role, tenant, oa_user)
    click.echo(f"{user.mobile}\t{user.name}\t{user.role}\t{user.tenant or '*'}")
