"""The 115 desk: the "Plateau 115" (log a call, the outreach signals, tonight's open requests,
the handler's recent calls) and the call screen, where the handler never leaves: the household
found (tolerant search) or created, tonight's emergency request, the places available tonight
that fit the household, the outcome. And the emergency request's page, shared with the program
the request is oriented to.

Every POST redirects back to the screen it came from (with an anchor); a refused input is
shown in French on the screen (status 400) or as an error message, and changes nothing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.emergency import actions
from siao.emergency.access import get_call_for, get_emergency_request_for, get_signal_for
from siao.emergency.enums import OPEN_EMERGENCY_STATUSES, CallerType, EmergencyStatus, SignalStatus
from siao.emergency.forms.desk import (
    CallForm,
    CallHouseholdForm,
    CallNotesForm,
    EmergencyRequestForm,
    HouseholdSearchForm,
    OrientForm,
    OutcomeCommentForm,
    QuickHouseholdForm,
    UnmetForm,
)
from siao.emergency.models import Call, EmergencyRequest, Night, OutreachSignal, Placement
from siao.emergency.nights import tonight
from siao.emergency.permissions import (
    CALL_TAKERS,
    DESK_ROLES,
    PROGRAM_ROLES,
    can_confirm_arrival,
    can_handle_request,
    can_take_call,
    has_role_for,
)
from siao.emergency.queries import places_for_tonight, places_needed
from siao.geo.models import Department
from siao.households.access import get_household_for
from siao.households.actions import create_household, view_household
from siao.households.models import Household, HouseholdMember
from siao.households.search import Match, find_similar_persons, persons_born_on
from siao.offer.models import PlaceGroup

LIST_LIMIT = 50
RECENT_CALLS = 20
PLACES_ANCHOR = "solution"


def _in(roles):
    def predicate(actor) -> bool:
        return actor.role in roles

    return predicate


def _address(obj) -> str:
    """ "3 rue des Mouettes, 35000 Rennes" from a place group or a program ("" if none)."""
    town = " ".join(part for part in (obj.postal_code, obj.city) if part)
    return ", ".join(part for part in (obj.address, town) if part)


def _call_url(call, anchor: str = "") -> str:
    """The call screen, without an anchor even when a section is meant: the screen puts the
    focus on the next useful field itself, and browsers ignore `autofocus` on a URL with a
    fragment (keyboard and screen-reader users would be left at the top)."""
    return reverse("emergency:call_detail", kwargs={"public_id": call.public_id})


def _request_url(emergency_request, anchor: str = "") -> str:
    url = reverse("emergency:request_detail", kwargs={"public_id": emergency_request.public_id})
    return f"{url}#{anchor}" if anchor else url


def _error(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# -- the desk ------------------------------------------------------------------------------------


def _call_form(actor, data=None) -> CallForm:
    departments = None
    if len(actor.perimeter.department_ids) > 1:
        departments = Department.objects.filter(pk__in=actor.perimeter.department_ids).order_by("code")
    return CallForm(data, departments=departments)


def _desk(request, *, form=None, status=200):
    actor = request.actor
    may_act = has_role_for("log_call")(actor)
    signals = list(
        OutreachSignal.objects.visible_to(actor)
        .filter(status=SignalStatus.NEW)
        .select_related("encounter__program", "encounter__household__head")
        .order_by("-is_urgent", "created_at", "pk")[:LIST_LIMIT]
    )
    open_requests = list(
        EmergencyRequest.objects.visible_to(actor)
        .filter(night_of=tonight(), status__in=OPEN_EMERGENCY_STATUSES)
        .select_related("household__head", "composition", "program", "call")
        .order_by("-created_at", "-pk")[:LIST_LIMIT]
    )
    recent_calls = list(
        Call.objects.visible_to(actor)
        .filter(handler=actor.user)
        .select_related("household__head")
        .order_by("-received_at", "-pk")[:RECENT_CALLS]
    )
    context = {
        "may_act": may_act,
        "form": (form or _call_form(actor)) if may_act else None,
        "signals": signals,
        "open_requests": open_requests,
        "recent_calls": recent_calls,
        "night": tonight(),
        "limit": LIST_LIMIT,
    }
    return render(request, "emergency/desk/desk.html", context, status=status)


@actor_required(has_role_for("view_desk"))
@require_GET
def desk(request):
    return _desk(request)


@actor_required(has_role_for("log_call"))
@require_POST
def call_create(request):
    actor = request.actor
    form = _call_form(actor, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            call = actions.log_call(
                actor=actor,
                caller_type=data["caller_type"],
                caller_detail=data["caller_detail"],
                department=data.get("department"),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Appel enregistré. Recherchez le ménage.")
            return redirect(_call_url(call, "menage"))
    return _desk(request, form=form, status=400)


@actor_required(has_role_for("handle_signal"))
@require_POST
def signal_take(request, public_id):
    actor = request.actor
    signal = get_signal_for(actor, public_id)
    try:
        call = actions.log_call(
            actor=actor,
            caller_type=CallerType.OUTREACH,
            caller_detail=signal.encounter.program.name[:200],
            department=Department.objects.get(pk=signal.department_id),
            signal=signal,
        )
    except ValidationError as exc:
        _error(request, exc)
        return redirect("emergency:desk")
    messages.success(request, "Signalement pris en charge : l'appel est ouvert.")
    return redirect(_call_url(call, "menage"))


@actor_required(has_role_for("handle_signal"))
@require_POST
def signal_close(request, public_id):
    signal = get_signal_for(request.actor, public_id)
    try:
        actions.close_signal(actor=request.actor, signal=signal)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Signalement clos.")
    return redirect("emergency:desk")


# -- the call screen -----------------------------------------------------------------------------


def _search(actor, data) -> list[tuple[Match, Household | None]]:
    """The tolerant search, each person with their current household the actor sees."""
    if data["last_name"].strip():
        matches = find_similar_persons(
            actor, last_name=data["last_name"], first_name=data["first_name"], birth_date=data["birth_date"]
        )
    else:
        matches = [Match(person=p, score=1.0, swapped=False) for p in persons_born_on(actor, data["birth_date"])]
    if not matches:
        return []
    members = HouseholdMember.objects.filter(
        person__in=[match.person.pk for match in matches],
        left_on__isnull=True,
        household__in=Household.objects.visible_to(actor).values("pk"),
    ).select_related("household__head", "household__composition")
    households = {member.person_id: member.household for member in members}
    return [(match, households.get(match.person.pk)) for match in matches]


def _members(household) -> list:
    members = list(HouseholdMember.objects.filter(household=household, left_on__isnull=True).select_related("person"))
    members.sort(key=lambda m: (m.relationship != "head", m.person.birth_date is None, m.person.birth_date or 0))
    return members


def _open_request(actor, household):
    """Tonight's request still open, or the household's shelter that covers tonight (a household
    already sheltered is not given a second place)."""
    night = tonight()
    return (
        EmergencyRequest.objects.visible_to(actor)
        .filter(
            Q(night_of=night, status__in=OPEN_EMERGENCY_STATUSES)
            | Q(status=EmergencyStatus.SHELTERED, last_night__gte=night)
        )
        .filter(household=household)
        .select_related("program", "place_group")
        .order_by("-night_of", "-pk")
        .first()
    )


# The places table shows the best-fitting groups first and this many at most, unless the handler
# asks for all (a big SIAO has a hundred fitting groups: a long table to read on the phone, and
# to render).
PLACES_SHOWN = 25


def _places(household, emergency_request, request) -> dict:
    groups = list(places_for_tonight(household, emergency_request.department_id))
    shown = groups if request.GET.get("toutes") else groups[:PLACES_SHOWN]
    for group in shown:
        group.needed = places_needed(household, group)
        group.full_address = _address(group) or _address(group.program)
    return {"places": shown, "places_total": len(groups), "places_more": len(groups) - len(shown)}


def _solution(emergency_request) -> dict:
    """What to give the person once oriented: where, and whom to call."""
    group, program = emergency_request.place_group, emergency_request.program
    return {
        "program": program,
        "group": group,
        "address": (_address(group) if group else "") or _address(program),
        "phone": program.contact_phone,
    }


def _focus_first_error(form) -> bool:
    """Put the focus on the first field in error (a keyboard user lands on what to correct)."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = True
            return True
    return False


