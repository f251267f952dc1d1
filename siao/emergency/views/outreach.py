"""Street outreach (maraude): the team's encounters, recorded from a phone-sized page, and the
signals it passes to the 115 of its département. Perimeter: the team's own encounters
(OutreachEncounter.objects.visible_to and access.get_encounter_for); only the social workers
and managers of a Maraude program use these pages (permissions.can_record_encounter)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.emergency import actions
from siao.emergency.access import get_encounter_for
from siao.emergency.enums import SignalStatus
from siao.emergency.forms.outreach import EncounterForm, HouseholdSearchForm, SignalForm, household_label
from siao.emergency.models import OutreachEncounter, OutreachSignal
from siao.emergency.permissions import can_record_encounter
from siao.households import search
from siao.households.actions import view_household
from siao.households.models import Household, HouseholdMember

PAGE_SIZE = 50
SIGNAL_BADGES = {
    SignalStatus.NEW: "fr-badge--new",
    SignalStatus.TAKEN: "fr-badge--info",
    SignalStatus.CLOSED: "fr-badge--success",
}


def _render_form(request, template, context, form):
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)


def _household_url(household) -> str:
    try:
        return reverse("households:household_detail", kwargs={"public_id": household.public_id})
    except NoReverseMatch:
        return ""


def _signal_of(encounter) -> OutreachSignal | None:
    try:
        return encounter.signal
    except OutreachSignal.DoesNotExist:
        return None


def _with_badge(signal):
    if signal is not None:
        signal.badge_class = SIGNAL_BADGES.get(signal.status, "")
    return signal


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    """An action's field errors under the form's names for them (`message` → `signal_message`)."""
    if hasattr(exc, "error_dict"):
        return ValidationError({f"{prefix}{field}": errors for field, errors in exc.message_dict.items()})
    return exc


# -- the team's encounters -------------------------------------------------------------------


@actor_required(can_record_encounter)
def encounter_list(request):
    encounters = (
        OutreachEncounter.objects.visible_to(request.actor)
        .select_related("household__head", "signal")
        .order_by("-occurred_at", "-pk")
    )
    page = Paginator(encounters, PAGE_SIZE).get_page(request.GET.get("page"))
    for encounter in page:
        encounter.signal_shown = _with_badge(_signal_of(encounter))
    return render(
        request,
        "emergency/outreach/encounter_list.html",
        {"page": page, "query": "", "program": request.actor.membership.program},
    )


def _search_households(actor, last_name: str) -> list[tuple[Household, str]]:
    """The households the team sees of the persons whose name looks like `last_name`, best
    match first (the tolerant search's queries, then one for their households)."""
    persons = {person.pk: person for person in _persons_named(actor, last_name)}
    if not persons:
        return []
    links = (
        HouseholdMember.objects.filter(
            person_id__in=persons, household__in=Household.objects.visible_to(actor).values("pk")
        )
        .select_related("household__head")
        .order_by(F("left_on").asc(nulls_first=True), "pk")
    )
    by_person: dict[int, list[Household]] = {}
    for link in links:
        by_person.setdefault(link.person_id, []).append(link.household)
    found, seen = [], set()
    for person in persons.values():
        for household in by_person.get(person.pk, []):
            if household.pk not in seen:
                seen.add(household.pk)
                found.append((household, household_label(person, household)))
    return found


def _persons_named(actor, last_name: str) -> list:
    """The persons of the team's perimeter whose last name (or birth name) looks like the one
    typed, best first (the tolerant search, on a last name alone)."""
    return [match.person for match in search.find_similar_persons(actor, last_name=last_name)]


def _chosen_household(actor, value) -> list[tuple[Household, str]]:
    """The household posted (a public id), if the team sees it: kept among the choices."""
    try:
        public_id = uuid.UUID(str(value))
    except ValueError:
        return []
    household = Household.objects.visible_to(actor).filter(public_id=public_id).select_related("head").first()
    if household is None:
        return []
    label = f"Ménage de {household.head.full_name}" if household.head_id else "Ménage"
    return [(household, f"{label} ({household.member_count} pers.)")]


def _record(actor, data) -> OutreachEncounter:
    """The encounter and, when asked, its signal: both or nothing."""
    with transaction.atomic():
        encounter = actions.record_encounter(
            actor=actor,
            location=data["location"],
            occurred_at=data["occurred_at"],
            persons_count=data["persons_count"],
            household=data["household"],
            description=data["description"],
            needs=data["needs"],
            provisions=data["provisions"],
            comment=data["comment"],
        )
        if data["signal"]:
            try:
                actions.send_signal(
                    actor=actor, encounter=encounter, message=data["signal_message"], is_urgent=data["signal_urgent"]
                )
            except ValidationError as exc:
                raise _prefixed(exc, "signal_") from None
    return encounter


@actor_required(can_record_encounter)
def encounter_create(request):
    actor = request.actor
    search_form = HouseholdSearchForm(request.GET or None)
    last_name = search_form.cleaned_data["nom"].strip() if search_form.is_valid() else ""
    households = _search_households(actor, last_name) if last_name else []
    if request.method == "POST" and request.POST.get("household"):
        chosen = _chosen_household(actor, request.POST["household"])
        known = {household.pk for household, _ in households}
        households += [pair for pair in chosen if pair[0].pk not in known]
    form = EncounterForm(request.POST if request.method == "POST" else None, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            encounter = _record(actor, form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            if form.cleaned_data["signal"]:
                messages.success(request, "Rencontre enregistrée et signalée au 115.")
            else:
                messages.success(request, "Rencontre enregistrée.")
            return redirect("emergency:encounter_detail", public_id=encounter.public_id)
    context = {
        "form": form,
        "search": search_form,
        "searched": bool(last_name),
        "found_count": len(households) if last_name else 0,
    }
    return _render_form(request, "emergency/outreach/encounter_form.html", context, form)


def _detail_context(actor, encounter, form):
    signal = _with_badge(_signal_of(encounter))
    return {
        "encounter": encounter,
        "signal": signal,
        "form": form,
        "household_url": _household_url(encounter.household) if encounter.household_id else "",
    }


@actor_required(can_record_encounter)
def encounter_detail(request, public_id):
    actor = request.actor
    encounter = get_encounter_for(actor, public_id)
    if encounter.household_id:
        view_household(actor=actor, household=encounter.household, page="encounter", obj=encounter)
    signal = _signal_of(encounter)
    form = SignalForm() if signal is None else None
    return render(request, "emergency/outreach/encounter_detail.html", _detail_context(actor, encounter, form))


@actor_required(can_record_encounter)
def signal_create(request, public_id):
    actor = request.actor
    encounter = get_encounter_for(actor, public_id)
    if request.method != "POST":
        return redirect("emergency:encounter_detail", public_id=encounter.public_id)
    form = SignalForm(request.POST)
    if form.is_valid():
        try:
            actions.send_signal(
                actor=actor,
                encounter=encounter,
                message=form.cleaned_data["message"],
                is_urgent=form.cleaned_data["is_urgent"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Rencontre signalée au 115 : elle apparaît dans sa file de signalements.")
            return redirect("emergency:encounter_detail", public_id=encounter.public_id)
    elif _signal_of(encounter) is not None:
        form.add_error(None, "Cette rencontre a déjà été signalée au 115.")
    return _render_form(
        request, "emergency/outreach/encounter_detail.html", _detail_context(actor, encounter, form), form
    )
