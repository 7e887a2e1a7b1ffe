"""The file says in which role one reads it, in a plain sentence: no role name with its own
brackets inside brackets ("(Studieloopbaanbegeleider (SLB))", found walking every role)."""

import re

from tests.world import World, client_for


def test_the_file_names_the_readers_role_without_nested_brackets(world: World) -> None:
    page = client_for(world.users["coach"]).get(f"/studenten/{world.students['t1'].pk}/")
    line = re.search(r"U ziet dit dossier[^<]*", page.content.decode())
    assert line is not None
    assert "in uw rol als" in line.group(0)
    assert not re.search(r"\([^()]*\(", line.group(0)), line.group(0)
