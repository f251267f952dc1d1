"""The households' list and search, the creation (search before create) and the file page."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.households import actions
from siao.households.access import get_household_for
from siao.households.enums import PERSON_SENSITIVE_FIELDS, SENSITIVE_SECTIONS, ResourceType, Section
from siao.households.forms.household import (
    AssessmentStartForm,
    CompositionForm,
    ContactForm,
    CreateConfirmForm,
    HouseholdSearchForm,
    IdentityForm,
    MemberForm,
    NoteForm,
)
from siao.households.journey import journey_entries
from siao.households.models import AssessmentSection, Household, HouseholdMember, Person, ResidentialSituation
from siao.households.permissions import ROLES_ALLOWED, has_role_for, readable_sections
from siao.households.search import Match, find_similar_persons, persons_born_on
from siao.offer.models import Public

PAGE_SIZE = 25
NOTES_SHOWN = 20
ASSESSMENTS_SHOWN = 10
SITUATIONS_SHOWN = 5
EXTRA_MEMBER_ROWS = 3

can_view_households = has_role_for("view_households")
can_create_household = has_role_for("create_household")


def _search(actor, *, last_name: str, first_name: str, birth_date) -> list[Match]:
    if last_name.strip():
        return find_similar_persons(actor, last_name=last_name, first_name=first_name, birth_date=birth_date)
    return [Match(person=person, score=1.0, swapped=False) for person in persons_born_on(actor, birth_date)]


def _current_households(actor, persons) -> dict[int, Household]:
    """Each person's current household, when the actor may see it (one query)."""
    members = (
        HouseholdMember.objects.filter(
            person__in=[person.pk for person in persons],
            left_on__isnull=True,
            household__in=Household.objects.visible_to(actor).values("pk"),
        )
        .select_related("household__head", "household__composition")
        .only(
            "person_id",
            "household__public_id",
            "household__member_count",
            "household__last_action_at",
            "household__head__first_name",
            "household__head__last_name",
            "household__composition__label",
        )
    )
    return {member.person_id: member.household for member in members}


@actor_required(can_view_households)
def household_list(request):
    actor = request.actor
    form = HouseholdSearchForm(request.GET or None)
    results = page = older = before = None
    if form.has_search():
        data = form.cleaned_data
        matches = _search(actor, last_name=data["nom"], first_name=data["prenom"], birth_date=data["naissance"])
        households = _current_households(actor, [match.person for match in matches])
        results = [(match, households.get(match.person.pk)) for match in matches]
    else:
        page, older, before = _recent_households(actor, request.GET.get("avant", ""))
    query = request.GET.copy()
    query.pop("avant", None)
    return render(
        request,
        "households/list.html",
        {
            "form": form,
            "results": results,
            "page": page,
            "older": older if not results else None,
            "before": before if not results else None,
            "query": query.urlencode(),
            "may_create": can_create_household(actor),
        },
    )


def _recent_households(actor, cursor: str):
    """The actor's files, most recently active first, by keyset pagination on
    (last_action_at, pk): no COUNT over the perimeter, pages that don't shift while files
    move. The cursor is "<timestamp>.<pk>" of the last row shown."""
    households = Household.objects.visible_to(actor).select_related("head", "composition", "department")
    before = None
    timestamp, _, pk = cursor.partition(".")
    if timestamp.isdigit() and pk.isdigit():
        moment = datetime.datetime.fromtimestamp(int(timestamp) / 1_000_000, tz=datetime.UTC)
        households = households.filter(Q(last_action_at__lt=moment) | Q(last_action_at=moment, pk__lt=int(pk)))
        before = cursor
    rows = list(households.order_by("-last_action_at", "-pk")[: PAGE_SIZE + 1])
    older = None
    if len(rows) > PAGE_SIZE:
        last = rows[PAGE_SIZE - 1]
        micros = int(last.last_action_at.timestamp()) * 1_000_000 + last.last_action_at.microsecond
        older = f"{micros}.{last.pk}"
    return rows[:PAGE_SIZE], older, before


def _compositions():
    return list(Public.objects.filter(kind="composition").order_by("position").values_list("code", "label"))


def _specific_publics():
    return list(Public.objects.filter(kind="specific").order_by("position").values_list("code", "label"))


