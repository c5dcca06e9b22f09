"""`harness tokens`: API tokens for the reference endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from harness.cli.store import STORE_OPTION, fail, open_store_or_fail


@click.group()
def tokens() -> None:
    """API tokens for `harness serve` (stored hashed in the conversation store)."""


@tokens.command()
@click.option(
    "--org",
    "orgs",
    multiple=True,
    required=True,
    help="ak: the organisation the key carries (exactly one). pat: an organisation the user belongs "
    "to (repeat for several; memberships add up across tokens).",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    help="A scope the token grants (repeatable); the endpoint needs conversations:read_sensitive.",
)
@click.option(
    "--kind",
    type=click.Choice(["pat", "ak"]),
    default="ak",
    show_default=True,
    help="ak: an organisation API key. pat: a user's personal access token (needs --user).",
)
@click.option("--user", "user_id", default=None, help="The user a pat token belongs to.")
@STORE_OPTION
def create(orgs: tuple[str, ...], scopes: tuple[str, ...], kind: str, user_id: str | None, store_path: Path) -> None:
    """Create a token and print it once on stdout; the store keeps only its SHA-256.

    The server opens the store read-only and holds it while it runs: stop it before creating a
    token (it sees the token when started again)."""
    from harness.server.tokens import mint_token

    if kind == "ak" and (len(orgs) != 1 or user_id):
        fail("an organisation key (--kind ak) takes exactly one --org and no --user")
    if kind == "pat" and not user_id:
        fail("a user token (--kind pat) needs --user")
    try:
        minted = mint_token(kind, scopes, org_id=orgs[0] if kind == "ak" else None, user_id=user_id)
    except ValueError as exc:
        fail(str(exc))
    with open_store_or_fail(store_path, read_only=False) as opened:
        opened.add_token(minted.record, memberships=orgs if kind == "pat" else ())
    whom = f"user {user_id} (member of {', '.join(orgs)})" if kind == "pat" else f"organisation {orgs[0]}"
    click.echo(
        f"created {kind} token {minted.record.id} for {whom} with scope(s) {', '.join(minted.record.scopes)}; "
        "it is shown only now",
        err=True,
    )
    click.echo(minted.text)
