"""Tenant organisations and the corporation, as read from the organisations file.

The Overlegwet gives rights to two kinds of body (art. 1 lid 1 f and g): a huurdersorganisatie (a
vereniging or stichting) and a bewonerscommissie (residents of one wooncomplex, no legal entity). A
huurderskoepel is a huurdersorganisatie that speaks for several.
"""

from enum import StrEnum

from pydantic import BaseModel, EmailStr, Field, field_validator, model_validator


class OrganisationKind(StrEnum):
    HUURDERSORGANISATIE = "huurdersorganisatie"
    HUURDERSKOEPEL = "huurderskoepel"
    BEWONERSCOMMISSIE = "bewonerscommissie"

    @property
    def is_huurdersorganisatie(self) -> bool:
        """True for the bodies that have the rights only an HO has (Wohv art. 5a, 5d, 5e, 7)."""
        return self in (OrganisationKind.HUURDERSORGANISATIE, OrganisationKind.HUURDERSKOEPEL)


class Contact(BaseModel):
    name: str
    email: EmailStr
    role: str = "contactpersoon"


class Organisation(BaseModel):
    """A huurdersorganisatie, huurderskoepel or bewonerscommissie that the corporation consults."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str
    kind: OrganisationKind
    address: str = ""
    postcode_city: str = ""
    contacts: list[Contact] = Field(min_length=1)
    complexes: list[str] = []
    # Terms agreed in the samenwerkingsovereenkomst (Wohv art. 6 allows more than the law gives).
    advice_term_weeks: int | None = Field(default=None, ge=6)
    consent_term_weeks: int | None = Field(default=None, ge=1)
    agreement_reference: str | None = None


class Signatory(BaseModel):
    """A person who signs the corporation's letters; the role is printed under the name."""

    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=200)


class Corporation(BaseModel):
    """The housing corporation (verhuurder) that runs Inspraak."""

    name: str
    address: str = ""
    postcode_city: str = ""
    phone: str = ""
    email: EmailStr
    website: str = ""
    manager_name: str = "Manager wonen"
    manager_email: EmailStr
    # Who signs letters to tenant organisations (one or two, side by side); default: the manager.
    signatories: list[Signatory] = Field(default=[], max_length=2)

    @model_validator(mode="after")
    def _manager_signs_by_default(self) -> "Corporation":
        if not self.signatories:
            self.signatories = [Signatory(name=self.manager_name, role="Manager")]
        return self


class Directory(BaseModel):
    """Everything the organisations file holds."""

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
