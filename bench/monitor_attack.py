"""The attacker of the monitor (decision 0020) on the demo region.

    python bench/monitor_attack.py [--students 2000] [--population gemeente:GM0153 ...]
                                   [--exact] [--postgres URL]

Builds the demo region in a fresh SQLite database, collects everything the monitor publishes
for the chosen populations (default: every municipality where students live, their RMC
regions and every institution) over every school year and semester with data — every
breakdown and indicator, as page, CSV, Excel and PDF print them — and works it back with
linear programming. Prints how many published counts have a true value of 1–4, how many of
those the attacker determines exactly or within ±1, and the time. With `--exact`, the same
for the figures as they were published before (exact counts, "<5" for 1–4).

Measured (2 shared cores, demo region of 600 students, the population of Enschede, school
years and semesters): 540 published counts with a true value of 1–4; cell key: none
determined, none within ±1 (34 s of linear programs); exact + "<5": 139 exactly, 322 within
±1. All populations at once make one large program per indicator: expect tens of minutes.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import machine, run_child


def child(students: int, populations: list[str], exact: bool) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from schakelpunt.demo.builder import build_demo_region
    from schakelpunt.monitor import attack
    from schakelpunt.monitor.snapshots import all_scopes

    build_demo_region(students=students)
    scopes = [s for s in all_scopes() if not populations or s.key in populations]
    students_qs = scopes[0].students
    for scope in scopes[1:]:
        students_qs = students_qs | scope.students
    today = timezone.localdate()
    first, last = attack.periods_with_data(students_qs, today)
    region = attack.region_of(scopes, first_year=first, last_year=last, today=today)
    start = time.perf_counter()
    published = attack.collect(region)
    with attack.measuring_truth():
        truth_pub = attack.collect(region)
    truth = attack.true_counts(truth_pub)
    collected = time.perf_counter() - start
    if dump := os.environ.get("MONITOR_ATTACK_DUMP"):  # for looking into a failure
        import pickle

        with open(dump, "wb") as out:
            bare = (region.atoms, region.months, region.periods, region.today)
            pickle.dump((*bare, published, truth, truth_pub), out)
    method = attack.cell_key_method()
    attack.check_truth_fits(region, published, truth, method)
    start = time.perf_counter()
    summary = attack.summarise(attack.attack(region, published, truth, method))
    result = {
        "populations": len(scopes),
        "periods": len(region.periods),
        "atoms": len(region.atoms),
        "published counts": len(published.counts),
        "collect s": round(collected, 1),
        "cell key: protected cells (true 1-4)": summary.protected,
        "cell key: determined exactly": summary.exact,
        "cell key: within +-1": summary.nearly,
        "cell key: attack s": round(time.perf_counter() - start, 1),
    }
    if exact:
        start = time.perf_counter()
        old = attack.summarise(
            attack.attack(
                region, attack.exact_publication(truth_pub), truth, attack.EXACT_WITH_SUPPRESSION
            )
        )
        result |= {
            "exact + <5: protected cells": old.protected,
            "exact + <5: determined exactly": old.exact,
            "exact + <5: within +-1": old.nearly,
            "exact + <5: attack s": round(time.perf_counter() - start, 1),
        }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--population", action="append", default=[])
    parser.add_argument("--exact", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.students, args.population, args.exact)
        return
    print(f"Monitor attacker, demo region of {args.students} students; {machine()}")
    database = f"sqlite:///{tempfile.mkdtemp(prefix='schakelpunt-bench-')}/attack.db"
    extra = [item for p in args.population for item in ("--population", p)]
    started = time.perf_counter()
    result = run_child(
        __file__,
        database,
        "--students",
        str(args.students),
        *extra,
        *(["--exact"] if args.exact else []),
    )
    for label, value in result.items():
        print(f"{label:42} {value}")
    print(f"{'total s (with building the region)':42} {time.perf_counter() - started:.0f}")


if __name__ == "__main__":
    main()