def _call_screen(request, call, *, status=200, **forms):
    actor = request.actor
    may_act = can_take_call(actor, call.department_id)
    household = (
        Household.objects.visible_to(actor).select_related("head", "composition").filter(pk=call.household_id).first()
        if call.household_id
        else None
    )
    context = {
        "call": call,
        "household": household,
        "may_act": may_act,
        "night": tonight(),
        "notes_form": forms.get("notes_form")
        or CallNotesForm(initial={"comment": call.comment, "caller_detail": call.caller_detail}),
        "call_requests": list(call.requests.order_by("-created_at", "-pk")[:10]),
        "focus": "",
    }
    if household is None:
        search_form = HouseholdSearchForm(request.GET if request.method == "GET" and request.GET else None)
        results = None
        initial = {}
        if search_form.has_search():
            results = _search(actor, search_form.cleaned_data)
            initial = {k: v for k, v in search_form.cleaned_data.items() if v}
        quick_form = forms.get("quick_form") or QuickHouseholdForm(initial=initial)
        if forms.get("quick_form"):
            context["focus"] = "quick"
            _focus_first_error(quick_form)
        elif results:
            context["focus"] = "results"
        elif results is not None:
            context["focus"] = "quick"
            quick_form.fields["last_name"].widget.attrs["autofocus"] = True
        else:
            context["focus"] = "search"
            search_form.fields["last_name"].widget.attrs["autofocus"] = True
        context.update(search_form=search_form, results=results, quick_form=quick_form)
        return render(request, "emergency/desk/call_detail.html", context, status=status)

    view_household(actor=actor, household=household, page="emergency_call", obj=call)
    open_request = _open_request(actor, household)
    context.update(members=_members(household), open_request=open_request, show_file_link=True)
    if open_request is None:
        context["request_form"] = forms.get("request_form") or EmergencyRequestForm()
        context["focus"] = "request"
        # The sleeping place (drawn by hand as radios) has the focus, unless another field
        # is the first to correct.
        errors = [name for name in context["request_form"].errors if name in context["request_form"].fields]
        context["sleeping_place_focus"] = not errors or errors[0] == "sleeping_place"
        if not context["sleeping_place_focus"]:
            _focus_first_error(context["request_form"])
    elif open_request.status == EmergencyStatus.PENDING:
        context.update(_places(household, open_request, request))
        context["unmet_form"] = forms.get("unmet_form") or UnmetForm()
        if context["places"] and not forms.get("unmet_form"):
            context["focus"] = "places"  # the first "Orienter ici"
        else:  # no place, or an unmet request to correct: its reason
            context["focus"] = "unmet"
            context["unmet_form"].fields["unmet_reason"].widget.attrs["autofocus"] = True
    else:
        context["solution"] = _solution(open_request)
        context["focus"] = "solution"
    return render(request, "emergency/desk/call_detail.html", context, status=status)


