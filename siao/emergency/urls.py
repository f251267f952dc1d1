"""The 115's URLs (mounted at /115/)."""

from django.urls import path

from siao.emergency.views import desk, figures, outreach, program, renewals

app_name = "emergency"

urlpatterns = [
    # The 115 desk (écoutant 115, opérateur SIAO; administrateur SIAO reads)
    path("", desk.desk, name="desk"),
    path("appels/nouveau/", desk.call_create, name="call_create"),
    path("appels/<uuid:public_id>/", desk.call_detail, name="call_detail"),
    path("appels/<uuid:public_id>/menage/", desk.call_household, name="call_household"),
    path("appels/<uuid:public_id>/nouveau-menage/", desk.call_household_create, name="call_household_create"),
    path("appels/<uuid:public_id>/notes/", desk.call_notes, name="call_notes"),
    path("appels/<uuid:public_id>/demande/", desk.request_create, name="request_create"),
    path("demandes/<uuid:public_id>/", desk.request_detail, name="request_detail"),
    path("demandes/<uuid:public_id>/orienter/", desk.request_orient, name="request_orient"),
    path("demandes/<uuid:public_id>/liberer/", desk.request_release, name="request_release"),
    path("demandes/<uuid:public_id>/non-pourvue/", desk.request_unmet, name="request_unmet"),
    path("demandes/<uuid:public_id>/sans-rappel/", desk.request_no_callback, name="request_no_callback"),
    path("demandes/<uuid:public_id>/absent/", desk.request_no_show, name="request_no_show"),
    path("signalements/<uuid:public_id>/prendre/", desk.signal_take, name="signal_take"),
    path("signalements/<uuid:public_id>/clore/", desk.signal_close, name="signal_close"),
    # Nights and renewals (reconduction)
    path("reconductions/", renewals.renewal_list, name="renewal_list"),
    # The programs the 115 orients to
    path("arrivees/", program.arrival_list, name="arrival_list"),
    path("demandes/<uuid:public_id>/arrivee/", program.request_arrival, name="request_arrival"),
    # Daily figures (aggregates)
    path("chiffres/", figures.daily_figures, name="daily_figures"),
    path("chiffres/export.csv", figures.daily_figures_csv, name="daily_figures_csv"),
    # Street outreach (maraude)
    path("maraude/", outreach.encounter_list, name="encounter_list"),
    path("maraude/nouvelle/", outreach.encounter_create, name="encounter_create"),
    path("maraude/<uuid:public_id>/", outreach.encounter_detail, name="encounter_detail"),
    path("maraude/<uuid:public_id>/signaler/", outreach.signal_create, name="signal_create"),
]
