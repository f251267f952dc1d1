"""The orientation's URLs (mounted at /demandes/)."""

from django.urls import path

from siao.orientation.views import program, requests

app_name = "orientation"

urlpatterns = [
    # The SIAO
    path("file-siao/", requests.queue, name="queue"),
    # Requests
    path("nouvelle/<uuid:household_public_id>/", requests.request_create, name="request_create"),
    path("<uuid:public_id>/", requests.request_detail, name="request_detail"),
    path("<uuid:public_id>/modifier/", requests.request_edit, name="request_edit"),
    path("<uuid:public_id>/transmettre/", requests.request_transmit, name="request_transmit"),
    path("<uuid:public_id>/annuler/", requests.request_cancel, name="request_cancel"),
    path("<uuid:public_id>/reactiver/", requests.request_reactivate, name="request_reactivate"),
    path("<uuid:public_id>/transferer/", requests.request_transfer, name="request_transfer"),
    path("<uuid:public_id>/complete/", requests.request_mark_complete, name="request_mark_complete"),
    path("<uuid:public_id>/renvoyer/", requests.request_send_back, name="request_send_back"),
    path("<uuid:public_id>/priorite/", requests.request_priority, name="request_priority"),
    path("<uuid:public_id>/orienter/", requests.request_orient, name="request_orient"),
    # Referrals (orientations)
    path("orientations/", program.referral_list, name="referral_list"),
    path("orientations/<uuid:public_id>/", program.referral_detail, name="referral_detail"),
    path("orientations/<uuid:public_id>/retirer/", requests.referral_withdraw, name="referral_withdraw"),
    path(
        "orientations/<uuid:public_id>/refus-du-menage/",
        program.referral_household_refusal,
        name="referral_household_refusal",
    ),
    path(
        "orientations/<uuid:public_id>/accord-du-menage/",
        program.referral_household_acceptance,
        name="referral_household_acceptance",
    ),
    path("orientations/<uuid:public_id>/admission/", program.referral_admit, name="referral_admit"),
    # Admissions and stays (prises en charge)
    path("admission-directe/<uuid:household_public_id>/", program.direct_admission, name="direct_admission"),
    path("prises-en-charge/", program.stay_list, name="stay_list"),
    path("prises-en-charge/<uuid:public_id>/sortie/", program.stay_end, name="stay_end"),
]
