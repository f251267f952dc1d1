"""One section of an assessment: what it holds, its versions, and its form for the roles that
write it (optimistic locking: the version the page was opened with travels with the form)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from siao.accounts.decorators import actor_required
from siao.core.forms import add_validation_errors
from siao.households import actions
from siao.households.access import get_assessment_for, get_household_for
from siao.households.enums import SENSITIVE_SECTIONS, Section
from siao.households.forms.assessment import SECTION_FORMS, SectionTextForm, describe
from siao.households.models import AssessmentSection
from siao.households.permissions import can_read_section, can_write_section, has_role_for

VERSIONS_SHOWN = 10


@actor_required(has_role_for("view_households"))
def assessment_section(request, public_id, assessment_id, section):
    if section not in Section.values:
        raise Http404("Rubrique introuvable.")
    actor = request.actor
    household = get_household_for(actor, public_id)
    assessment = get_assessment_for(household, assessment_id)
    if not can_read_section(actor, section):
        raise PermissionDenied("Votre profil ne permet pas de lire cette rubrique.")
    current = AssessmentSection.objects.filter(assessment=assessment, section=section).select_related("updated_by")
    current = current.first() or AssessmentSection(assessment=assessment, section=section)
    writable = can_write_section(actor, section) and actor.role in actions.ROLES_ALLOWED["write_assessment"]
    section_form = text_form = None
    status = 200
    if request.method == "POST":
        if not writable:
            raise PermissionDenied("Votre profil ne permet pas de modifier cette rubrique.")
        section_form = SECTION_FORMS[section](request.POST)
        text_form = SectionTextForm(request.POST)
        if section_form.is_valid() and text_form.is_valid():
            try:
                _, changed = actions.save_assessment_section(
                    actor=actor,
                    assessment=assessment,
                    section=section,
                    data=section_form.cleaned_data,
                    text=text_form.cleaned_data["text"],
                    expected_version=text_form.cleaned_data["expected_version"],
                )
            except ValidationError as exc:
                add_validation_errors(section_form, exc)
            else:
                messages.success(request, "Rubrique enregistrée." if changed else "Aucune information n'a changé.")
                return redirect("households:assessment_section", household.public_id, assessment.public_id, section)
        status = 400
    elif writable:
        section_form = SECTION_FORMS[section](initial=current.data)
        text_form = SectionTextForm(initial={"text": current.text, "expected_version": current.version})
    actions.view_section(actor=actor, assessment=assessment, section=section)
    versions = []
    if current.pk:
        versions = list(current.versions.select_related("changed_by")[:VERSIONS_SHOWN])
    return render(
        request,
        "households/assessment_section.html",
        {
            "household": household,
            "assessment": assessment,
            "section": current,
            "section_label": Section(section).label,
            "sensitive": section in SENSITIVE_SECTIONS,
            "rows": describe(section, current.data),
            "versions": versions,
            "form": section_form,
            "text_form": text_form,
        },
        status=status,
    )
