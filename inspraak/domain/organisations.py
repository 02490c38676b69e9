"""Tenant organisations and the corporation, as read from the organisations file.

The Overlegwet gives rights to two kinds of body (art. 1 lid 1 f and g): a huurdersorganisatie (a
vereniging or stichting) and a bewonerscommissie (residents of one wooncomplex, no legal entity). A
huurderskoepel is a huurdersorganisatie that speaks for several.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from inspraak.domain.text import OneLine

# Everything here is read from the organisations file at start-up and ends up in letters and mail
# headers: one-line text, bounded, and no unknown keys (a misspelt key would be silently ignored).
_STRICT = ConfigDict(extra="forbid")
Line = Annotated[OneLine, Field(max_length=200)]


class OrganisationKind(StrEnum):
    HUURDERSORGANISATIE = "huurdersorganisatie"
    HUURDERSKOEPEL = "huurderskoepel"
    BEWONERSCOMMISSIE = "bewonerscommissie"

    @property
    def is_huurdersorganisatie(self) -> bool:
        """True for the bodies that have the rights only an HO has (Wohv art. 5a, 5d, 5e, 7)."""
        return self in (OrganisationKind.HUURDERSORGANISATIE, OrganisationKind.HUURDERSKOEPEL)


class Contact(BaseModel):
    model_config = _STRICT

    name: Line = Field(min_length=1)
    email: EmailStr
    role: Line = "contactpersoon"


class Organisation(BaseModel):
    """A huurdersorganisatie, huurderskoepel or bewonerscommissie that the corporation consults."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: Line = Field(min_length=1)
    kind: OrganisationKind
    address: Line = ""
    postcode_city: Line = ""
    contacts: list[Contact] = Field(min_length=1, max_length=20)
    complexes: list[Line] = Field(default=[], max_length=500)
    # Terms agreed in the samenwerkingsovereenkomst (Wohv art. 6 allows more than the law gives).
    advice_term_weeks: int | None = Field(default=None, ge=6)
    consent_term_weeks: int | None = Field(default=None, ge=1)
    agreement_reference: Line | None = None


class Signatory(BaseModel):
    """A person who signs the corporation's letters; the role is printed under the name."""

    model_config = _STRICT

    name: OneLine = Field(min_length=1, max_length=200)
    role: OneLine = Field(min_length=1, max_length=200)


class Corporation(BaseModel):
    """The housing corporation (verhuurder) that runs Inspraak."""

    model_config = _STRICT

    name: Line = Field(min_length=1)
    address: Line = ""
    postcode_city: Line = ""
    phone: Line = ""
    email: EmailStr
    website: Line = ""
    manager_name: Line = Field(default="Manager wonen", min_length=1)
    manager_email: EmailStr
    # Legal staff: hear when a tenant's 8-week term of BW 7:220 lid 3 is at 6 weeks. Default: the manager.
    legal_name: Line | None = Field(default=None, min_length=1)
    legal_email: EmailStr | None = None
    # Who signs letters to tenant organisations (one or two, side by side); default: the manager.
    signatories: list[Signatory] = Field(default=[], max_length=2)

    @model_validator(mode="after")
    def _manager_signs_by_default(self) -> "Corporation":
        if not self.signatories:
            self.signatories = [Signatory(name=self.manager_name, role="Manager")]
        return self


class Directory(BaseModel):
    """Everything the organisations file holds."""

    model_config = _STRICT

    corporation: Corporation
    organisations: list[Organisation]

    @field_validator("organisations")
    @classmethod
    def _unique_ids(cls, value: list[Organisation]) -> list[Organisation]:
        ids = [o.id for o in value]
        if len(ids) != len(set(ids)):
            raise ValueError("organisation ids must be unique")
        return value

    def get(self, organisation_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == organisation_id), None)