@actor_required(has_role_for("view_desk"))
@require_GET
def call_detail(request, public_id):
    return _call_screen(request, get_call_for(request.actor, public_id))


@actor_required(has_role_for("log_call"))
@require_POST
def call_notes(request, public_id):
    actor = request.actor
    call = get_call_for(actor, public_id)
    form = CallNotesForm(request.POST)
    if form.is_valid():
        try:
            actions.update_call_notes(
                actor=actor,
                call=call,
                comment=form.cleaned_data["comment"],
                caller_detail=form.cleaned_data["caller_detail"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Notes de l'appel enregistrées.")
            return redirect(_call_url(call, "appel"))
    return _call_screen(request, call, status=400, notes_form=form)


@actor_required(has_role_for("log_call"))
@require_POST
def call_household(request, public_id):
    actor = request.actor
    call = get_call_for(actor, public_id)
    form = CallHouseholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["household"]))
        return redirect(_call_url(call, "menage"))
    household = get_household_for(actor, form.cleaned_data["household"])
    try:
        actions.attach_household(actor=actor, call=call, household=household)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"Appel rattaché au {household}.")
    return redirect(_call_url(call, "menage"))


@actor_required(has_role_for("log_call"))
@require_POST
def call_household_create(request, public_id):
    actor = request.actor
    call = get_call_for(actor, public_id)
    form = QuickHouseholdForm(request.POST)
    if form.is_valid():
        head, members = form.household()
        prefixes = [prefix for prefix, _ in members]
        try:
            with transaction.atomic():
                household = create_household(
                    actor=actor,
                    head=head,
                    members=[member for _, member in members],
                    department=Department.objects.get(pk=call.department_id),
                )
                actions.attach_household(actor=actor, call=call, household=household)
        except ValidationError as exc:
            form.add_creation_errors(exc, prefixes)
        else:
            messages.success(request, f"Dossier créé et rattaché à l'appel : {household}.")
            return redirect(_call_url(call, "menage"))
    return _call_screen(request, call, status=400, quick_form=form)


