"""Vérifier un webhook du SI SIAO — la recette à reprendre chez un partenaire.

Chaque livraison porte quatre en-têtes :

* `SIAO-Webhook-Id` : l'identifiant de l'événement (le même à chaque nouvelle tentative) ;
* `SIAO-Webhook-Event` : son type (`referral.proposed`…) ;
* `SIAO-Webhook-Timestamp` : l'heure de *cette* tentative, en secondes Unix ;
* `SIAO-Webhook-Signature` : `v1=<hex>`, ou deux valeurs séparées par une espace pendant la
  rotation du secret (la nouvelle d'abord), avec
  `hex = HMAC-SHA256(secret, "<id>.<timestamp>." + corps brut)`.

La recette : (1) recalculer la signature sur le corps *brut* reçu (pas sur un JSON relu et
réécrit) avec chacun de ses secrets valides, et la comparer en temps constant
(`hmac.compare_digest`) à chacune des valeurs `v1=` reçues ; (2) refuser un horodatage à
plus de 5 minutes de l'heure locale ; (3) refuser une livraison déjà vue (même id, même
horodatage : un rejeu) ; (4) dédoublonner par l'id : le SI SIAO livre *au moins une fois*,
une nouvelle tentative (nouvel horodatage, nouvelle signature) d'un événement déjà traité
reçoit un 2xx mais ne déclenche rien. Réponses : 401 pour une signature fausse, 400 pour le
reste ; tout autre code que 2xx fait retenter le SI SIAO plus tard.
"""

import hashlib
import hmac
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

ID_HEADER = "SIAO-Webhook-Id"
EVENT_HEADER = "SIAO-Webhook-Event"
TIMESTAMP_HEADER = "SIAO-Webhook-Timestamp"
SIGNATURE_HEADER = "SIAO-Webhook-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """La valeur `v1=…` que le SI SIAO envoie pour ce secret."""
    message = f"{event_id}.{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Rejected(Exception):
    """Livraison refusée : `status` est le code HTTP à répondre (400 ou 401)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Delivery:
    event_id: str
    event_type: str
    timestamp: int
    event: dict  # le corps : {id, type, created_at, data}


class WebhookVerifier:
    """Vérifie les livraisons et retient celles déjà vues (en mémoire : un vrai partenaire
    garde les ids traités dans sa base, dans la transaction de son traitement)."""

    def __init__(
        self,
        secrets: str | Iterable[str],
        *,
        tolerance: int = TOLERANCE_SECONDS,
        clock: Callable[[], float] = time.time,
        memory: int = 100_000,
    ):
        self.secrets = [secrets] if isinstance(secrets, str) else [s for s in secrets if s]
        if not self.secrets:
            raise ValueError("Il faut au moins un secret de webhook.")
        self.tolerance, self.clock, self.memory = tolerance, clock, memory
        self._deliveries: OrderedDict[tuple[str, int], None] = OrderedDict()  # (id, horodatage) vus
        self._processed: OrderedDict[str, None] = OrderedDict()  # ids d'événements traités
        self._lock = threading.Lock()

    def verify(self, headers: Mapping[str, str], body: bytes) -> Delivery:
        """La livraison, ou `Rejected`. Une livraison valide est retenue : la même, rejouée
        telle quelle, sera refusée."""
        lowered = {k.lower(): v for k, v in headers.items()}
        event_id = lowered.get(ID_HEADER.lower(), "").strip()
        raw_timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
        received = [
            part.removeprefix("v1=")
            for part in lowered.get(SIGNATURE_HEADER.lower(), "").split()
            if part.startswith("v1=")
        ]
        if not event_id or not raw_timestamp or not received:
            raise Rejected(400, "en-têtes SIAO-Webhook-* manquants")
        try:
            timestamp = int(raw_timestamp)
        except ValueError:
            raise Rejected(400, "horodatage illisible") from None
        expected = [sign(secret, event_id, timestamp, body).removeprefix("v1=") for secret in self.secrets]
        # Toutes les comparaisons sont faites, en temps constant : rien ne fuit par la durée.
        matches = [hmac.compare_digest(e.encode(), r.encode()) for e in expected for r in received]
        if not any(matches):
            raise Rejected(401, "signature invalide")
        if abs(self.clock() - timestamp) > self.tolerance:
            raise Rejected(400, "horodatage hors de la tolérance de 5 minutes")
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Rejected(400, "corps JSON illisible") from None
        if not isinstance(event, dict) or event.get("id") != event_id:
            raise Rejected(400, "l'id du corps ne correspond pas à l'en-tête")
        with self._lock:
            if (event_id, timestamp) in self._deliveries:
                raise Rejected(400, "livraison rejouée")
            self._remember(self._deliveries, (event_id, timestamp))
        event_type = lowered.get(EVENT_HEADER.lower(), "") or str(event.get("type", ""))
        return Delivery(event_id=event_id, event_type=event_type, timestamp=timestamp, event=event)

    def already_processed(self, event_id: str) -> bool:
        with self._lock:
            return event_id in self._processed

    def mark_processed(self, event_id: str) -> None:
        with self._lock:
            self._remember(self._processed, event_id)

    def _remember(self, seen: OrderedDict, key) -> None:
        seen[key] = None
        while len(seen) > self.memory:
            seen.popitem(last=False)
