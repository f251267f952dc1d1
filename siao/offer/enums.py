"""The offer's nomenclature and referentials. Values are English snake_case; labels are the
French of the seed; `SI_SIAO_CODES` maps them to the live SI SIAO's referential codes
(../shared/data/referentials.json) for imports and exports."""

from django.db import models


class ProgramCategory(models.TextChoices):
    IML = "iml", "Logement IML"
    SOCIAL_RESIDENCE = "social_residence", "Logement Résidence sociale"
    SHELTER = "shelter", "Hébergement"
    STREET_SERVICES = "street_services", "Veille sociale"
    SUPPORT_MEASURES = "support_measures", "Mesures d'accompagnement"
    FIRST_RECEPTION = "first_reception", "Premier accueil"


class ProgramType(models.TextChoices):
    # Logement IML
    IML_SUBLETTING = "iml_subletting", "Location – Sous location"
    IML_MANAGEMENT_MANDATE = "iml_management_mandate", "Mandat de gestion"
    IML_HOUSING_FIRST = "iml_housing_first", "Un Chez Soi d'Abord"
    # Logement Résidence sociale
    FAMILY_BOARDING_HOUSE = "family_boarding_house", "Pension de famille"
    RECEPTION_RESIDENCE = "reception_residence", "Résidence d'accueil"
    YOUNG_WORKERS_HOSTEL = "young_workers_hostel", "FJT"
    MIGRANT_WORKERS_HOSTEL = "migrant_workers_hostel", "FTM"
    SOCIAL_RESIDENCE = "social_residence", "Résidence sociale classique"
    # Hébergement
    CHRS = "chrs", "CHRS"
    NON_CHRS = "non_chrs", "Hors CHRS"
    HOTEL = "hotel", "Hôtel"
    RHVS = "rhvs", "RHVS"
    OTHER_SHELTER = "other_shelter", "Autres (gymnases, écoles, ...)"
    # Veille sociale
    OUTREACH = "outreach", "Maraude"
    DAY_CENTER = "day_center", "Accueil de jour"
    NIGHT_STOP = "night_stop", "Halte de nuit"
    SAO = "sao", "SAO"
    FOOD_AID = "food_aid", "Aide alimentaire"
    # Mesures d'accompagnement
    AVDL = "avdl", "AVDL"
    PEX = "pex", "PEX"
    FSL_ASLL = "fsl_asll", "FSL - ASLL"
    PASH = "pash", "PASH"
    HLM_CHRS = "hlm_chrs", "HLM (CHRS)"
    OTHER_MEASURE = "other_measure", "Autre (LDA)"
    # Premier accueil
    DNA = "dna", "DNA"
    SOCIAL_SECTOR = "social_sector", "Secteur (CCAS ou Département)"
    HEALTH = "health", "Santé"
    SPIP = "spip", "SPIP"
    OTHER_FIRST_RECEPTION = "other_first_reception", "Autre"


NOMENCLATURE: dict[str, list[str]] = {
    ProgramCategory.IML: [
        ProgramType.IML_SUBLETTING,
        ProgramType.IML_MANAGEMENT_MANDATE,
        ProgramType.IML_HOUSING_FIRST,
    ],
    ProgramCategory.SOCIAL_RESIDENCE: [
        ProgramType.FAMILY_BOARDING_HOUSE,
        ProgramType.RECEPTION_RESIDENCE,
        ProgramType.YOUNG_WORKERS_HOSTEL,
        ProgramType.MIGRANT_WORKERS_HOSTEL,
        ProgramType.SOCIAL_RESIDENCE,
    ],
    ProgramCategory.SHELTER: [
        ProgramType.CHRS,
        ProgramType.NON_CHRS,
        ProgramType.HOTEL,
        ProgramType.RHVS,
        ProgramType.OTHER_SHELTER,
    ],
    ProgramCategory.STREET_SERVICES: [
        ProgramType.OUTREACH,
        ProgramType.DAY_CENTER,
        ProgramType.NIGHT_STOP,
        ProgramType.SAO,
        ProgramType.FOOD_AID,
    ],
    ProgramCategory.SUPPORT_MEASURES: [
        ProgramType.AVDL,
        ProgramType.PEX,
        ProgramType.FSL_ASLL,
        ProgramType.PASH,
        ProgramType.HLM_CHRS,
        ProgramType.OTHER_MEASURE,
    ],
    ProgramCategory.FIRST_RECEPTION: [
        ProgramType.DNA,
        ProgramType.SOCIAL_SECTOR,
        ProgramType.HEALTH,
        ProgramType.SPIP,
        ProgramType.OTHER_FIRST_RECEPTION,
    ],
}
CATEGORY_OF_TYPE: dict[str, str] = {t: c for c, types in NOMENCLATURE.items() for t in types}

