"""What the statistics base holds: each measure, its dimensions and the French labels of their
codes. The codes are the referentials' values (SI SIAO codes where the live system has them);
"unknown" stands for a value not filled in, "" for the total (dimension "" and value "")."""

from dataclasses import dataclass

from siao.emergency.enums import EmergencyStatus, UnmetReason
from siao.households.enums import ExitDestination, RequestReason
from siao.offer.defaults import COMPOSITIONS
from siao.offer.enums import ProgramType
from siao.orientation.enums import RequestKind, RequestStatus

UNKNOWN = "unknown"
UNKNOWN_LABEL = "Non renseigné"
TOTAL = ""

# How a measure reads: a count of units, a delay (count of requests and sum of days: a mean),
# or an occupancy (occupied and available place-nights: a rate).
COUNT, DELAY, OCCUPANCY = "count", "delay", "occupancy"

# Delays, in days, by bucket (code, label, upper bound included; None: no bound).
DELAY_BUCKETS = [
    ("0-7", "7 jours ou moins", 7),
    ("8-30", "8 à 30 jours", 30),
    ("31-90", "31 à 90 jours", 90),
    ("91+", "Plus de 90 jours", None),
]


def _labels(choices) -> dict[str, str]:
    return {str(value): label for value, label in choices.choices}


DIMENSION_LABELS = {
    TOTAL: "Total",
    "kind": "Type de demande",
    "reason": "Motif",
    "composition": "Composition familiale",
    "outcome": "Issue (statut)",
    "program_type": "Type de dispositif",
    "destination": "Situation à la sortie",
    "bucket": "Tranche de délai",
}

COMPOSITION_LABELS = {code: label for code, label, _ in COMPOSITIONS}
PROGRAM_TYPE_LABELS = _labels(ProgramType)
BUCKET_LABELS = {code: label for code, label, _ in DELAY_BUCKETS}


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    unit: str  # what `count` counts, plural, lower case
    kind: str
    dimensions: tuple[str, ...]
    description: str
    # code → label, per dimension (the same dimension name may have other codes elsewhere).
    value_labels: dict
    # The same person may count under several values (the total counts distinct persons, so
    # the values may add up to more than the total).
    overlapping_values: bool = False

    def label_of(self, dimension: str, value: str) -> str:
        if dimension == TOTAL:
            return "Total"
        if value == UNKNOWN:
            return UNKNOWN_LABEL
        return self.value_labels.get(dimension, {}).get(value, value)

    def codes(self, dimension: str) -> list[str]:
        """The dimension's codes in the referential's order (unknown last)."""
        return [*self.value_labels.get(dimension, {}), UNKNOWN]


MEASURES: dict[str, Measure] = {
    measure.name: measure
    for measure in [
        Measure(
            "requests",
            "Demandes transmises au SIAO",
            "demandes",
            COUNT,
            ("kind", "reason", "composition", "outcome"),
            "Demandes transmises au SIAO du département (pseudo-demandes comprises), au mois de leur "
            "transmission ; l'issue est le statut de la demande au dernier calcul du mois.",
            {
                "kind": _labels(RequestKind),
                "reason": _labels(RequestReason),
                "composition": COMPOSITION_LABELS,
                "outcome": _labels(RequestStatus),
            },
        ),
        Measure(
            "emergency_requests",
            "Demandes d'urgence (115)",
            "demandes",
            COUNT,
            ("outcome", "composition", "reason"),
            "Demandes d'urgence au 115, au mois de la nuit demandée.",
            {
                "outcome": _labels(EmergencyStatus),
                "composition": COMPOSITION_LABELS,
                "reason": _labels(RequestReason),
            },
        ),
        Measure(
            "unmet",
            "Demandes d'urgence non pourvues",
            "demandes",
            COUNT,
            ("reason",),
            "Demandes d'urgence restées sans solution (DNP), au mois de la nuit demandée, par motif de "
            "non-attribution.",
            {"reason": _labels(UnmetReason)},
        ),
        Measure(
            "persons",
            "Personnes distinctes ayant fait une demande",
            "personnes",
            COUNT,
            ("kind",),
            "Personnes distinctes ayant fait une demande d'insertion ou d'urgence dans le mois, comptées une "
            "fois par mois et par département.",
            {"kind": _labels(RequestKind)},
            overlapping_values=True,
        ),
        Measure(
            "stays_started",
            "Admissions (prises en charge commencées)",
            "prises en charge",
            COUNT,
            ("program_type",),
            "Prises en charge commencées dans le mois, dans le département du dispositif.",
            {"program_type": PROGRAM_TYPE_LABELS},
        ),
        Measure(
            "exits",
            "Sorties",
            "sorties",
            COUNT,
            ("destination", "program_type"),
            "Prises en charge terminées dans le mois, dans le département du dispositif.",
            {"destination": _labels(ExitDestination), "program_type": PROGRAM_TYPE_LABELS},
        ),
        Measure(
            "delay_orientation",
            "Délai de la transmission à l'orientation",
            "demandes orientées",
            DELAY,
            ("bucket",),
            "Jours entre la transmission de la demande et sa première orientation, au mois de cette "
            "orientation, dans le département du SIAO.",
            {"bucket": BUCKET_LABELS},
        ),
        Measure(
            "delay_admission",
            "Délai de la transmission à l'admission",
            "admissions",
            DELAY,
            ("bucket",),
            "Jours entre la transmission de la demande et l'admission, au mois de l'admission, dans le "
            "département du SIAO.",
            {"bucket": BUCKET_LABELS},
        ),
        Measure(
            "occupancy",
            "Occupation des places",
            "nuitées-places occupées",
            OCCUPANCY,
            ("program_type",),
            "Nuitées-places occupées par les prises en charge et nuitées-places disponibles (capacité créée "
            "des dispositifs validés × jours du mois), dans le département du dispositif.",
            {"program_type": PROGRAM_TYPE_LABELS},
        ),
    ]
}

ALL_DIMENSIONS = [name for name in DIMENSION_LABELS if name != TOTAL]


def bucket_of(days: int) -> str:
    for code, _, upper in DELAY_BUCKETS:
        if upper is None or days <= upper:
            return code
    raise AssertionError(days)
