"""``inspraak token``: a locally signed token for staff, or for an organisation in the organisations file."""

from datetime import timedelta

from inspraak.services.api.auth import Role, issue_token
from inspraak.services.directory import load_directory
from inspraak.settings import Settings

STAFF_NAME = "Sanne Behandelaar"


class TokenRequestError(Exception):
    """The command line asks for a token that cannot be made (the message says why and what would do)."""


def make_token(settings: Settings, *, role: Role, org: str | None, name: str | None, email: str | None,
               days: int) -> str:
    """A token; an organisation's carries its name and first contact from the organisations file.

    Raises:
        TokenRequestError: no ``org`` for an organisation, or one the organisations file does not have; or
            more ``days`` than a token may live (INSPRAAK_TOKEN_MAX_LIFETIME_DAYS).
    """
    if not 0 < days <= settings.token_max_lifetime_days:
        raise TokenRequestError(f"--days must be between 1 and {settings.token_max_lifetime_days} "
                                "(INSPRAAK_TOKEN_MAX_LIFETIME_DAYS): the API refuses longer-lived tokens")
    if org is None:
        if role == Role.ORGANISATION:
            raise TokenRequestError("--org is required for --role organisation")
        name = name or STAFF_NAME
        return issue_token(settings, role=role, subject=name.lower().replace(" ", "."), name=name,
                           email=email or "", ttl=timedelta(days=days))
    directory = load_directory(settings.organisations_file)
    organisation = directory.get(org)
    if organisation is None:
        known = ", ".join(o.id for o in directory.organisations)
        raise TokenRequestError(f"unknown organisation '{org}'; {settings.organisations_file} has: {known}")
    if role != Role.ORGANISATION:
        raise TokenRequestError("--org names the organisation of an organisation token: add --role organisation")
    # The token speaks for the organisation as the portal will show it: its own name and contact.
    return issue_token(settings, role=role, subject=organisation.id, name=name or organisation.name,
                       email=email or str(organisation.contacts[0].email), organisation_id=organisation.id,
                       ttl=timedelta(days=days))