@actor_required(can_create_household)
def household_create(request):
    """Search before create: step 1, the identity typed; step 2, the likely duplicates and the
    explicit choice ("Aucune de ces personnes : créer un nouveau dossier"), with the other
    members and the composition."""
    actor = request.actor
    if request.method != "POST":
        return render(request, "households/create_search.html", {"form": IdentityForm()})
    identity_form = IdentityForm(request.POST)
    if not identity_form.is_valid():
        return render(request, "households/create_search.html", {"form": identity_form}, status=400)
    identity = identity_form.identity()
    matches = _search(
        actor, last_name=identity["last_name"], first_name=identity["first_name"], birth_date=identity["birth_date"]
    )
    creating = request.POST.get("step") == "create"
    bound = request.POST if creating else None
    confirm_form = CreateConfirmForm(bound, matches=matches, compositions=_compositions())
    member_forms = [MemberForm(bound, prefix=f"member-{n}", optional=True) for n in range(1, EXTRA_MEMBER_ROWS + 1)]
    status = 200
    if creating:
        members_valid = all([member_form.is_valid() for member_form in member_forms])  # noqa: C419 (validate all)
        if confirm_form.is_valid() and members_valid:
            choice = confirm_form.cleaned_data["choice"]
            chosen = next((m.person for m in matches if str(m.person.public_id) == choice), None)
            head = {"person": chosen} if chosen else identity
            members = [
                {**member_form.identity(), "relationship": member_form.cleaned_data["relationship"]}
                for member_form in member_forms
                if not member_form.is_empty()
            ]
            try:
                household = actions.create_household(
                    actor=actor,
                    head=head,
                    members=members,
                    composition=confirm_form.cleaned_data["composition"] or None,
                )
            except ValidationError as exc:
                add_validation_errors(confirm_form, exc)
            else:
                messages.success(request, "Dossier du ménage créé.")
                return redirect("households:household_detail", public_id=household.public_id)
        status = 400
    households = _current_households(actor, [match.person for match in matches])
    return render(
        request,
        "households/create_confirm.html",
        {
            "identity_form": identity_form,
            "identity": identity,
            "matches": [(match, households.get(match.person.pk)) for match in matches],
            "form": confirm_form,
            "member_forms": member_forms,
        },
        status=status,
    )


# --- the file page ---------------------------------------------------------------------------


def _display(person, name: str) -> str:
    value = getattr(person, name)
    field = Person._meta.get_field(name)
    if name == "resources":
        labels = dict(ResourceType.choices)
        return ", ".join(str(labels.get(code, code)) for code in value) or "Non renseignées"
    if field.choices:
        return getattr(person, f"get_{name}_display")() if value not in (None, "") else "Non renseigné"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if value in (None, ""):  # a yes/no question not asked reads "Non renseigné", not "Non"
        return "Non renseigné"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


PERSON_SUMMARY_FIELDS = (
    "birth_name",
    "phone",
    "email",
    "family_situation",
    "contract_type",
    "monthly_income",
    "resources",
    "social_security",
    *PERSON_SENSITIVE_FIELDS,
)


