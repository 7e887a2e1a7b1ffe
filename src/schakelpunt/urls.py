from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever a page's <link rel="icon"> says; the icon itself
    is a static file (hashed name in production), looked up when asked."""
    return HttpResponseRedirect(static("favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon),
    # /health/live/, /health/ready/, /health/jobs/ and /metrics (docs/operations.md).
    path("", include("schakelpunt.operations.urls")),
    path("", include("schakelpunt.core.urls")),
    path("account/", include("schakelpunt.accounts.urls")),
    path("studenten/", include("schakelpunt.students.urls")),
    path("studenten/<int:student_id>/", include("schakelpunt.support.urls")),
    path("privacy/", include("schakelpunt.access.urls")),
    path("privacy/", include("schakelpunt.privacy.urls")),
    path("verwijzingen/", include("schakelpunt.referrals.urls")),
    path("overleg/", include("schakelpunt.meetings.urls")),
    path("nazorg/", include("schakelpunt.transitions.urls")),
    path("instroom/", include("schakelpunt.transitions.intake_urls")),
    path("monitor/", include("schakelpunt.monitor.urls")),
    path("financiering/", include("schakelpunt.funding.urls")),
    path("sociale-kaart/", include("schakelpunt.directory.urls")),
    path("meldingen/", include("schakelpunt.notifications.urls")),
    path("verzuim/", include("schakelpunt.signals.urls")),
    path("triage/", include("schakelpunt.signals.triage_urls")),
    path("beheer/instelling/", include("schakelpunt.accounts.institution_urls")),
    path("beheer/mensen/", include("schakelpunt.accounts.people_urls")),
    path("schoolkalender/", include("schakelpunt.signals.calendar_urls")),
    path("ouder/", include("schakelpunt.students.parent_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/koppelingen/", include("schakelpunt.accounts.api_client_urls")),
    path("beheer/gebeurtenissen/", include("schakelpunt.events.urls")),
    path("oidc/", include("schakelpunt.accounts.oidc_urls")),
    path("api/v1/", include("schakelpunt.api.urls")),
    # The old address of the document: it moved with the API (docs/api.md).
    path("api/schema/", RedirectView.as_view(url="/api/v1/openapi.json", permanent=True)),
]
