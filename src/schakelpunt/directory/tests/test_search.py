"""Searching the sociale kaart: words and filters, the same on SQLite and PostgreSQL."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.directory.models import Law, Service, ServiceStatus
from schakelpunt.directory.selectors import (
    DirectoryQuery,
    entry_points_for,
    services_search,
    services_stale,
)

from .factories import ServiceFactory, full_directory


def _names(query: DirectoryQuery) -> list[str]:
    return [s.name for s in services_search(query)]


def test_words_match_without_accents_or_case(refdata: None) -> None:
    full_directory()
    ServiceFactory(name="Schuldhulp Café", description="Geldzorgen", life_domains=["finances"])
    assert _names(DirectoryQuery(text="VERSLAVING")) == ["Verslavingszorg jongeren"]
    assert _names(DirectoryQuery(text="cafe")) == ["Schuldhulp Café"]
    assert _names(DirectoryQuery(text="tactus hengelo")) == ["Verslavingszorg jongeren"]
    assert _names(DirectoryQuery(text="bestaatniet")) == []


def test_filters_combine(refdata: None) -> None:
    full_directory()  # addiction care 12–23 in Enschede and Hengelo; a team for Enschede
    ServiceFactory(name="Budgetcoach", life_domains=["finances"], laws=[Law.WMO], minimum_age=18)
    assert _names(DirectoryQuery(life_domain="substance_use")) == ["Verslavingszorg jongeren"]
    assert _names(DirectoryQuery(law=Law.WMO)) == ["Budgetcoach", "Wijkteam Enschede"]
    assert "Verslavingszorg jongeren" not in _names(DirectoryQuery(age=24))
    assert "Budgetcoach" not in _names(DirectoryQuery(age=17))
    almelo = municipality("GM0141")
    # Services without a working area serve everyone; the Enschede team does not serve Almelo.
    assert _names(DirectoryQuery(municipality=almelo)) == ["Budgetcoach"]
    assert "Wijkteam Enschede" in _names(DirectoryQuery(municipality=municipality("GM0153")))


def test_available_now_leaves_out_full_services_and_long_waits(refdata: None) -> None:
    ServiceFactory(name="Vol", capacity_available=0, capacity_maximum=10)
    ServiceFactory(name="Lange wachttijd", wait_days=42)
    ServiceFactory(name="Direct", wait_days=3, capacity_available=2)
    ServiceFactory(name="Gesloten", status=ServiceStatus.TEMPORARILY_CLOSED)
    assert _names(DirectoryQuery(available_now=True)) == ["Direct"]
    assert sorted(_names(DirectoryQuery())) == ["Direct", "Lange wachttijd", "Vol"]


def test_entry_points_prefer_the_team_for_the_law(refdata: None) -> None:
    ServiceFactory(
        name="Jeugdteam", is_entry_point=True, laws=[Law.JEUGDWET], area_codes=["GM0153"]
    )
    ServiceFactory(name="Wmo-loket", is_entry_point=True, laws=[Law.WMO], area_codes=["GM0153"])
    enschede = municipality("GM0153")
    assert [s.name for s in entry_points_for(enschede, Law.WMO)] == ["Wmo-loket"]
    assert [s.name for s in entry_points_for(enschede, Law.JEUGDWET)] == ["Jeugdteam"]
    assert list(entry_points_for(municipality("GM0141"))) == []


def test_entries_unchecked_for_six_months_are_listed_oldest_first(world: World) -> None:
    today = timezone.localdate()
    old = ServiceFactory(name="Aanbod oud", last_checked_on=today - timedelta(days=200))
    older = ServiceFactory(name="Aanbod ouder", last_checked_on=today - timedelta(days=400))
    ServiceFactory(name="Aanbod vers", last_checked_on=today - timedelta(days=100))
    assert [s.name for s in services_stale()] == ["Aanbod ouder", "Aanbod oud"]
    admin = client_for(world.users["admin"])
    html = admin.get(reverse("directory:stale")).content.decode()
    # Names no random name of the test world can contain (a person "Verschuere" once did).
    assert "Aanbod ouder" in html and "Aanbod vers" not in html
    admin.post(reverse("directory:checked", args=[older.pk]))
    assert [s.name for s in services_stale()] == ["Aanbod oud"]
    # A coach keeps nothing up to date and sees no such list.
    assert client_for(world.users["coach"]).get(reverse("directory:stale")).status_code == 404
    assert (
        client_for(world.users["coach"])
        .post(reverse("directory:checked", args=[old.pk]))
        .status_code
        == 404
    )


def test_an_edit_on_an_old_version_is_refused(world: World) -> None:
    service = ServiceFactory(name="Jongerenwerk")
    admin = client_for(world.users["admin"])
    url = reverse("directory:edit", args=[service.pk])
    form = {
        "version": str(service.version),
        "name": "Jongerenwerk Enschede",
        "description": "Ambulant jongerenwerk",
        "status": "active",
        "first_contact_days": "5",
        "life_domains": ["leisure"],
    }
    assert admin.post(url, form).status_code == 302
    service.refresh_from_db()
    assert service.name == "Jongerenwerk Enschede" and service.version == 2
    assert "vrije tijd" in service.search_text
    stale = admin.post(url, {**form, "name": "Overschreven"})
    assert "Iemand anders heeft dit aanbod intussen gewijzigd" in stale.content.decode()
    assert Service.objects.get(pk=service.pk).name == "Jongerenwerk Enschede"


def test_a_provider_edits_only_its_own_entries(world: World) -> None:
    from schakelpunt.accounts.models import Organisation
    from schakelpunt.directory.models import DirectoryOrganisation

    own_entry = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="x", account=Organisation.objects.get(name="Zorg Een")
    )
    own = ServiceFactory(organisation=own_entry)
    other = ServiceFactory()
    worker = client_for(world.users["worker_p1"])
    assert worker.get(reverse("directory:edit", args=[own.pk])).status_code == 200
    assert worker.get(reverse("directory:edit", args=[other.pk])).status_code == 404


def test_the_search_page_shows_results_to_everyone_logged_in(world: World) -> None:
    full_directory()
    page = client_for(world.users["coach"]).get(reverse("directory:search"), {"q": "verslaving"})
    html = page.content.decode()
    assert "Verslavingszorg jongeren" in html and "dinsdag 09:00–12:00" in html


def test_new_entries_by_the_administrator_and_by_a_provider_for_its_own(world: World) -> None:
    from schakelpunt.accounts.models import Organisation
    from schakelpunt.directory.models import DirectoryOrganisation

    own = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="x", account=Organisation.objects.get(name="Zorg Een")
    )
    other = DirectoryOrganisation.objects.create(name="Buurthuis", description="x")
    form = {
        "name": "Maatjesproject",
        "description": "Een vrijwilliger als maatje",
        "status": "active",
        "first_contact_days": "8",
        "life_domains": ["social_network"],
        "laws": ["wmo"],
        "minimum_age": "16",
        "maximum_age": "23",
    }
    worker = client_for(world.users["worker_p1"])
    refused = worker.post(reverse("directory:new"), {**form, "organisation": other.pk})
    assert refused.status_code == 200 and not Service.objects.filter(name="Maatjesproject").exists()
    worker.post(reverse("directory:new"), {**form, "organisation": own.pk})
    created = Service.objects.get(name="Maatjesproject")
    assert created.organisation == own and created.laws == ["wmo"]
    assert _names(DirectoryQuery(text="maatje", age=17)) == ["Maatjesproject"]
    admin = client_for(world.users["admin"])
    admin.post(reverse("directory:new"), {**form, "name": "Buurtmaatjes", "organisation": other.pk})
    assert Service.objects.get(name="Buurtmaatjes").organisation == other
    backwards = admin.post(
        reverse("directory:new"),
        {**form, "name": "Fout", "organisation": other.pk, "minimum_age": "30"},
    )
    assert "De minimumleeftijd ligt boven de maximumleeftijd." in backwards.content.decode()
    assert client_for(world.users["coach"]).get(reverse("directory:new")).status_code == 404


def test_consultation_hours_at_school_are_added_and_removed(world: World) -> None:
    from schakelpunt.directory.models import DirectoryLocation, OpeningHours

    service = full_directory()
    hengelo = DirectoryLocation.objects.get(name="Spreekuur ROC locatie Hengelo")
    admin = client_for(world.users["admin"])
    url = reverse("directory:hours_add", args=[service.pk])
    version = Service.objects.get(pk=service.pk).version
    admin.post(
        url, {"location": hengelo.pk, "weekday": "TH", "opens_at": "13:00", "closes_at": "15:00"}
    )
    assert OpeningHours.objects.filter(service_at_location__location=hengelo, weekday="TH").exists()
    assert Service.objects.get(pk=service.pk).version == version + 1
    overlap = admin.post(
        url,
        {"location": hengelo.pk, "weekday": "TH", "opens_at": "14:00", "closes_at": "16:00"},
        follow=True,
    )
    assert "al een tijd die hiermee overlapt" in overlap.content.decode()
    backwards = admin.post(
        url,
        {"location": hengelo.pk, "weekday": "FR", "opens_at": "16:00", "closes_at": "09:00"},
        follow=True,
    )
    assert "De eindtijd ligt niet na de begintijd." in backwards.content.decode()
    page = client_for(world.users["coach"]).get(reverse("directory:detail", args=[service.pk]))
    assert "donderdag 13:00–15:00" in page.content.decode()
    thursday = OpeningHours.objects.get(weekday="TH", service_at_location__location=hengelo)
    admin.post(reverse("directory:hours_remove", args=[service.pk, thursday.pk]))
    assert not OpeningHours.objects.filter(pk=thursday.pk).exists()
    # A coach edits nothing.
    refused = client_for(world.users["coach"]).post(
        url, {"location": hengelo.pk, "weekday": "MO", "opens_at": "09:00", "closes_at": "10:00"}
    )
    assert refused.status_code == 302
    assert not OpeningHours.objects.filter(
        weekday="MO", service_at_location__location=hengelo
    ).exists()


def test_organisation_details_and_contacts_by_its_provider(world: World) -> None:
    from schakelpunt.accounts.models import Organisation
    from schakelpunt.directory.models import Contact, DirectoryOrganisation

    own = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="x", account=Organisation.objects.get(name="Zorg Een")
    )
    service = ServiceFactory(organisation=own, name="Jongerencoaching")
    other = DirectoryOrganisation.objects.create(name="Buurthuis", description="x")
    worker = client_for(world.users["worker_p1"])
    url = reverse("directory:organisation", args=[own.pk])
    form = {"version": "1", "name": "Zorg Een Twente", "description": "Jeugdhulp", "phone": "053 1"}
    assert worker.post(url, form).status_code == 302
    own.refresh_from_db()
    assert own.name == "Zorg Een Twente" and own.version == 2
    assert "zorg een twente" in Service.objects.get(pk=service.pk).search_text
    stale = worker.post(url, {**form, "name": "Overschreven"})
    assert "Iemand anders heeft deze organisatie intussen gewijzigd" in stale.content.decode()
    worker.post(
        reverse("directory:contact_add", args=[own.pk]),
        {"name": "Sanne", "title": "Aanmelding", "service": service.pk},
    )
    contact = Contact.objects.get(name="Sanne")
    assert contact.service == service
    worker.post(reverse("directory:contact_remove", args=[contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()
    # Another organisation's page stays closed to this provider.
    assert worker.get(reverse("directory:organisation", args=[other.pk])).status_code == 404
    assert (
        client_for(world.users["admin"])
        .get(reverse("directory:organisation", args=[other.pk]))
        .status_code
        == 200
    )
