"""Referral screens: refer from the file, the worklist, one referral with its steps."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    is_own_file,
    may_share_in_emergency,
    provider_organisation_ids,
    referral_side,
    referrals_for_user,
    refuse_referral,
    student_access,
    student_get_for_user,
)
from schakelpunt.access.services import access_log_list, access_log_record
from schakelpunt.accounts.models import User
from schakelpunt.directory.models import Service, ServiceStatus
from schakelpunt.directory.responsibility import decision_needed, responsibility_for
from schakelpunt.directory.selectors import services_for_referral
from schakelpunt.privacy.register import Activity
from schakelpunt.students.filters import query_without_page

from . import services
from .consent import signers_for
from .forms import AdviceForm, ReferralForm, StepForm
from .models import (
    CLOSED_STATUSES,
    REFERRAL_ACTIVE_STATUSES,
    Consent,
    Referral,
    ReferralStatus,
)
from .selectors import (
    handover_for,
    overdue_days,
    worklist_counts,
    worklist_of,
    worklist_rows,
)
from .transition import TransitionError, checklist_for, checklist_tick
from .withdrawal import confirm_context, consent_for_withdrawal
from .workflow import next_statuses

# What the button of each step says: the action, not the state.
STEP_LABELS: dict[str, object] = {
    ReferralStatus.SENT: gettext_lazy("Versturen"),
    ReferralStatus.RECEIVED: gettext_lazy("Markeren als ontvangen"),
    ReferralStatus.ACCEPTED: gettext_lazy("Accepteren"),
    ReferralStatus.DECLINED: gettext_lazy("Afwijzen"),
    ReferralStatus.FIRST_CONTACT: gettext_lazy("Eerste contact vastleggen"),
    ReferralStatus.HELP_STARTED: gettext_lazy("Start van de hulp vastleggen"),
    ReferralStatus.ENDED: gettext_lazy("Afronden"),
    ReferralStatus.WITHDRAWN: gettext_lazy("Verwijzing intrekken"),
}

# Referrals per page of the worklist: a page renders (and logs) only the students it shows.
PAGE_SIZE = 50


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    provider = bool(provider_organisation_ids(user))
    rows = worklist_rows(user, today, provider=provider)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    work = worklist_of(user, page.object_list)
    access_log_list(
        actor=user,
        activity=Activity.CARE if provider else Activity.REFERRAL,
        students=[r.student_id for r in (*work.overdue, *work.waiting, *work.running)],
        parts=[Part.REFERRALS],
        path=request.get_full_path(),
    )
    return render(
        request,
        "referrals/worklist.html",
        {
            "work": work,
            "counts": worklist_counts(user, today, provider=provider),
            "page": page,
            "query": query_without_page(request.GET),
            "provider": provider,
            "today": today,
        },
    )


@login_required
def referral_new(request: HttpRequest, student_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.REFERRALS
    )
    emergency = may_share_in_emergency(user, student)
    today = timezone.localdate()
    initial = {}
    if request.GET.get("aanbod", "").isdigit():
        initial["service"] = int(request.GET["aanbod"])
    choices = services_for_referral(student)
    form = ReferralForm(
        request.POST or None,
        initial=initial,
        emergency=emergency,
        signers=signers_for(student, today),
        choices=choices,
    )
    # Choosing a service tells at once whether it needs a beschikking, and from whom.
    form.fields["service"].widget.attrs.update(
        {
            "hx-get": reverse("referrals:decision", args=[student.pk]),
            "hx-trigger": "change",
            "hx-target": "#beschikking",
            "aria-controls": "beschikking",
        }
    )
    responsibility = responsibility_for(student, today)
    chosen_id = str(request.POST.get("service") or initial.get("service") or "")
    chosen = next(
        (s for s in (*choices.in_region, *choices.elsewhere) if str(s.pk) == chosen_id), None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=user,
                student_id=student.pk,
                service_id=data["service"].pk,
                question=data["question"],
                urgency=data["urgency"],
                parts=data["parts"],
                consent=services.ConsentInput(
                    student_agrees=data["student_agrees"],
                    parent_name=data.get("parent_name", ""),
                    expires_on=data["expires_on"],
                    emergency_reason=data.get("emergency_reason", ""),
                ),
                send=request.POST.get("send") != "concept",
            )
        except services.ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("De verwijzing is verstuurd.")
                if referral.status == ReferralStatus.SENT
                else _("De verwijzing is als concept bewaard."),
            )
            return redirect("referrals:detail", referral_id=referral.pk)
    return render(
        request,
        "referrals/referral_new.html",
        {
            "student": student,
            "form": form,
            "signers": signers_for(student, today),
            "age": student.age_on(today),
            "responsibility": responsibility,
            "decision": decision_needed(chosen, responsibility) if chosen else None,
        },
    )


@login_required
def referral_decision(request: HttpRequest, student_id: int) -> HttpResponse:
    """The 'beschikking nodig' notice for the service chosen on the referral form."""
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.REFERRALS
    )
    service_id = request.GET.get("service", "")
    service = (
        Service.objects.filter(pk=service_id, status=ServiceStatus.ACTIVE).first()
        if service_id.isdigit()
        else None
    )
    today = timezone.localdate()
    decision = decision_needed(service, responsibility_for(student, today)) if service else None
    return render(request, "referrals/_decision.html", {"decision": decision})


def _referral_for(request: HttpRequest, referral_id: int) -> tuple[User, Referral]:
    user: User = request.user  # type: ignore[assignment]
    referral = (
        referrals_for_user(user)
        .select_related(
            "student__location",
            "student__programme",
            "student__residence_municipality",
            "to_organisation",
            "service__organisation",
            "consent",
            "created_by",
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        refuse_referral(user=user, referral_id=referral_id)
    return user, referral


def _why_unnamed(referral: Referral, today: date) -> str:
    """For a provider who does not see the student (the policy decided): why, and what the
    name waits for, from the referral's step and the organisation's latest consent."""
    if referral.status in CLOSED_STATUSES:
        return _("Deze verwijzing is afgesloten; naam en gegevens worden niet meer gedeeld.")
    consent = (
        Consent.objects.filter(student=referral.student, organisation=referral.to_organisation)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    missing = ""
    if consent is None:
        missing = _(
            "Er is (nog) geen toestemming om naam en gegevens met uw organisatie te delen. "
            "De school legt die vast; neem zo nodig contact op met de verwijzer."
        )
    elif consent.withdrawn_at is not None:
        missing = _(
            "De student heeft de toestemming ingetrokken op %(day)s: u ziet naam en gegevens "
            "niet meer. Overleg met de verwijzer hoe de hulp verdergaat."
        ) % {"day": formats.date_format(timezone.localtime(consent.withdrawn_at), "j F Y")}
    elif consent.expires_on is not None and consent.expires_on < today:
        missing = _(
            "De toestemming is verlopen op %(day)s. Naam en gegevens ziet u weer zodra de "
            "school een nieuwe toestemming vastlegt."
        ) % {"day": formats.date_format(consent.expires_on, "j F Y")}
    elif consent.given_on > today:
        missing = _("De toestemming gaat in op %(day)s; vanaf dan ziet u naam en gegevens.") % {
            "day": formats.date_format(consent.given_on, "j F Y")
        }
    if referral.status in REFERRAL_ACTIVE_STATUSES:
        return missing or _("U ziet naam en gegevens niet: er is geen geldige toestemming.")
    if missing:
        return missing
    return _("Naam en gedeelde gegevens ziet u zodra u de verwijzing accepteert.")


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    user, referral = _referral_for(request, referral_id)
    # Opening is only reading: "received" is a step the provider takes (referral_step_view).
    side = referral_side(user, referral)
    today = timezone.localdate()
    access = student_access(user, referral.student)
    parts = frozenset(str(p) for p in access.parts(Action.VIEW))
    # The provider sees who the student is only once the referral is accepted, with consent.
    named = Part.IDENTITY in parts
    context: dict[str, object] = {
        "referral": referral,
        "side": side,
        "named": named,
        "age": referral.student.age_on(today),
        # Which school refers is part of the referral; the location only with enrolment.
        "school": (
            referral.student.location
            if side == "school" or Part.ENROLMENT in parts
            else referral.student.institution
        ),
        "overdue": overdue_days(referral, today),
        "events": referral.events.select_related("actor"),
        "steps": [
            (
                ReferralStatus(s),
                STEP_LABELS[s],
                StepForm(
                    initial={"version": referral.version, "to_status": s},
                    auto_id=f"id_{s}-%s",  # one form per next step: ids of their own
                ),
            )
            for s in (next_statuses(referral.status, side) if side else [])
        ],
        "active": referral.status in REFERRAL_ACTIVE_STATUSES,
        "unnamed_reason": _why_unnamed(referral, today) if side == "provider" and not named else "",
    }
    shown = {Part.REFERRALS}
    if side == "provider" and named:
        context["handover"] = handover_for(referral, parts)
        context["advice_form"] = AdviceForm()
        shown |= {Part(p) for p in parts}
    elif side == "school" or (named and is_own_file(user, referral.student)):
        context["handover"] = handover_for(referral, frozenset(referral.shared_parts))
        shown |= {Part.IDENTITY} | {Part(p) for p in referral.shared_parts}
    # Every look at a referral is a read of the student's file, also before acceptance.
    access_log_record(
        actor=user,
        activity=(
            Activity.CARE
            if side == "provider"
            else Activity.OWN_FILE
            if is_own_file(user, referral.student)
            else Activity.REFERRAL
        ),
        emergency=side == "provider" and access.rests_on_emergency(shown),
        students=[referral.student],
        action=Action.VIEW,
        parts=sorted(shown),
        role=access.roles or "referral_recipient",
        path=request.path,
    )
    return render(request, "referrals/referral_detail.html", context)


@login_required
@require_POST
def referral_step_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    user, referral = _referral_for(request, referral_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Controleer de datum en de gekozen waarden."))
        return redirect("referrals:detail", referral_id=referral.pk)
    data = form.cleaned_data
    try:
        services.referral_step(
            actor=user,
            referral_id=referral.pk,
            to_status=data["to_status"],
            expected_version=data["version"],
            details=services.StepInput(
                note=data["note"],
                first_contact_on=data["first_contact_on"],
                help_started_on=data["help_started_on"],
                outcome=data["outcome"],
                end_reason=data["end_reason"],
            ),
        )
    except services.ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Verwijzing bijgewerkt: %(status)s.")
            % {"status": ReferralStatus(data["to_status"]).label.lower()},
        )
    return redirect("referrals:detail", referral_id=referral.pk)


@login_required
@require_POST
def advice_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    user, referral = _referral_for(request, referral_id)
    form = AdviceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Schrijf het advies op."))
    else:
        try:
            services.advice_add(actor=user, referral_id=referral.pk, text=form.cleaned_data["text"])
        except services.ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Het advies staat nu in het plan van de student."))
    return redirect("referrals:detail", referral_id=referral.pk)


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    """The student is asked first (this POST shows the question, a second one withdraws);
    the care team withdraws on the student's behalf in one step."""
    user: User = request.user  # type: ignore[assignment]
    asked, own, roles = consent_for_withdrawal(user=user, consent_id=consent_id)
    if own and request.POST.get("bevestigd") != "ja":
        access_log_record(
            actor=user,
            activity=Activity.OWN_FILE,
            students=[asked.student],
            action=Action.VIEW,
            parts=[Part.REFERRALS],
            role=roles,
            path=request.path,
        )
        return render(request, "referrals/consent_withdraw_confirm.html", confirm_context(asked))
    try:
        consent = services.consent_withdraw(actor=user, consent_id=consent_id)
    except services.ReferralError as error:
        raise Http404 from error
    if own:
        done = _("Je toestemming is ingetrokken. %(org)s kan je gegevens niet meer zien.")
    else:
        done = _("De toestemming is ingetrokken. %(org)s kan het dossier niet meer inzien.")
    messages.success(request, done % {"org": consent.organisation})
    return redirect(f"/studenten/{consent.student_id}/#verwijzingen")


@login_required
def transition_view(request: HttpRequest, student_id: int) -> HttpResponse:
    """The 18-/18+ checklist of a student with youth help."""
    user: User = request.user  # type: ignore[assignment]
    student, _access = student_get_for_user(
        user=user, student_id=student_id, action=Action.CHANGE, part=Part.REFERRALS
    )
    transition = student.adulthood_transitions.order_by("-turns_18_on").first()
    if transition is None:
        raise Http404
    if request.method == "POST":
        try:
            checklist_tick(
                actor=user,
                transition_id=transition.pk,
                code=request.POST.get("code", ""),
                done=request.POST.get("done") == "ja",
                expected_version=int(request.POST.get("version") or 0),
            )
        except TransitionError as error:
            messages.error(request, str(error))
        return redirect("referrals:transition", student_id=student.pk)
    today = timezone.localdate()
    return render(
        request,
        "referrals/transition.html",
        {
            "student": student,
            "transition": transition,
            "items": checklist_for(transition),
            "responsibility": responsibility_for(student, transition.turns_18_on),
            "days_left": (transition.turns_18_on - today).days,
        },
    )
