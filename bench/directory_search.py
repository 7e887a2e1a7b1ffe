"""Search time of the sociale kaart, on SQLite and on PostgreSQL.

    python bench/directory_search.py [--services 5000] [--runs 7] [--postgres URL]

Fills a fresh database with N services (random words, life domains, laws, ages and areas in
Twente), then times typical searches: one word, two words, a word with filters, only filters,
and "available now". Each is the page's work: count the matches and read the first 25 with
their locations and hours. Prints the median per search over the runs, per database.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import machine, run_child, sqlite_and_postgres

WORDS = [
    "jongeren",
    "gezin",
    "coaching",
    "schuld",
    "verslaving",
    "somberheid",
    "angst",
    "wonen",
    "stage",
    "werk",
    "geld",
    "ruzie",
    "slapen",
    "gamen",
    "alcohol",
    "blowen",
    "begeleiding",
    "groep",
    "training",
    "spreekuur",
    "inloop",
    "maatje",
    "budget",
    "zorgen",
    "school",
    "stress",
    "rouw",
    "trauma",
    "eten",
    "sporten",
    "vrijwilliger",
]


def child(services: int, runs: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from schakelpunt.directory.models import DirectoryOrganisation, Law, Service
    from schakelpunt.directory.selectors import (
        DirectoryQuery,
        search_text_for,
        services_search,
        services_with_hours,
    )
    from schakelpunt.refdata.models import Municipality
    from schakelpunt.support.models import LifeDomain

    rng = random.Random(5)
    twente = list(Municipality.objects.filter(rmc_region__code="MC12"))
    with transaction.atomic():
        orgs = DirectoryOrganisation.objects.bulk_create(
            DirectoryOrganisation(name=f"Aanbieder {i}", description="x")
            for i in range(services // 4)
        )
        rows = []
        for i in range(services):
            low = rng.choice([None, 12, 16, 18])
            rows.append(
                Service(
                    organisation=rng.choice(orgs),
                    name=" ".join(rng.sample(WORDS, 2)).capitalize() + f" {i}",
                    description=" ".join(rng.choices(WORDS, k=25)),
                    life_domains=rng.sample(LifeDomain.values, rng.randint(1, 3)),
                    laws=rng.sample(Law.values, rng.randint(1, 2)),
                    minimum_age=low,
                    maximum_age=None if low is None else low + rng.choice([6, 9, 11]),
                    wait_days=rng.choice([None, 0, 3, 7, 14, 30, 60]),
                    capacity_available=rng.choice([None, 0, 2, 10]),
                )
            )
        created = Service.objects.bulk_create(rows, batch_size=1000)
        through = Service.areas.through
        through.objects.bulk_create(
            through(service_id=s.pk, municipality_id=m.pk)
            for s in created
            for m in rng.sample(twente, rng.choice([0, 1, 3]))
        )
        # search_text_for reads areas and locations per service: index in one pass.
        batch = []
        for s in Service.objects.select_related("organisation").prefetch_related("areas"):
            s.search_text = search_text_for(s)
            batch.append(s)
        Service.objects.bulk_update(batch, ["search_text"], batch_size=1000)
    # As autovacuum would after a load: planner statistics (PostgreSQL; SQLite's ANALYZE too).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    enschede = Municipality.objects.get(cbs_code="GM0153")
    searches = {
        "one word": DirectoryQuery(text="verslaving"),
        "two words": DirectoryQuery(text="jongeren schuld"),
        "word + domain + age + municipality": DirectoryQuery(
            text="coaching", life_domain="mental_health", age=17, municipality=enschede
        ),
        "filters only (law, municipality)": DirectoryQuery(law=Law.WMO, municipality=enschede),
        "available now, age 19": DirectoryQuery(available_now=True, age=19),
    }
    result = {}
    for label, query in searches.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            matches = services_search(query)
            count = matches.count()
            list(services_with_hours(matches)[:25])
            times.append((time.perf_counter() - start) * 1000)
        result[label] = {"matches": count, "median_ms": round(statistics.median(times), 1)}
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.services, args.runs)
        return
    print(f"Sociale kaart search, {args.services} services, median of {args.runs}; {machine()}")
    databases = sqlite_and_postgres(args.postgres, "schakelpunt_bench_dir")
    for name, url in databases.items():
        result = run_child(
            __file__, url, "--services", str(args.services), "--runs", str(args.runs)
        )
        for label, row in result.items():
            print(f"{name:10} {label:38} {row['matches']:6} matches {row['median_ms']:8.1f} ms")


if __name__ == "__main__":
    main()
