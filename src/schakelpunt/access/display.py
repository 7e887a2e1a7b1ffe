"""How the logs name who acted, written once so the access and decision logs agree."""

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.accounts.models import User
from schakelpunt.privacy.register import ACTIVITIES, Activity, LegalBasis

if TYPE_CHECKING:
    from schakelpunt.students.models import Student


def _own_student_id(user: User) -> int | None:
    """The student whose own account this is, or None: one query, then kept on the user for
    the request (the navigation asks the same), whether or not the student role is active."""
    try:
        return user.student_profile.pk
    except ObjectDoesNotExist:
        return None


def is_own_file(user: User, about: "Student | int") -> bool:
    """Is `about` the student whose own account `user` is? A loaded student answers from its
    own row, an id from the user's student profile."""
    if isinstance(about, int):
        return about == _own_student_id(user)
    if "user_id" in about.__dict__:  # not deferred: no query
        return about.user_id is not None and about.user_id == user.pk
    return about.pk == _own_student_id(user)


def user_display(user: User, about: "Student | int | None" = None) -> str:
    """Who acted, as a row about the student `about` names them: a person by name and
    e-mail address; a connected system by the name it was registered with, "Koppeling
    Cliëntregistratie (Zorg Een)": its principal's address is no one's.

    A student acting on their own file is "De student zelf", whatever their roles (also
    after their student role ended): the row's user still says who, and once the student
    is deleted the logs keep no name or address of theirs. A student acting on someone
    else's file is named like anyone else, so probing shows who it was."""
    if user.is_api_client:
        return user.get_full_name() or str(_("Koppeling"))
    if about is not None and is_own_file(user, about):
        return str(_("De student zelf"))
    return f"{user.get_full_name() or user.email} <{user.email}>"


# Roles the log writes that are no role of a person: the way the data came (an import, a
# worklist's export, the meeting's general minutes).
_LOG_ONLY_ROLES = {
    "import": gettext_lazy("inlezen (bestand of koppeling)"),
    "absence-worklist": gettext_lazy("verzuimwerklijst"),
    "meeting_minutes": gettext_lazy("deelnemer aan het overleg"),
}


def role_words(codes: str) -> str:
    """The roles of a log row in Dutch, never a code: what the policy calls them, the log's
    own roles, and "andere rol" for anything else."""
    from .policy import describe_roles

    words = []
    for code in (c for c in codes.split(",") if c):
        if code in _LOG_ONLY_ROLES:
            words.append(str(_LOG_ONLY_ROLES[code]))
            continue
        described = describe_roles(code)
        words.append(described if described != code else str(_("andere rol")))
    return ", ".join(dict.fromkeys(words)) or "—"


def activity_words(code: str) -> str:
    """The processing activity in Dutch ("—" for rows from before the register)."""
    return str(Activity(code).label) if code in Activity.values else "—"


def activity_plain(code: str) -> str:
    """Why, in plain Dutch for the student ("om je te begeleiden op school"); "" for rows from
    before the register, which name no purpose."""
    return str(ACTIVITIES[Activity(code)].plain) if code in Activity.values else ""


def basis_words(code: str) -> str:
    """The legal basis in Dutch ("—" for rows from before the register)."""
    return str(LegalBasis(code).label) if code in LegalBasis.values else "—"
