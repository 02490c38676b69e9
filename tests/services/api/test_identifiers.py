"""Trajectory ids: readable, lower-case, 50 random bits; a keyed id is the same for the same caller and key."""

import re

from inspraak.services.api.identifiers import keyed_trajectory_id, new_trajectory_id

ID = re.compile(r"^adv-2027-[0-9a-hjkmnp-tv-z]{10}$")
DOCUMENT_TRAJECTORY = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")  # the pattern document ids are made of


def test_a_new_id_has_the_year_and_ten_crockford_characters():
    ids = {new_trajectory_id("adv", 2027) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(ID.match(i) and DOCUMENT_TRAJECTORY.match(i) for i in ids)


def test_a_keyed_id_depends_on_caller_and_key_only():
    a = keyed_trajectory_id("adv", 2027, "sanne", "k1")
    assert a == keyed_trajectory_id("adv", 2027, "sanne", "k1") and ID.match(a)
    assert a != keyed_trajectory_id("adv", 2027, "marieke", "k1")
    assert a != keyed_trajectory_id("adv", 2027, "sanne", "k2")
