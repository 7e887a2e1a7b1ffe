"""Example import files for download (the import screens link here)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from .examples import example_csv, example_get, example_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def example_download(request: HttpRequest, name: str, extension: str) -> HttpResponse:
    """`/voorbeelden/studenten.csv` and, where the importer reads Excel, `.xlsx`."""
    example = example_get(name)
    if example is None or (extension == "xlsx" and not example.xlsx):
        raise Http404
    if extension == "xlsx":
        response = HttpResponse(example_xlsx(example), content_type=XLSX)
    else:
        response = HttpResponse(example_csv(example), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="voorbeeld-{name}.{extension}"'
    return response