# Seed: "Ni places, ni mesures, ni prestations. Le SIAO n'est pas orienteur vers ces dispositifs."
NO_OFFER_CATEGORIES = frozenset({ProgramCategory.FIRST_RECEPTION})
# Seed, "Cas particuliers": validated directly by the Administrateur SIAO.
DIRECT_VALIDATION_CATEGORIES = frozenset({ProgramCategory.FIRST_RECEPTION, ProgramCategory.STREET_SERVICES})
DIRECT_VALIDATION_TYPES = frozenset({ProgramType.HOTEL, ProgramType.RHVS, ProgramType.OTHER_SHELTER})


def is_validated_directly_by_siao(program_type: str) -> bool:
    return program_type in DIRECT_VALIDATION_TYPES or CATEGORY_OF_TYPE[program_type] in DIRECT_VALIDATION_CATEGORIES


class FundingUnit(models.TextChoices):
    PLACES = "places", "Nombre de places"
    DWELLINGS = "dwellings", "Nombre de logements"


class FundingLine(models.TextChoices):
    P177 = "p177", "financées P177"
    NON_P177 = "non_p177", "financées / co-financées hors P177"
    IML_PLUS = "iml_plus", "financées « IML+ »"
    TOTAL = "total", "Total géré par le dispositif"
    PREFECTORAL_QUOTA = "prefectoral_quota", "dont contingent préfectoral"


# Which funding lines each category shows (seed: "selon le type sélectionné, les informations
# demandées peuvent différer"; IML+ only for Logement IML; Premier accueil has no matrix).
FUNDING_LINES: dict[str, list[str]] = {
    ProgramCategory.IML: [
        FundingLine.P177,
        FundingLine.NON_P177,
        FundingLine.IML_PLUS,
        FundingLine.TOTAL,
        FundingLine.PREFECTORAL_QUOTA,
    ],
    ProgramCategory.SOCIAL_RESIDENCE: [
        FundingLine.P177,
        FundingLine.NON_P177,
        FundingLine.TOTAL,
        FundingLine.PREFECTORAL_QUOTA,
    ],
    ProgramCategory.SHELTER: [
        FundingLine.P177,
        FundingLine.NON_P177,
        FundingLine.TOTAL,
        FundingLine.PREFECTORAL_QUOTA,
    ],
    ProgramCategory.STREET_SERVICES: [FundingLine.P177, FundingLine.NON_P177, FundingLine.TOTAL],
    ProgramCategory.SUPPORT_MEASURES: [FundingLine.P177, FundingLine.NON_P177, FundingLine.TOTAL],
    ProgramCategory.FIRST_RECEPTION: [],
}


class ValidationStatus(models.TextChoices):
    SUBMITTED = "submitted", "À pré-valider"
    PREVALIDATED = "prevalidated", "À valider"
    VALIDATED = "validated", "Validé"
    REFUSED = "refused", "Refusé"


class PublicKind(models.TextChoices):
    COMPOSITION = "composition", "Composition familiale"
    SPECIFIC = "specific", "Public spécifique"


class UnitKind(models.TextChoices):
    PLACE = "place", "Place"
    DWELLING = "dwelling", "Logement"


