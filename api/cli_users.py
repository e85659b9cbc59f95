"""`flask --app wsgi users ...`: accounts from the command line (staff are made only here)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from api import db
from api.models import ROLES
from api.services import access, accounts, admin, two_factor, verification
from api.services.errors import ServiceError

users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", default=None, help="Display name.")
@click.password_option(help="Prompted, hidden and confirmed; piped stdin works.")
def users_create(email, role, display_name, password):
    """Create an account (staff accounts are made only here); its address counts as
    verified, since an admin made it. The password follows the rules of registration."""
    try:
        user = accounts.create_user(
            db.session(), email, password, role, display_name, verified=True
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if access.must_use_two_factor(user):
        show_enrolment(*two_factor.enrol(db.session(), user))


def show_enrolment(enrolment: two_factor.Enrolment, codes: list[str]) -> None:
    """What the administrator hands over, in person: the authenticator's URI as text and as a
    QR code, and the recovery codes (shown only now; the database keeps their hashes)."""
    click.echo("Two-factor sign-in: scan this QR code with an authenticator app, or open:")
    click.echo(enrolment.uri)
    qr = enrolment.qr_terminal()
    try:
        qr.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:  # a terminal that cannot draw block characters
        qr = "(No QR code: this terminal's encoding cannot draw it.)\n"
    click.echo(qr, nl=False)
    click.echo(f"Secret, to type in by hand: {enrolment.secret}")
    click.echo("Recovery codes (each works once instead of a code; not shown again):")
    for code in codes:
        click.echo(f"  {code}")


@users_cli.command("enrol-otp")
@click.argument("email")
def users_enrol_otp(email):
    """Enrol (or re-enrol) EMAIL's authenticator: a new secret and new recovery codes; the
    old ones stop working at once (audited)."""
    user = _account(email)
    show_enrolment(*two_factor.enrol(db.session(), user))


@users_cli.command("verify")
@click.argument("emails", metavar="EMAIL...", nargs=-1, required=True)
def users_verify(emails):
    """Mark each EMAIL's address as verified, after checking it another way (audited)."""
    session = db.session()
    users = [(email, accounts.find_by_email(session, email)) for email in emails]
    missing = [email for email, user in users if user is None]
    if missing:  # nothing is changed: the admin fixes the list and runs it again
        raise click.ClickException(f"No account with the email {', '.join(missing)}.")
    for _email, user in users:
        if verification.confirm_by_admin(session, user):
            click.echo(f"Verified the address of {user.role} {user.email}.")
        else:
            click.echo(f"The address of {user.email} was already verified.")


def _account(email: str):
    try:
        return admin.account_by_email(db.session(), email)
    except ServiceError as error:
        raise click.ClickException(error.message) from None


@users_cli.command("list")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Only this role.")
@click.option("--active/--deactivated", "active", default=None, help="Only active or not.")
def users_list(role, active):
    """List accounts: id, role, state and email."""
    session, page = db.session(), 1
    while True:
        users, total = admin.list_users(
            session, None, role=role, active=active, page=page, page_size=200
        )
        for user in users:
            state = "active" if user.deactivated_at is None else "deactivated"
            click.echo(f"{user.id:>6}  {user.role:<10}  {state:<11}  {user.email}")
        if page * 200 >= total:
            break
        page += 1
    click.echo(f"{total} accounts.")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email):
    """Deactivate an account: sign-in refused, every token revoked at once (audited)."""
    user = admin.deactivate(db.session(), None, _account(email))
    click.echo(f"Deactivated {user.role} {user.email}; every token revoked.")


@users_cli.command("reactivate")
@click.argument("email")
def users_reactivate(email):
    """Let a deactivated account sign in again (audited)."""
    user = admin.reactivate(db.session(), None, _account(email))
    click.echo(f"Reactivated {user.role} {user.email}.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(email, role):
    """Change a staff account's role (audited)."""
    try:
        user = admin.set_role(db.session(), None, _account(email), role)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{user.email} is now {user.role}.")
