"""The audit trail's pages: the trail itself (/journal/) and the access reports (per household
file, per user) that administrators read for the RGPD's accountability."""

import contextlib
import csv
import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from siao.accounts.decorators import actor_required

from . import reports
from .forms import AuditFilterForm
from .labels import label_events
from .models import AuditEvent
from .permissions import can_read_audit_trail
from .trail import record


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@actor_required(can_read_audit_trail)
def trail(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.visible_to(request.actor)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            # Exact (indexed) match: the trail is searched for one person at a time.
            events = events.filter(actor_email=data["user"].strip().lower())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["since"]:
            events = events.filter(occurred_at__gte=_day_start(data["since"]))
        if data["until"]:
            events = events.filter(occurred_at__lt=_day_start(data["until"] + datetime.timedelta(days=1)))
        filters = {k: str(v) for k, v in data.items() if v}
    elif form.is_bound:
        events = events.none()
    # Keyset pagination (events before a sequence number): no COUNT over a table of tens of
    # millions of rows, and pages that don't shift while events are being appended.
    before = _positive_int(request.GET.get("avant"))
    if before:
        events = events.filter(sequence__lt=before)
    page = list(events.order_by("-sequence")[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].sequence if len(page) > PAGE_SIZE else None
    page = page[:PAGE_SIZE]
    label_events(page)
    for event in page:
        event.details = event_details(event)
    # Reading the trail is itself traced (it holds personal data), after the page is read.
    record("audit.trail_viewed", actor=request.actor, data={"filters": filters, "before": before})
    query = request.GET.copy()
    query.pop("avant", None)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "older": older, "before": before, "query": query.urlencode()},
    )


PAGE_SIZE = 50

# What the details column says of an event's data, by action (the other events: nothing more
# than the action and its reason). Searches list their non-empty criteria, never the empty ones.
CRITERIA_LABELS = {
    "last_name": "nom",
    "first_name": "prénom",
    "birth_date": "date de naissance",
    "file_number": "numéro de dossier",
}


def _criterion(name: str, value) -> str:
    if name == "birth_date":
        with contextlib.suppress(ValueError):
            value = datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    return f"{CRITERIA_LABELS.get(name, name)} : {value}"


def event_details(event) -> list[str]:
    """The lines of the details column for one event of the trail."""
    data = event.data if isinstance(event.data, dict) else {}
    lines = []
    if event.action == reports.ARCHIVE_SEARCHED:
        criteria = data.get("criteria") if isinstance(data.get("criteria"), dict) else {}
        given = [_criterion(name, value) for name, value in criteria.items() if value not in (None, "")]
        lines.append("Critères : " + (", ".join(given) if given else "aucun"))
        if "results" in data:
            results = data["results"]
            lines.append(f"{results} résultat{'s' if isinstance(results, int) and results > 1 else ''}")
    elif event.action == reports.ARCHIVE_READ and data.get("purpose"):
        lines.append(f"Finalité : {data['purpose']}")
    return lines


def _positive_int(value) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


# --- access reports (RGPD accountability) ----------------------------------------------------

REPORT_PAGE_SIZE = 100


class PeriodForm(DsfrBaseForm):
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("du"), cleaned.get("au")
        if since and until and since > until:
            raise ValidationError("La date de début doit précéder la date de fin.")
        return cleaned

    def period(self) -> tuple:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["du"], self.cleaned_data["au"]
        return None, None


class ReportChoiceForm(DsfrBaseForm):
    dossier = forms.UUIDField(
        label="Numéro de dossier",
        required=False,
        help_text="Il figure en haut de la page du dossier (format : 8-4-4-4-12 caractères).",
        error_messages={"invalid": "Saisissez un numéro de dossier complet."},
    )
    utilisateur = forms.EmailField(
        label="Adresse électronique de l'utilisateur",
        required=False,
        error_messages={"invalid": "Saisissez une adresse électronique complète."},
    )


def _period_query(request) -> str:
    """The period filter only (for the CSV link and the pagination)."""
    query = request.GET.copy()
    for name in list(query):
        if name not in PeriodForm.base_fields:
            del query[name]
    return query.urlencode()