class PlaceType(models.TextChoices):
    HOTEL = "hotel", "Hôtel"
    EMERGENCY = "emergency", "Place en urgence"
    WINTER = "winter", "Hébergement urgence place hiver"
    INSERTION = "insertion", "Place d'insertion"
    STABILIZATION = "stabilization", "Place de stabilisation"
    HEALTH_BED = "health_bed", "Lit halte santé"
    VIOLENCE_VICTIMS = "violence_victims", "Femmes victimes de violence"
    ASYLUM = "asylum", "Demandeur d'asile"
    NIGHT_SHELTER = "night_shelter", "Abris de nuit"
    EXTREME_COLD = "extreme_cold", "Hébergement période de grand froid (gymnase)"
    HOUSING = "housing", "Logement"
    UNKNOWN = "unknown", "Information non renseignée"


class PlaceCategory(models.TextChoices):
    SINGLE_ROOM = "single_room", "Chambre individuelle"
    SHARED_ROOM = "shared_room", "Chambre collective"
    DORMITORY = "dormitory", "Dortoir 5 et +"
    ROOM_2 = "room_2", "Chambre 2 places"
    ROOM_3 = "room_3", "Chambre 3 places"
    ROOM_4 = "room_4", "Chambre 4 places"
    ROOM_5_PLUS = "room_5_plus", "Chambre 5 et +"
    MODULAR = "modular", "Logement modulable"
    T1 = "t1", "Logement T1"
    T1_BIS = "t1_bis", "Logement T1 bis"
    T2 = "t2", "Logement T2"
    T3 = "t3", "Logement T3"
    T4 = "t4", "Logement T4"
    T5 = "t5", "Logement T5"
    T6 = "t6", "Logement T6"
    T7 = "t7", "Logement T7"
    T8 = "t8", "Logement T8"
    T9 = "t9", "Logement T9"
    HOTEL_ROOM = "hotel_room", "Chambre hôtel"
    STUDIO = "studio", "Studio"


class PlaceState(models.TextChoices):
    AVAILABLE = "available", "Disponible"
    HELD = "held", "Réservée pour une orientation"
    OCCUPIED = "occupied", "Occupée"
    UNAVAILABLE = "unavailable", "Indisponible"


# Allowed place-state transitions (DOMAIN.md: states are an inference; these are ours).
PLACE_TRANSITIONS: dict[str, frozenset[str]] = {
    PlaceState.AVAILABLE: frozenset({PlaceState.HELD, PlaceState.OCCUPIED, PlaceState.UNAVAILABLE}),
    PlaceState.HELD: frozenset({PlaceState.AVAILABLE, PlaceState.OCCUPIED}),
    PlaceState.OCCUPIED: frozenset({PlaceState.AVAILABLE}),
    PlaceState.UNAVAILABLE: frozenset({PlaceState.AVAILABLE}),
}


class UnavailabilityReason(models.TextChoices):
    WORKS = "works", "Travaux"
    CLOSURE = "closure", "Fermeture temporaire"
    DAMAGE = "damage", "Dégradation"
    HEALTH = "health", "Raison sanitaire"
    OTHER = "other", "Autre"


class SupportMeasureKind(models.TextChoices):
    AVDL = "avdl", "AVDL"
    ASLL = "asll", "ASLL"
    ALJ = "alj", "ALJ"
    AHM = "ahm", "AHM"
    FSL = "fsl", "FSL"
    AEL = "ael", "AEL"
    OTHER = "other", "Autre"


class ProvisionKind(models.TextChoices):
    MEAL = "meal", "Repas"
    SHOWER = "shower", "Douche"
    LAUNDRY = "laundry", "Laverie"
    DAY_SERVICE = "day_service", "Accueil de jour"
    MAIL = "mail", "Domiciliation"
    FOOD_PARCEL = "food_parcel", "Colis alimentaire"
    OTHER = "other", "Autre"


