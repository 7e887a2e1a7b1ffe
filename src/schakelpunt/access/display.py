"""How the logs name who acted, written once so the access and decision logs agree."""

from django.utils.translation import gettext as _

from schakelpunt.accounts.models import User


def user_display(user: User) -> str:
    """A person by name and e-mail address; a connected system by the name it was registered
    with, "Koppeling Cliëntregistratie (Zorg Een)": its principal's address is no one's."""
    if user.is_api_client:
        return user.get_full_name() or str(_("Koppeling"))
    return f"{user.get_full_name() or user.email} <{user.email}>"
