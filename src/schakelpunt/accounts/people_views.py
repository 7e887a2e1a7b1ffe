"""The functional administrator's people screens; writes go through accounts.people."""

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.policy import may_manage_users, roles_user_may_grant

from .forms import (
    InvitationImportForm,
    MembershipChangeForm,
    MembershipEndForm,
    PeopleFilterForm,
    PersonVersionForm,
)
from .invitation_importer import invitation_import
from .models import Membership, User
from .people import (
    PAGE_SIZE,
    PersonStatus,
    admins_for_student,
    invitation_resend,
    membership_change,
    membership_end,
    membership_is_current,
    people_for_admin,
    person_get_for_admin,
    person_status,
    schools_of_student,
    teams_for_admin,
    user_deactivate,
    user_reactivate,
)
from .roles import Role
from .second_factor import second_factor_reset, second_factor_reset_check
from .selectors import user_has_confirmed_device


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not may_manage_users(user):
        raise Http404
    return user


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    grantable = roles_user_may_grant(actor)
    roles = set().union(*grantable.values()) if grantable else set()
    form = PeopleFilterForm(
        request.GET or None,
        roles=[(v, str(label)) for v, label in Role.choices if v in roles],
        teams=[(t.pk, f"{t.name} ({t.location.name})") for t in teams_for_admin(actor=actor)],
        statuses=[(v, str(label)) for v, label in PersonStatus.choices],
    )
    filters = form.cleaned_data if form.is_valid() else {}
    people = people_for_admin(
        actor=actor,
        search=filters.get("q") or "",
        role=filters.get("rol") or "",
        team_id=filters.get("team"),
        status=filters.get("status") or "",
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = [(p, person_status(p, has_current=p.has_current)) for p in page.object_list]
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "accounts/people/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": f"{query.urlencode()}&" if query else "",
        },
    )


@login_required
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _admin(request)
    person = person_get_for_admin(actor=actor, user_id=user_id)
    today = timezone.localdate()
    return render(
        request,
        "accounts/people/detail.html",
        {
            "person": person,
            "rows": [(m, membership_is_current(m, today)) for m in person.memberships],
            "version_form": PersonVersionForm(initial={"version": person.version}),
            "is_self": person.user.pk == actor.pk,
            "has_device": user_has_confirmed_device(user=person.user),
        },
    )


@login_required
def second_factor_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """A lost phone: after a confirm step the person's authenticator app is removed; they set
    up a new one at their next login, after a code sent to their e-mail."""
    actor = _admin(request)
    person = person_get_for_admin(actor=actor, user_id=user_id)
    try:
        second_factor_reset_check(actor=actor, user_id=user_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people:detail", user_id=user_id)
    if request.method == "POST":
        try:
            user = second_factor_reset(actor=actor, user_id=user_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "De tweestapsverificatie van %(name)s is gewist. Bij de volgende keer "
                    "inloggen stelt %(name)s een nieuwe authenticator-app in, na een code per "
                    "e-mail."
                )
                % {"name": user},
            )
        return redirect("people:detail", user_id=user_id)
    return render(request, "accounts/people/second_factor_reset.html", {"person": person})


def _membership(person_memberships: list[Membership], membership_id: int) -> Membership:
    for m in person_memberships:
        if m.pk == membership_id:
            return m
    raise Http404


@login_required
def membership_change_view(request: HttpRequest, user_id: int, membership_id: int) -> HttpResponse:
    actor = _admin(request)
    person = person_get_for_admin(actor=actor, user_id=user_id)
    membership = _membership(person.memberships, membership_id)
    if not membership_is_current(membership) or membership.role in {Role.STUDENT, Role.PARENT}:
        raise Http404
    form = MembershipChangeForm(
        request.POST or None,
        initial={
            "version": person.version,
            "role": membership.role,
            "location": membership.location_id,
            "programme_team": membership.programme_team_id,
        },
        organisation=membership.organisation,
        roles=roles_user_may_grant(actor).get(membership.organisation_id, frozenset()),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = membership_change(
                actor=actor,
                user_id=user_id,
                membership_id=membership_id,
                role=data["role"],
                location=data["location"],
                programme_team=data["programme_team"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is vanaf vandaag %(role)s.")
                % {"name": person.user, "role": new.get_role_display()},
            )
            return redirect("people:detail", user_id=user_id)
    return render(
        request,
        "accounts/people/membership_change.html",
        {"person": person, "membership": membership, "form": form},
    )


@login_required
def membership_end_view(request: HttpRequest, user_id: int, membership_id: int) -> HttpResponse:
    actor = _admin(request)
    person = person_get_for_admin(actor=actor, user_id=user_id)
    membership = _membership(person.memberships, membership_id)
    if not membership_is_current(membership):
        raise Http404
    form = MembershipEndForm(
        request.POST or None,
        initial={
            "version": person.version,
            "last_day": timezone.localdate() - timedelta(days=1),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            ended = membership_end(
                actor=actor,
                user_id=user_id,
                membership_id=membership_id,
                last_day=form.cleaned_data["last_day"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("De rol %(role)s van %(name)s eindigt na %(day)s.")
                % {
                    "role": ended.get_role_display(),
                    "name": person.user,
                    "day": date_format(ended.valid_until, "j F Y") if ended.valid_until else "",
                },
            )
            return redirect("people:detail", user_id=user_id)
    return render(
        request,
        "accounts/people/membership_end.html",
        {"person": person, "membership": membership, "form": form},
    )


def _account_action(
    request: HttpRequest,
    user_id: int,
    action: Callable[..., User],
    done: str,
) -> HttpResponse:
    actor = _admin(request)
    form = PersonVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Het formulier is niet compleet. Probeer het opnieuw."))
        return redirect("people:detail", user_id=user_id)
    try:
        user = action(actor=actor, user_id=user_id, expected_version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": user})
    return redirect("people:detail", user_id=user_id)


@login_required
@require_POST
def deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        user_id,
        user_deactivate,
        _("Het account van %(name)s is geblokkeerd: inloggen kan niet meer."),
    )


@login_required
@require_POST
def reactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        user_id,
        user_reactivate,
        _("Het account van %(name)s is weer open."),
    )


@login_required
@require_POST
def resend_view(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _admin(request)
    try:
        user = invitation_resend(
            actor=actor, user_id=user_id, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("De uitnodiging is opnieuw gestuurd naar %(email)s.") % {"email": user.email}
        )
    return redirect("people:detail", user_id=user_id)


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = InvitationImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = invitation_import(
            actor=actor,
            data=form.cleaned_data["file"].read(),
            base_url=request.build_absolute_uri("/"),
        )
    grantable = roles_user_may_grant(actor)
    roles = set().union(*grantable.values()) if grantable else set()
    return render(
        request,
        "accounts/people/import.html",
        {
            "form": form,
            "result": result,
            # The values the file's "rol" column accepts (the importer also takes the label).
            "role_values": [(str(label), value) for value, label in Role.choices if value in roles],
        },
    )


def student_not_linked(request: HttpRequest) -> HttpResponse:
    """For a student whose account is not linked to a student record (yet): who to ask."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/people/student_not_linked.html",
        {"schools": schools_of_student(user), "admins": admins_for_student(user)},
    )
