"""The navigation each role sees."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from schakelpunt.access.policy import CARE_TEAM_ROLES, FILE_ROLES, SCHOOL_ROLES, roles_of
from schakelpunt.accounts.roles import Role
from schakelpunt.notifications.selectors import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str


def navigation(request: HttpRequest) -> dict[str, object]:
    items: list[NavItem] = []
    user = request.user
    if user.is_authenticated:
        roles = roles_of(user)
        items.append(NavItem(_("Start"), reverse("core:home")))
        if roles & FILE_ROLES:
            items.append(NavItem(_("Studenten"), reverse("students:list")))
        if roles & SCHOOL_ROLES:
            items.append(NavItem(_("Caseload"), reverse("students:caseload")))
        if roles & (SCHOOL_ROLES | {Role.ABSENCE_OFFICER}):
            items.append(NavItem(_("Triage"), reverse("triage:queue")))
        if roles & (CARE_TEAM_ROLES | {Role.ATTENDANCE_OFFICER, Role.ABSENCE_OFFICER}):
            items.append(NavItem(_("Verzuimmeldingen"), reverse("signals:worklist")))
        if Role.ATTENDANCE_OFFICER in roles:
            items.append(NavItem(_("RMC-lijst"), reverse("signals:rmc_list")))
            items.append(NavItem(_("Niet verschenen"), reverse("transitions:non_arrivals")))
        if roles & {Role.ABSENCE_OFFICER, Role.FUNCTIONAL_ADMIN}:
            items.append(NavItem(_("Verzuim inlezen"), reverse("signals:import")))
        if Role.GOVERNANCE in roles:
            items.append(NavItem(_("Terugblik signalering"), reverse("signals:quality")))
        if Role.MUNICIPAL_ADVISOR in roles:
            items.append(NavItem(_("Studenten uit de gemeente"), reverse("core:municipality")))
        if roles & {Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE}:
            items.append(NavItem(_("Monitor"), reverse("monitor:monitor")))
            items.append(NavItem(_("Financiering"), reverse("funding:overview")))
        if roles & CARE_TEAM_ROLES or Role.EXTERNAL_CARE_WORKER in roles:
            items.append(NavItem(_("Verwijzingen"), reverse("referrals:worklist")))
        if roles & (CARE_TEAM_ROLES | {Role.COACH, Role.EXTERNAL_CARE_WORKER}):
            items.append(NavItem(_("Mijn acties"), reverse("core:my_actions")))
            items.append(NavItem(_("Overleggen"), reverse("meetings:list")))
        if roles & CARE_TEAM_ROLES:
            items.append(NavItem(_("Instroom"), reverse("intake:incoming")))
            items.append(NavItem(_("Nazorg"), reverse("transitions:aftercare")))
        items.append(NavItem(_("Sociale kaart"), reverse("directory:search")))
        if Role.CARE_COORDINATOR in roles:
            items.append(NavItem(_("Verzoeken van studenten"), reverse("privacy:requests_queue")))
        if hasattr(user, "student_profile"):
            items.append(NavItem(_("Mijn dossier"), reverse("students:own")))
            items.append(NavItem(_("Mijn gegevens"), reverse("privacy:my_data")))
        if Role.PRIVACY_OFFICER in roles:
            items.append(NavItem(_("Toegangslog"), reverse("access:log_search")))
            items.append(NavItem(_("Zonder toestemming"), reverse("access:emergency")))
            items.append(NavItem(_("Toegekende rollen"), reverse("core:role_grants")))
            items.append(NavItem(_("Verwerkingsregister"), reverse("privacy:register")))
            items.append(NavItem(_("Bewaartermijnen"), reverse("privacy:retention_runs")))
            items.append(NavItem(_("Inzageverzoek"), reverse("privacy:officer_data")))
        if Role.PARENT in roles:
            items.append(NavItem(_("Mijn kinderen"), reverse("parent:home")))
        if Role.FUNCTIONAL_ADMIN in roles:
            items.append(NavItem(_("Opbouw instelling"), reverse("institution:overview")))
            items.append(NavItem(_("Mensen"), reverse("people:list")))
            items.append(NavItem(_("Schoolkalender"), reverse("calendar:overview")))
            items.append(NavItem(_("Studenten inlezen"), reverse("students:import")))
            items.append(NavItem(_("Organisaties"), reverse("core:organisations")))
            items.append(NavItem(_("Koppelingen"), reverse("api_clients:list")))
            items.append(NavItem(_("Signalering"), reverse("signals:settings")))
            items.append(NavItem(_("Tarieven"), reverse("funding:prices")))
        unread = unread_count(user=user)
        label = _("Meldingen (%(n)s nieuw)") % {"n": unread} if unread else _("Meldingen")
        items.append(NavItem(label, reverse("notifications:inbox")))
        items.append(NavItem(_("Mijn account"), reverse("accounts:account")))
    return {"nav_items": items, "demo_mode": settings.DEMO_MODE}