class LegalStatus(models.TextChoices):
    ASSOCIATION = "association", "Association"
    FOUNDATION = "foundation", "Fondation"
    COMPANY = "company", "Société (SA, SAS, SARL...)"
    SEM = "sem", "Société d'économie mixte"
    HLM = "hlm", "Organisme HLM"
    PUBLIC_BODY = "public_body", "Établissement public"
    LOCAL_AUTHORITY = "local_authority", "Collectivité territoriale (CCAS, département...)"
    OTHER = "other", "Autre"


SI_SIAO_CODES: dict[str, dict[str, int]] = {
    "place_type": {
        PlaceType.HOTEL: 1,
        PlaceType.EMERGENCY: 10,
        PlaceType.WINTER: 20,
        PlaceType.INSERTION: 30,
        PlaceType.STABILIZATION: 40,
        PlaceType.HEALTH_BED: 50,
        PlaceType.VIOLENCE_VICTIMS: 60,
        PlaceType.ASYLUM: 70,
        PlaceType.NIGHT_SHELTER: 80,
        PlaceType.EXTREME_COLD: 90,
        PlaceType.HOUSING: 100,
        PlaceType.UNKNOWN: 110,
    },
    "place_category": {
        PlaceCategory.SINGLE_ROOM: 1,
        PlaceCategory.SHARED_ROOM: 10,
        PlaceCategory.DORMITORY: 20,
        PlaceCategory.ROOM_2: 40,
        PlaceCategory.ROOM_3: 50,
        PlaceCategory.ROOM_4: 60,
        PlaceCategory.ROOM_5_PLUS: 70,
        PlaceCategory.MODULAR: 80,
        PlaceCategory.T1: 90,
        PlaceCategory.T2: 100,
        PlaceCategory.T3: 110,
        PlaceCategory.T4: 120,
        PlaceCategory.T5: 130,
        PlaceCategory.T6: 140,
        PlaceCategory.T7: 150,
        PlaceCategory.T8: 160,
        PlaceCategory.T9: 170,
        PlaceCategory.HOTEL_ROOM: 180,
        PlaceCategory.STUDIO: 190,
        PlaceCategory.T1_BIS: 200,
    },
    "support_measure": {
        SupportMeasureKind.AVDL: 1,
        SupportMeasureKind.ASLL: 2,
        SupportMeasureKind.ALJ: 3,
        SupportMeasureKind.AHM: 4,
        SupportMeasureKind.OTHER: 5,
        SupportMeasureKind.FSL: 6,
        SupportMeasureKind.AEL: 7,
    },
    # "program_kinds" (nature of the offer) by category, "establishment_types" by program type;
    # types without an obvious establishment type are left blank rather than guessed.
    "program_kind": {
        ProgramCategory.SHELTER: 1,  # Hébergement
        ProgramCategory.IML: 2,  # Logement
        ProgramCategory.SOCIAL_RESIDENCE: 2,  # Logement
        ProgramCategory.SUPPORT_MEASURES: 5,  # Accompagnement
        ProgramCategory.STREET_SERVICES: 0,  # Non renseigné
        ProgramCategory.FIRST_RECEPTION: 0,
    },
    "establishment_type": {
        ProgramType.HOTEL: 100,  # Hôtels
        ProgramType.RHVS: 200,  # Résidence hôtelière à vocation sociale (RHVS)
        ProgramType.NON_CHRS: 300,  # Hors CHRS
        ProgramType.CHRS: 400,  # CHRS
        ProgramType.DNA: 700,  # Dispositif national d'accueil
        ProgramType.FAMILY_BOARDING_HOUSE: 800,  # Logement foyer
        ProgramType.RECEPTION_RESIDENCE: 800,
        ProgramType.YOUNG_WORKERS_HOSTEL: 800,
        ProgramType.MIGRANT_WORKERS_HOSTEL: 800,
        ProgramType.SOCIAL_RESIDENCE: 800,
        ProgramType.IML_SUBLETTING: 900,  # Intermédiation locative
        ProgramType.IML_MANAGEMENT_MANDATE: 900,
        ProgramType.IML_HOUSING_FIRST: 900,
    },
}