@actor_required(has_role_for("create_emergency_request"))
@require_POST
def request_create(request, public_id):
    actor = request.actor
    call = get_call_for(actor, public_id)
    form = EmergencyRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.create_emergency_request(actor=actor, call=call, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # No household yet, or already a request tonight: the screen shows what to do.
                _error(request, exc)
                return redirect(_call_url(call, PLACES_ANCHOR))
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Demande d'urgence créée pour cette nuit. Choisissez une place ou l'issue.")
            return redirect(_call_url(call, PLACES_ANCHOR))
    return _call_screen(request, call, status=400, request_form=form)


# -- the emergency request -----------------------------------------------------------------------


def _request_screen(request, emergency_request, *, status=200, **forms):
    actor = request.actor
    household = Household.objects.select_related("head", "composition").get(pk=emergency_request.household_id)
    view_household(actor=actor, household=household, page="emergency_request", obj=emergency_request)
    may_handle = can_handle_request(actor, emergency_request)
    is_pending = emergency_request.status == EmergencyStatus.PENDING
    is_oriented = emergency_request.status == EmergencyStatus.ORIENTED
    context = {
        "emergency_request": emergency_request,
        "household": household,
        "persons": sorted(
            emergency_request.persons.all(), key=lambda p: (p.pk != household.head_id, p.birth_date is None)
        ),
        "placements": list(
            Placement.objects.filter(request=emergency_request).select_related("place").order_by("held_at", "pk")
        ),
        "nights": list(Night.objects.filter(stay_id=emergency_request.stay_id)) if emergency_request.stay_id else [],
        "may_handle": may_handle,
        "may_see_call": actor.role in DESK_ROLES and emergency_request.call_id is not None,
        "show_file_link": actor.role in DESK_ROLES,
        "may_confirm": is_oriented and can_confirm_arrival(actor, emergency_request),
        "is_pending": is_pending,
        "is_oriented": is_oriented,
        "is_tonight": emergency_request.night_of == tonight(),
        "solution": _solution(emergency_request) if emergency_request.program_id else None,
    }
    if may_handle and is_pending:
        context.update(_places(household, emergency_request, request) if context["is_tonight"] else {"places": []})
        context["unmet_form"] = forms.get("unmet_form") or UnmetForm()
    return render(request, "emergency/desk/request_detail.html", context, status=status)


@actor_required(_in(DESK_ROLES | PROGRAM_ROLES))
@require_GET
def request_detail(request, public_id):
    return _request_screen(request, get_emergency_request_for(request.actor, public_id))


def _back_to_call(request, emergency_request) -> bool:
    """The desk's forms say where they come from: the call screen (by default) or the page of
    the request."""
    return (
        request.POST.get("retour") != "demande"
        and request.actor.role in DESK_ROLES
        and emergency_request.call_id is not None
    )


def _back(request, emergency_request, anchor: str = PLACES_ANCHOR):
    if _back_to_call(request, emergency_request):
        return redirect(_call_url(emergency_request.call, anchor))
    return redirect(_request_url(emergency_request, anchor))


@actor_required(has_role_for("orient_emergency_request"))
@require_POST
def request_orient(request, public_id):
    actor = request.actor
    emergency_request = get_emergency_request_for(actor, public_id)
    form = OrientForm(request.POST)
    group = None
    if form.is_valid():
        group = PlaceGroup.objects.filter(public_id=form.cleaned_data["place_group"]).first()
    if group is None:
        messages.error(
            request, "Ce groupe de places ne convient pas à ce ménage cette nuit : choisissez-en un de la liste."
        )
        return _back(request, emergency_request)
    try:
        emergency_request = actions.orient_emergency_request(
            actor=actor, emergency_request=emergency_request, place_group=group
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            f"Place réservée dans « {group.program.name} » ({group.name}) : donnez l'adresse à la personne.",
        )
    return _back(request, emergency_request)


def _outcome(request, public_id, action, success: str):
    """Release, no callback, no show: a button with an optional comment."""
    actor = request.actor
    emergency_request = get_emergency_request_for(actor, public_id)
    form = OutcomeCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["comment"]))
        return _back(request, emergency_request)
    try:
        action(actor=actor, emergency_request=emergency_request, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, success)
    return _back(request, emergency_request)


