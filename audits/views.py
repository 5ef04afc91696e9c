from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audits.records import record_type_get
from audits.selectors import record_history


@login_required
def history(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    label, entries = record_history(user=request.user, record_type=record_type, record_id=record_id)  # type: ignore[arg-type]
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    names = record_type_get(record_type)
    rows = [
        (entry, [(names.field_label(column), before, after) for column, (before, after) in entry.fields.items()])
        for entry in page
    ]
    return render(request, "audits/history.html", {"label": label, "page": page, "rows": rows})
