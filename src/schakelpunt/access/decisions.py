"""The decision log: refused attempts on a student that exists (issue 19).

The access policy answers "not found" alike for a student that is absent and one the user may
not see; for the privacy officer the second is kept here, so probing shows. A plain module
below the policy: it writes one append-only row and imports nothing of the apps' logic.
"""

from contextvars import ContextVar

from schakelpunt.accounts.models import User

from .display import user_display
from .models import AccessDecision
from .parts import Action, Part

# The address of the request being answered (set by RequestContextMiddleware).
current_path: ContextVar[str] = ContextVar("schakelpunt_current_path", default="")


def record_refusal(
    *, user: User, student_id: int, action: Action | str, part: Part | str, roles: str, behalf: str
) -> None:
    """Keep one refused attempt, as part of the request's transaction like every log row."""
    if not user.is_authenticated:
        return
    AccessDecision(
        user=user,
        user_display=user_display(user, student_id)[:300],
        role=roles[:200],
        on_behalf_of=behalf[:300],
        student_id=student_id,
        action=str(action),
        part=str(part),
        path=current_path.get()[:300],
    ).save()