@actor_required(has_role_for("orient_emergency_request"))
@require_POST
def request_release(request, public_id):
    return _outcome(
        request,
        public_id,
        actions.release_orientation,
        "Place libérée : la demande est de nouveau en attente de solution.",
    )


@actor_required(has_role_for("record_outcome"))
@require_POST
def request_no_callback(request, public_id):
    return _outcome(request, public_id, actions.record_no_callback, "Issue enregistrée : la personne n'a pas rappelé.")


@actor_required(_in(CALL_TAKERS | PROGRAM_ROLES))
@require_POST
def request_no_show(request, public_id):
    return _outcome(
        request,
        public_id,
        actions.record_no_show,
        "Issue enregistrée : la personne ne s'est pas présentée. La place est de nouveau disponible.",
    )


@actor_required(has_role_for("record_outcome"))
@require_POST
def request_unmet(request, public_id):
    actor = request.actor
    emergency_request = get_emergency_request_for(actor, public_id)
    form = UnmetForm(request.POST)
    if form.is_valid():
        try:
            actions.record_unmet(
                actor=actor,
                emergency_request=emergency_request,
                reason=form.cleaned_data["unmet_reason"],
                comment=form.cleaned_data["outcome_comment"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # The request changed meanwhile (another handler, another tab): the screen as
                # it is now, with why.
                _error(request, exc)
                return _back(request, emergency_request, "issue")
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Demande non pourvue : l'issue est enregistrée.")
            return _back(request, emergency_request, "issue")
    if _back_to_call(request, emergency_request):
        call = get_call_for(actor, emergency_request.call.public_id)
        return _call_screen(request, call, status=400, unmet_form=form)
    return _request_screen(request, emergency_request, status=400, unmet_form=form)


__all__ = [
    "call_create",
    "call_detail",
    "call_household",
    "call_household_create",
    "call_notes",
    "desk",
    "request_create",
    "request_detail",
    "request_no_callback",
    "request_no_show",
    "request_orient",
    "request_release",
    "request_unmet",
    "signal_close",
    "signal_take",
]
