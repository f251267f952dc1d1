"""Program pages: the list and the detail, the validation queue and decisions, and what
operators add to their programs (place groups, place states, measures, provisions)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from siao.accounts.decorators import actor_required
from siao.accounts.enums import Role
from siao.accounts.models import Membership, User
from siao.core.forms import add_validation_errors
from siao.geo.models import Department
from siao.offer.access import get_place_for, get_program_for
from siao.offer.actions import places as place_actions
from siao.offer.actions import validation as validation_actions
from siao.offer.enums import (
    PLACE_TRANSITIONS,
    FundingLine,
    PlaceState,
    ProgramCategory,
    PublicKind,
    UnavailabilityReason,
    ValidationStatus,
)
from siao.offer.forms.programs import PlaceGroupForm, PlaceStateForm, ProvisionForm, RefusalForm, SupportMeasureForm
from siao.offer.models import FUNDING_FIELDS, Place, PlaceGroup, Program
from siao.offer.permissions import (
    ROLES_ALLOWED,
    can_change_place_state,
    can_edit_program_complements,
    can_manage_place_groups,
    can_prevalidate_program,
    can_refuse_program,
    can_validate_program,
    has_role_for,
    programs_awaiting_q,
)

PAGE_SIZE = 50


def _places_count(**filters):
    places = (
        Place.objects.filter(place_group__program=OuterRef("pk"), **filters)
        .order_by()
        .values("place_group__program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(places, output_field=IntegerField()), Value(0))


def _departments_for(actor):
    departments = Department.objects.only("pk", "code", "name")
    if actor.perimeter.is_national:
        return list(departments)
    return list(departments.filter(pk__in=actor.perimeter.department_ids))


@actor_required(has_role_for("view_programs"))
def program_list(request):
    actor = request.actor
    programs = Program.objects.visible_to(actor).select_related("operator", "department")
    departments = _departments_for(actor)
    filters = {
        "departement": request.GET.get("departement", ""),
        "categorie": request.GET.get("categorie", ""),
        "statut": request.GET.get("statut", ""),
        "q": request.GET.get("q", "").strip()[:100],
    }
    department = next((d for d in departments if d.code == filters["departement"]), None)
    if department:
        programs = programs.filter(department=department)
    else:
        filters["departement"] = ""
    if filters["categorie"] in ProgramCategory.values:
        programs = programs.filter(category=filters["categorie"])
    else:
        filters["categorie"] = ""
    if filters["statut"] in ValidationStatus.values:
        programs = programs.filter(validation_status=filters["statut"])
    else:
        filters["statut"] = ""
    if filters["q"]:
        condition = Q(name__icontains=filters["q"])
        digits = filters["q"].replace(" ", "")
        if digits.isdigit():
            condition |= Q(siret__startswith=digits)
        programs = programs.filter(condition)
    programs = programs.annotate(
        created_places=_places_count(), available_places=_places_count(state=PlaceState.AVAILABLE)
    ).order_by("name", "pk")
    page = Paginator(programs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "offer/programs/list.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "departments": departments,
            "categories": ProgramCategory.choices,
            "statuses": ValidationStatus.choices,
            "may_review": actor.role in ROLES_ALLOWED["review_programs"],
        },
    )


def _sorted_places(places):
    return sorted(places, key=lambda place: (len(place.label), place.label, place.pk))


def _history(program: Program) -> list[dict]:
    ids = {program.prevalidated_by_id, program.validated_by_id, program.refused_by_id} - {None}
    users = User.objects.in_bulk(ids) if ids else {}
    steps = [
        ("Demandé", program.submitted_by, program.submitted_at),
        ("Pré-validé", users.get(program.prevalidated_by_id), program.prevalidated_at),
        ("Validé", users.get(program.validated_by_id), program.validated_at),
        ("Refusé", users.get(program.refused_by_id), program.refused_at),
    ]
    return [{"label": label, "user": user, "at": at} for label, user, at in steps if at or user]


@actor_required(has_role_for("view_programs"))
def program_detail(request, public_id):
    actor = request.actor
    program = get_program_for(actor, public_id)
    prefetch_related_objects(
        [program],
        "publics",
        "orienting_siaos",
        Prefetch(
            "place_groups",
            queryset=PlaceGroup.objects.order_by("name", "pk").prefetch_related("publics", "places"),
        ),
        "support_measures",
        "provisions",
    )
    may_change_states = program.holds_offer and can_change_place_state(actor, program)
    groups = []
    for group in program.place_groups.all():
        places = _sorted_places(group.places.all())
        counts = dict.fromkeys(PlaceState.values, 0)
        for place in places:
            counts[place.state] += 1
            place.next_states = [
                (state, PlaceState(state).label)
                for state in PlaceState.values
                if state in PLACE_TRANSITIONS[place.state]
            ]
            place.may_become_unavailable = PlaceState.UNAVAILABLE in PLACE_TRANSITIONS[place.state]
        groups.append(
            {
                "group": group,
                "places": places,
                "counts": [(PlaceState(state).label, counts[state]) for state in PlaceState.values],
            }
        )
    publics = list(program.publics.all())
    context = {
        "program": program,
        "funding": [
            (FundingLine(line).label, getattr(program, FUNDING_FIELDS[line])) for line in program.funding_lines
        ],
        "compositions": [p for p in publics if p.kind == PublicKind.COMPOSITION],
        "specific_publics": [p for p in publics if p.kind == PublicKind.SPECIFIC],
        "history": _history(program),
        "groups": groups,
        "may_prevalidate": can_prevalidate_program(actor, program),
        "may_validate": can_validate_program(actor, program),
        "may_refuse": can_refuse_program(actor, program),
        "may_manage_offer": can_manage_place_groups(actor, program),
        "may_change_states": may_change_states,
        "may_edit_complements": can_edit_program_complements(actor, program),
        # The seed's "gestionnaires et responsables": the operator's gestionnaires d'entité and
        # the program's responsables, from their active memberships (one query).
        "staff": list(
            Membership.objects.active()
            .filter(
                Q(organization_id=program.operator_id, role=Role.OPERATOR_MANAGER)
                | Q(program=program, role=Role.PROGRAM_MANAGER)
            )
            .select_related("user")
            .order_by("role", "user__last_name", "user__first_name")
        ),
        "reasons": UnavailabilityReason.choices,
    }
    return render(request, "offer/programs/detail.html", context)


@actor_required(has_role_for("review_programs"))
def validation_queue(request):
    actor = request.actor
    condition = programs_awaiting_q(actor)
    programs = Program.objects.none() if condition is None else Program.objects.filter(condition)
    programs = programs.select_related("operator", "department", "submitted_by").order_by(
        "submitted_at", "created_at", "pk"
    )
    page = Paginator(programs, PAGE_SIZE).get_page(request.GET.get("page"))
    for program in page:
        program.may_prevalidate = can_prevalidate_program(actor, program)
        program.may_validate = can_validate_program(actor, program)
    return render(request, "offer/programs/validation_queue.html", {"page": page, "query": ""})


def _expected_status(request) -> str | None:
    status = request.POST.get("status", "")
    return status if status in ValidationStatus.values else None


def _after_decision(request, program):
    if request.POST.get("next") == "queue":
        return redirect("offer:validation_queue")
    return redirect("offer:program_detail", public_id=program.public_id)


def _site_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _decide(request, public_id, action, success: str):
    program = get_program_for(request.actor, public_id)
    try:
        action(
            actor=request.actor,
            program=program,
            expected_status=_expected_status(request),
            site_url=_site_url(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success.format(name=program.name))
    return _after_decision(request, program)


@actor_required(has_role_for("review_programs"))
@require_POST
def program_prevalidate(request, public_id):
    return _decide(
        request,
        public_id,
        validation_actions.prevalidate_program,
        "Dispositif « {name} » pré-validé : il est transmis à l'administrateur départemental pour validation.",
    )


@actor_required(has_role_for("review_programs"))
@require_POST
def program_validate(request, public_id):
    return _decide(
        request,
        public_id,
        validation_actions.validate_program,
        "Dispositif « {name} » validé : il peut recevoir des orientations à partir de sa date de début.",
    )


@actor_required(has_role_for("review_programs"))
def program_refuse(request, public_id):
    actor = request.actor
    program = get_program_for(actor, public_id)
    seen = _expected_status(request) if request.method == "POST" else None
    # Decided meanwhile, or moved on to another step since the refusal page was opened: say so
    # (rather than a 403 because this actor no longer has the step).
    if program.validation_status in validation_actions.DECIDED or (seen and seen != program.validation_status):
        messages.info(
            request, f"Ce dispositif a déjà été traité : il est « {program.get_validation_status_display()} »."
        )
        return redirect("offer:program_detail", public_id=program.public_id)
    if not can_refuse_program(actor, program):
        raise PermissionDenied("Votre profil actif ne peut pas refuser ce dispositif.")
    form = RefusalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                validation_actions.refuse_program(
                    actor=actor,
                    program=program,
                    reason=form.cleaned_data["reason"],
                    expected_status=_expected_status(request),
                    site_url=_site_url(request),
                )
            except ValidationError as exc:
                if exc.code == "already_decided":
                    messages.error(request, " ".join(exc.messages))
                    return redirect("offer:program_detail", public_id=program.public_id)
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"Dispositif « {program.name} » refusé. Le demandeur en est informé.")
                return redirect("offer:program_detail", public_id=program.public_id)
        status = 400
    return render(request, "offer/programs/refuse.html", {"program": program, "form": form}, status=status)


def _offer_program(request, public_id) -> Program:
    """A program the actor owns (403 otherwise), for the offer forms."""
    program = get_program_for(request.actor, public_id)
    if not can_change_place_state(request.actor, program):
        raise PermissionDenied("Vous ne pouvez pas gérer l'offre de ce dispositif.")
    return program


def _blocked_reason(program: Program) -> str:
    if not program.holds_offer:
        return "Un dispositif de Premier accueil n'a ni places, ni mesures, ni prestations."
    if program.validation_status != ValidationStatus.VALIDATED:
        return "Ce dispositif n'est pas encore validé : son offre pourra être décrite après sa validation."
    return ""


def _offer_form_view(request, public_id, *, form_class, create, template: str, success: str, pass_program=False):
    program = _offer_program(request, public_id)
    form = form_class(request.POST or None, **({"program": program} if pass_program else {}))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                create(request.actor, program, form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, success)
                return redirect("offer:program_detail", public_id=program.public_id)
        status = 400
    return render(
        request,
        template,
        {"program": program, "form": form, "blocked": _blocked_reason(program)},
        status=status,
    )


@actor_required(has_role_for("manage_place_groups"))
def place_group_create(request, public_id):
    def create(actor, program, data):
        return place_actions.create_place_group(
            actor=actor,
            program=program,
            name=data["name"],
            unit_kind=data["unit_kind"],
            place_type=data["place_type"],
            place_category=data["place_category"],
            capacity=data["capacity"],
            publics=list(data["publics"]),
            address=data["address"],
            postal_code=data["postal_code"],
            city=data["city"],
        )

    return _offer_form_view(
        request,
        public_id,
        form_class=PlaceGroupForm,
        create=create,
        template="offer/programs/place_group_create.html",
        success="Groupe de places créé : ses places sont disponibles.",
        pass_program=True,
    )


@actor_required(has_role_for("manage_place_groups"))
def support_measure_create(request, public_id):
    def create(actor, program, data):
        return place_actions.create_support_measure(
            actor=actor,
            program=program,
            kind=data["kind"],
            capacity=data["capacity"],
            description=data["description"],
        )

    return _offer_form_view(
        request,
        public_id,
        form_class=SupportMeasureForm,
        create=create,
        template="offer/programs/support_measure_create.html",
        success="Mesure d'accompagnement ajoutée.",
    )


@actor_required(has_role_for("manage_place_groups"))
def provision_create(request, public_id):
    def create(actor, program, data):
        return place_actions.create_provision(
            actor=actor, program=program, kind=data["kind"], description=data["description"]
        )

    return _offer_form_view(
        request,
        public_id,
        form_class=ProvisionForm,
        create=create,
        template="offer/programs/provision_create.html",
        success="Prestation ajoutée.",
    )


@actor_required(has_role_for("change_place_state"))
@require_POST
def place_state_change(request, public_id):
    place = get_place_for(request.actor, public_id)
    program = place.place_group.program
    form = PlaceStateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            place = place_actions.change_place_state(
                actor=request.actor,
                place=place,
                to_state=data["to_state"],
                expected_version=data["version"],
                reason=data["reason"],
                until=data["until"],
            )
        except ValidationError as exc:
            messages.error(request, f"{place.label} ({place.place_group.name}) : {' '.join(exc.messages)}")
        else:
            messages.success(
                request, f"{place.label} ({place.place_group.name}) : {place.get_state_display().lower()}."
            )
    else:
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, f"{place.label} ({place.place_group.name}) : {' '.join(errors)}")
    url = reverse("offer:program_detail", args=[program.public_id])
    return redirect(f"{url}#place-{place.public_id}")
