"""Funding transparency: what help cost and who paid, and the contribution model; prices kept
by the functional administrator."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schakelpunt.access.policy import may_manage_funding
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.core.changes import form_errors_as_messages, run_change
from schakelpunt.monitor.dashboard import Table
from schakelpunt.monitor.exports import csv_download
from schakelpunt.monitor.selection import choose_for, periods_offered

from . import services
from .contribution import ContributionError, Split, per_student, split_budget
from .costs import (
    euros,
    in_house_support,
    protected_use,
    published_in_house,
    residents_by_municipality,
    service_use,
)
from .forms import ContributionForm, FundingForm, RateForm
from .models import ServiceFunding, SupportRate


def _split(form: ContributionForm, residents: dict[str, int]) -> Split | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    others = _("Overige gemeenten (samen)")
    try:
        if data["model"] == "per_student":
            return per_student(data["rate"], residents, others_label=others)
        return split_budget(
            data["budget"],
            {
                _("Gemeenten"): data["share_municipalities"],
                _("Zorgverzekeraar"): data["share_insurer"],
                _("School"): data["share_school"],
            },
            residents,
            municipalities_label=_("Gemeenten"),
            others_label=others,
        )
    except ContributionError:
        return None


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    scopes, scope, index, period, _breakdown = choose_for(request)
    headings = [_("Stroom"), _("Aanbod"), _("Verwijzingen"), _("Eenheden"), _("Kosten")]
    use = protected_use(service_use(scope.students, period), headings, _("Subtotaal"))
    in_house = published_in_house(in_house_support(scope.students, period))
    form = ContributionForm(request.GET if "model" in request.GET else None)
    split = (
        _split(form, residents_by_municipality(scope.students, period)) if form.is_bound else None
    )
    contribution = _contribution_table(split) if split else None
    stem = slugify(f"financiering-{scope.title}-{period.code}")
    if request.GET.get("formaat") == "csv":
        chosen = contribution if request.GET.get("tabel") == "bijdragen" else None
        return csv_download(chosen or Table(use.headings, use.rows), f"{stem}.csv")
    query = request.GET.copy()
    query.pop("formaat", None)
    query.pop("tabel", None)
    return render(
        request,
        "funding/overview.html",
        {
            "scopes": [s.title for s in scopes],
            "scope_index": index,
            "title": scope.title,
            "period": period,
            "periods": periods_offered(),
            "use": use,
            "in_house": in_house,
            "in_house_cost": euros(in_house.cost),
            "form": form if form.is_bound else ContributionForm(),
            "split": split,
            "contribution": contribution,
            "partners": [(name, euros(amount)) for name, amount in split.partners] if split else [],
            "per_student": euros(split.per_student) if split and split.per_student else "",
            "query": query.urlencode(),
        },
    )


def _contribution_table(split: Split) -> Table:
    rows = [[line.label, line.students, euros(line.amount)] for line in split.municipalities]
    total = sum((line.amount for line in split.municipalities), Decimal(0))
    return Table(
        [_("Woongemeente"), _("Studenten"), _("Bijdrage per jaar")],
        rows,
        [_("Gemeenten samen"), "", euros(total)],
    )


# --- prices, for the functional administrator -----------------------------------------------


@login_required
def prices(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not may_manage_funding(user):
        raise Http404
    institutions = Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION)
    rates = {r.institution_id: r for r in SupportRate.objects.all()}
    return render(
        request,
        "funding/prices.html",
        {
            "fundings": ServiceFunding.objects.select_related("service", "stream").order_by(
                "service__name", "stream"
            ),
            "form": FundingForm(),
            "institutions": [(i, _rate_form(i.pk, rates.get(i.pk))) for i in institutions],
        },
    )


def _rate_form(institution_id: int, rate: SupportRate | None) -> RateForm:
    initial = {"hourly_cost": rate.hourly_cost, "version": rate.version} if rate else {"version": 0}
    return RateForm(initial=initial, prefix=f"i{institution_id}")


@login_required
@require_POST
def funding_add(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not may_manage_funding(user):
        raise Http404
    form = FundingForm(request.POST)
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("funding:prices")
    data = form.cleaned_data
    run_change(
        request,
        lambda: services.funding_add(
            actor=user,
            service_id=data["service"].pk,
            stream=data["stream"],
            unit=data["unit"],
            unit_cost=data["unit_cost"],
            share=data["share"],
            hours_per_trajectory=data["hours_per_trajectory"],
        ),
        _("De financiering is vastgelegd."),
    )
    return redirect("funding:prices")


@login_required
@require_POST
def funding_remove(request: HttpRequest, funding_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    run_change(
        request,
        lambda: services.funding_remove(actor=user, funding_id=funding_id),
        _("De regel is verwijderd."),
    )
    return redirect("funding:prices")


@login_required
@require_POST
def rate_set(request: HttpRequest, institution_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = RateForm(request.POST, prefix=f"i{institution_id}")
    if not form.is_valid():
        form_errors_as_messages(request, form)
        return redirect("funding:prices")
    run_change(
        request,
        lambda: services.support_rate_set(
            actor=user,
            institution_id=institution_id,
            hourly_cost=form.cleaned_data["hourly_cost"],
            version=form.cleaned_data["version"],
        ),
        _("Het uurtarief is opgeslagen."),
    )
    return redirect("funding:prices")
