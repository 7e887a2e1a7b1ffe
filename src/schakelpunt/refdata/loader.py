"""Load the bundled reference files (CBS; Rijksoverheid school holidays). Idempotent: a second
load changes nothing.

Takes the model classes as arguments so that a data migration can pass historical models.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadResult:
    regions: int
    municipalities: int
    postcodes: int


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_reference_data(*, RmcRegion: Any, Municipality: Any, PostcodeArea: Any) -> LoadResult:
    regions = {}
    for row in _rows("rmc_regios_2025.csv"):
        region, _ = RmcRegion.objects.update_or_create(
            code=row["rmc_code"], defaults={"name": row["rmc_naam"]}
        )
        regions[region.code] = region

    existing = {m.cbs_code: m for m in Municipality.objects.all()}
    municipalities = {}
    for row in _rows("gemeenten_2025_provincie_rmc.csv"):
        values = {
            "name": row["gemeente"],
            "province": row["provincie"],
            "rmc_region": regions[row["rmc_code"]],
        }
        muni = existing.get(row["gm_code"])
        if muni is None:
            muni = Municipality.objects.create(cbs_code=row["gm_code"], **values)
        elif any(getattr(muni, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(muni, key, value)
            muni.save()
        municipalities[muni.cbs_code] = muni

    known = {p.pc4: p for p in PostcodeArea.objects.all()}
    new, changed = [], []
    for row in _rows("pc4_gemeente.csv"):
        pc4 = row["postcode"].strip().zfill(4)
        values = {
            "place": row["plaats"],
            "municipality": municipalities.get(row["gm_code_2025"]),
            "inhabitants": int(float(row["inwoners"])) if row["inwoners"] else None,
        }
        area = known.get(pc4)
        if area is None:
            new.append(PostcodeArea(pc4=pc4, **values))
        elif any(getattr(area, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(area, key, value)
            changed.append(area)
    PostcodeArea.objects.bulk_create(new, batch_size=1000)
    if changed:
        PostcodeArea.objects.bulk_update(
            changed, ["place", "municipality", "inhabitants"], batch_size=1000
        )
    return LoadResult(len(regions), len(municipalities), len(known) + len(new))


@dataclass(frozen=True)
class HolidayLoadResult:
    created: int
    updated: int
    total: int


def load_school_holidays(*, RegionalHoliday: Any) -> HolidayLoadResult:
    """The official school-holiday periods per region and school year (schoolvakanties.csv)."""
    existing = {(h.region, h.school_year, h.name): h for h in RegionalHoliday.objects.all()}
    created = updated = 0
    rows = _rows("schoolvakanties.csv")
    for row in rows:
        key = (row["regio"], row["schooljaar"], row["vakantie"])
        start = date.fromisoformat(row["eerste_dag"])
        end = date.fromisoformat(row["laatste_dag"])
        found = existing.get(key)
        if found is None:
            RegionalHoliday.objects.create(
                region=key[0], school_year=key[1], name=key[2], start=start, end=end
            )
            created += 1
        elif (found.start, found.end) != (start, end):
            found.start, found.end = start, end
            found.save()
            updated += 1
    return HolidayLoadResult(created, updated, len(rows))