def file_context(request, household, *, note_form=None, contact_form=None) -> dict:
    actor = request.actor
    readable_fields = set(actions.readable_person_fields(actor))
    specific_publics = list(household.specific_publics.order_by("position"))
    members = list(household.members.select_related("person").order_by("left_on", "joined_on", "pk"))
    current_persons = [member.person for member in members if member.left_on is None]
    situations: dict[int, list] = {}
    for situation in ResidentialSituation.objects.filter(person__in=[p.pk for p in current_persons]).order_by(
        "-recorded_at", "-pk"
    ):
        situations.setdefault(situation.person_id, []).append(situation)
    labels = {name: Person._meta.get_field(name).verbose_name for name in PERSON_SUMMARY_FIELDS}
    for member in members:
        person = member.person
        person.rows = [
            (labels[name], _display(person, name)) for name in PERSON_SUMMARY_FIELDS if name in readable_fields
        ]
        person.situations = situations.get(person.pk, [])[:SITUATIONS_SHOWN]
    readable = readable_sections(actor)
    assessments = list(
        household.assessments.select_related("author_organization").prefetch_related(
            Prefetch("sections", queryset=AssessmentSection.objects.order_by("pk"))
        )[:ASSESSMENTS_SHOWN]
    )
    order = {code: n for n, code in enumerate(Section.values)}
    for assessment in assessments:
        assessment.section_rows = sorted(
            (
                {
                    "code": section.section,
                    "label": section.get_section_display(),
                    "version": section.version,
                    "updated_at": section.updated_at if section.version else None,
                    "readable": section.section in readable,
                    "sensitive": section.section in SENSITIVE_SECTIONS,
                }
                for section in assessment.sections.all()
            ),
            key=lambda row: order[row["code"]],
        )
    notes = household.notes.select_related("author", "author_organization")[:NOTES_SHOWN]
    may_edit = actor.role in ROLES_ALLOWED["edit_household"]
    return {
        "household": household,
        "actor": actor,
        "current_members": [m for m in members if m.left_on is None],
        "past_members": [m for m in members if m.left_on is not None],
        "accompaniments": list(household.accompaniments.filter(ended_on__isnull=True).select_related("program")),
        "assessments": assessments,
        "notes": notes,
        "note_form": note_form or (NoteForm() if actor.role in ROLES_ALLOWED["write_note"] else None),
        "contact_form": contact_form
        or (
            ContactForm(initial={"occurred_on": timezone.localdate()})
            if actor.role in ROLES_ALLOWED["record_contact"]
            else None
        ),
        "assessment_form": AssessmentStartForm() if actor.role in ROLES_ALLOWED["write_assessment"] else None,
        "consultations": actions.consultations(household)
        if actor.role in ROLES_ALLOWED["view_consultations"]
        else None,
        "journey": journey_entries(household, actor),
        "may_edit": may_edit,
        "may_edit_persons": bool(actions.editable_person_fields(actor)),
        "specific_publics": specific_publics,
    }


@actor_required(can_view_households)
def household_detail(request, public_id):
    household = get_household_for(request.actor, public_id)
    actions.view_household(actor=request.actor, household=household)
    return render(request, "households/detail.html", file_context(request, household))


@actor_required(has_role_for("write_note"))
def note_create(request, public_id):
    household = get_household_for(request.actor, public_id)
    if request.method != "POST":
        return redirect("households:household_detail", public_id=household.public_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = actions.write_note(actor=request.actor, household=household, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Transmission enregistrée.")
            return redirect(f"{household_url(household)}#note-{note.public_id}")
    actions.view_household(actor=request.actor, household=household)
    return render(request, "households/detail.html", file_context(request, household, note_form=form), status=400)


@actor_required(has_role_for("record_contact"))
def contact_create(request, public_id):
    household = get_household_for(request.actor, public_id)
    if request.method != "POST":
        return redirect("households:household_detail", public_id=household.public_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            actions.record_contact(
                actor=request.actor,
                household=household,
                occurred_on=form.cleaned_data["occurred_on"],
                channel=form.cleaned_data["channel"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Contact avec le ménage enregistré.")
            return redirect(f"{household_url(household)}#contacts")
    actions.view_household(actor=request.actor, household=household)
    return render(request, "households/detail.html", file_context(request, household, contact_form=form), status=400)


def household_url(household) -> str:
    return reverse("households:household_detail", args=[household.public_id])


@actor_required(has_role_for("write_assessment"))
def assessment_start(request, public_id):
    household = get_household_for(request.actor, public_id)
    form = AssessmentStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = actions.start_assessment(
                actor=request.actor, household=household, kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Évaluation commencée : complétez ses rubriques.")
            return redirect(f"{household_url(household)}#assessment-{assessment.public_id}")
    return redirect(f"{household_url(household)}#evaluations")


@actor_required(has_role_for("edit_household"))
def composition_change(request, public_id):
    """Its own page (not a form on the file): the file page stays light."""
    household = get_household_for(request.actor, public_id)
    initial = {
        "composition": household.composition.code if household.composition else "",
        "specific_publics": list(household.specific_publics.values_list("code", flat=True)),
    }
    form = CompositionForm(
        request.POST or None, initial=initial, compositions=_compositions(), specific_publics=_specific_publics()
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_composition(
                actor=request.actor,
                household=household,
                composition=form.cleaned_data["composition"],
                specific_publics=form.cleaned_data["specific_publics"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Composition familiale enregistrée.")
            return redirect(f"{household_url(household)}#composition")
    return render(
        request,
        "households/composition.html",
        {"household": household, "form": form, "title": "Composition familiale et publics spécifiques"},
        status=400 if form.errors else 200,
    )
