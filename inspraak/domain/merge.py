"""Which builder completes a mail-merge letter for one household, by document type.

A merge letter's context is made in two halves: the common part by the trajectory (no personal data, so it
may travel through Temporal) and the household's part by the merge activity, from the register in the
document store. The builders are pure functions of the trajectory's letters module; this is their registry.
"""

from collections.abc import Callable
from typing import Any

from inspraak.domain import objection_letters, renovation_letters, works_letters
from inspraak.domain.documents import DocumentType
from inspraak.domain.households import Household, Households
from inspraak.domain.letter_contexts import Brief

MergeBuilder = Callable[[dict[str, Any], Household | None, Households], Brief]

MERGE_BUILDERS: dict[DocumentType, MergeBuilder] = {
    DocumentType.UITNODIGING_RENOVATIE: renovation_letters.build_uitnodiging,
    DocumentType.PANEL_BEVESTIGING: renovation_letters.build_panel_bevestiging,
    DocumentType.RENOVATIEVOORSTEL: renovation_letters.build_renovatievoorstel,
    DocumentType.KENNISGEVING_70: objection_letters.build_kennisgeving,
    DocumentType.TERMIJN_KENNISGEVING: objection_letters.build_termijn_kennisgeving,
    DocumentType.HERINNERING_DRAAGVLAKMETING: renovation_letters.build_herinnering_draagvlakmeting,
    DocumentType.OPLEVERINGSBRIEF: works_letters.build_oplevering,
    DocumentType.OPHEFFING_PANEL: works_letters.build_opheffing,
    DocumentType.START_WERKZAAMHEDEN: works_letters.build_start_werkzaamheden,
}


def merge_context(doc_type: DocumentType, common: dict[str, Any], household: Household | None,
                  register: Households) -> Brief:
    """The context of one letter of a merge: ``household``'s own, or (None) the organisation's copy.

    Raises:
        KeyError: no builder for ``doc_type``.
        pydantic.ValidationError: the completed context does not fit the letter.
    """
    return MERGE_BUILDERS[doc_type](common, household, register)