def _period_data(since, until) -> dict:
    return {"since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}


@actor_required(reports.can_read_access_reports)
def report_index(request):
    """Choose a file (its number) or a user (their e-mail); each answer goes to its report."""
    actor = request.actor
    form = ReportChoiceForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["dossier"]:
            try:
                household = reports.get_file_for_report(actor, data["dossier"])
            except Http404:
                form.add_error("dossier", "Aucun dossier de votre périmètre ne porte ce numéro.")
            else:
                return redirect("audit:file_report", public_id=household.public_id)
        elif data["utilisateur"]:
            user = reports.users_in_perimeter(actor).filter(email=data["utilisateur"].strip().lower()).first()
            if user is None:
                form.add_error("utilisateur", "Aucun utilisateur de votre périmètre n'a cette adresse.")
            else:
                return redirect("audit:user_report", public_id=user.public_id)
        else:
            form.add_error(None, "Saisissez un numéro de dossier ou l'adresse électronique d'un utilisateur.")
    return render(
        request,
        "audit/report_index.html",
        {"form": form, "retention_days": settings.AUDIT_RETENTION_DAYS},
        status=400 if form.errors else 200,
    )


@actor_required(reports.can_read_access_reports)
def file_report(request, public_id):
    actor = request.actor
    household = reports.get_file_for_report(actor, public_id)
    form = PeriodForm(request.GET or None)
    since, until = form.period()
    events = reports.file_events(household, since, until).only(*reports.ROW_FIELDS).order_by("-sequence")
    before = _positive_int(request.GET.get("avant"))
    if before:
        events = events.filter(sequence__lt=before)
    page = list(events[: REPORT_PAGE_SIZE + 1])
    older = page[REPORT_PAGE_SIZE - 1].sequence if len(page) > REPORT_PAGE_SIZE else None
    rows = [reports.ReportRow.of(event) for event in page[:REPORT_PAGE_SIZE]]
    # Reading the report is traced on the file itself: its next report shows who read it.
    _file_report_viewed(actor, household, since, until, "html")
    return render(
        request,
        "audit/report_file.html",
        {
            "household": household,
            "purged": isinstance(household, reports.PurgedFile),
            "purged_notice": reports.PURGED_NOTICE,
            "form": form,
            "rows": rows,
            "older": older,
            "before": before,
            "query": _period_query(request),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
        status=400 if form.errors else 200,
    )


def _file_report_viewed(actor, household, since, until, output: str) -> None:
    """Reading the report is traced on the file itself (the household's public id, also for a
    purged file): its next report shows who read it."""
    record(
        reports.FILE_REPORT_VIEWED,
        actor=actor,
        object_type="households.household",
        object_id=str(household.public_id),
        data={**_period_data(since, until), "format": output},
    )


def _csv_response(filename: str, header: list[str], lines) -> HttpResponse:
    # Semicolons and a byte order mark: what a French spreadsheet opens without a wizard.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    writer.writerows(lines)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _bad_period(form) -> HttpResponse:
    errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
    return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")


@actor_required(reports.can_read_access_reports)
def file_report_csv(request, public_id):
    actor = request.actor
    household = reports.get_file_for_report(actor, public_id)
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _bad_period(form)
    since, until = form.period()
    events = reports.file_events(household, since, until).only(*reports.ROW_FIELDS)
    lines = [reports.csv_line(reports.ReportRow.of(event)) for event in events.iterator(chunk_size=2000)]
    _file_report_viewed(actor, household, since, until, "csv")
    return _csv_response(f"acces-dossier-{household.public_id}.csv", reports.CSV_HEADER, lines)


@actor_required(reports.can_read_access_reports)
def user_report(request, public_id):
    actor = request.actor
    user = reports.get_user_for_report(actor, public_id)
    form = PeriodForm(request.GET or None)
    since, until = form.period()
    report = reports.user_file_accesses(actor, user, since, until)
    record(reports.USER_REPORT_VIEWED, actor=actor, obj=user, data={**_period_data(since, until), "format": "html"})
    return render(
        request,
        "audit/report_user.html",
        {
            "subject": user,
            "form": form,
            "query": _period_query(request),
            "national": reports.report_departments(actor) is None,
            "report": report,
            "detail_limit": reports.DETAIL_LIMIT,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
        status=400 if form.errors else 200,
    )


@actor_required(reports.can_read_access_reports)
def user_report_csv(request, public_id):
    actor = request.actor
    user = reports.get_user_for_report(actor, public_id)
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _bad_period(form)
    since, until = form.period()
    report = reports.user_file_accesses(actor, user, since, until, detail_limit=None)
    lines = [[row.household, *reports.csv_line(row)] for row in report.detail]
    record(reports.USER_REPORT_VIEWED, actor=actor, obj=user, data={**_period_data(since, until), "format": "csv"})
    return _csv_response(f"acces-utilisateur-{user.public_id}.csv", ["Dossier", *reports.CSV_HEADER], lines)
