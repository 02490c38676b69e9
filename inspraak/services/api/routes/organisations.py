"""The tenant organisations from the organisations file: staff see all, an organisation itself."""

from fastapi import APIRouter, Depends

from inspraak.domain.organisations import Organisation
from inspraak.services.api.deps import CurrentPrincipal, DirectoryDep, get_principal

router = APIRouter(dependencies=[Depends(get_principal)])


@router.get("", response_model=list[Organisation], summary="Tenant organisations you may see")
async def list_organisations(principal: CurrentPrincipal, directory: DirectoryDep) -> list[Organisation]:
    return [o for o in directory.organisations if principal.may_see(o.id)]
