from django.urls import path

from siao.households.views import assessments, files, members, rights

app_name = "households"

urlpatterns = [
    path("", files.household_list, name="household_list"),
    path("nouveau/", files.household_create, name="household_create"),
    path("droits/", rights.rights_register, name="rights_register"),
    path("<uuid:public_id>/", files.household_detail, name="household_detail"),
    path("<uuid:public_id>/transmissions/", files.note_create, name="note_create"),
    path("<uuid:public_id>/contacts/", files.contact_create, name="contact_create"),
    path("<uuid:public_id>/composition/", files.composition_change, name="composition_change"),
    path("<uuid:public_id>/evaluations/nouvelle/", files.assessment_start, name="assessment_start"),
    path(
        "<uuid:public_id>/evaluations/<uuid:assessment_id>/<slug:section>/",
        assessments.assessment_section,
        name="assessment_section",
    ),
    path("<uuid:public_id>/membres/ajouter/", members.member_add, name="member_add"),
    path("<uuid:public_id>/personnes/<uuid:person_id>/modifier/", members.person_edit, name="person_edit"),
    path(
        "<uuid:public_id>/personnes/<uuid:person_id>/situation/",
        members.residential_situation_create,
        name="residential_situation_create",
    ),
    path("<uuid:public_id>/personnes/<uuid:person_id>/depart/", members.member_remove, name="member_remove"),
    path("<uuid:public_id>/personnes/<uuid:person_id>/changer-de-menage/", members.member_move, name="member_move"),
    path(
        "<uuid:public_id>/personnes/<uuid:person_id>/personne-de-reference/",
        members.member_set_head,
        name="member_set_head",
    ),
    # The rights of households (RGPD): requests, answers, the export of a person's data.
    path("<uuid:public_id>/droits/nouvelle/", rights.rights_request_create, name="rights_request_create"),
    path("<uuid:public_id>/droits/<uuid:request_id>/", rights.rights_request_detail, name="rights_request_detail"),
    path(
        "<uuid:public_id>/droits/<uuid:request_id>/reponse/",
        rights.rights_request_answer,
        name="rights_request_answer",
    ),
    path("<uuid:public_id>/personnes/<uuid:person_id>/export/", rights.person_export, name="person_export"),
]
