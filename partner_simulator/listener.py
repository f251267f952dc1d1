"""Le récepteur de webhooks et les réactions de l'opérateur simulé.

`WebhookListener` est un petit serveur HTTP (`POST /webhooks`) : il vérifie chaque livraison
(`signatures.WebhookVerifier`), dédoublonne par l'id de l'événement, puis confie l'événement
à `Operator`, qui agit par l'API :

* `referral.proposed` : lit la candidature (`data.referral.url`) et y répond selon la
  politique : `accept`, `refuse` (motif `no_place`) ou `manual` (rien : commande `answer`) ;
* `referral.household_accepted` : confirme l'arrivée du ménage, aujourd'hui, sur la place de
  la candidature ou à défaut sur la première place disponible du dispositif (sauf politique
  `manual` : commande `arrive`) ; avec `end_after`, déclare la sortie quelques secondes plus
  tard ;
* les autres événements sont seulement journalisés.

Le simulateur traite l'événement *avant* de répondre : un 2xx veut dire « traité », et un
échec (l'API refuse, une coupure) répond 500, si bien que le SI SIAO le représentera plus
tard (au moins une fois). Un partenaire dont le traitement est long accuse plutôt réception
tout de suite et traite dans une file persistante : le SI SIAO attend 10 s au plus.
"""

import datetime
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .client import ApiError, SimulatorClient, today
from .signatures import Rejected, WebhookVerifier

POLICIES = ("accept", "refuse", "manual")
MAX_BODY = 1_000_000


class Operator:
    """Ce que fait le gestionnaire simulé quand le SI SIAO lui écrit."""

    def __init__(
        self,
        client: SimulatorClient,
        *,
        policy: str = "accept",
        end_after: float | None = None,
        exit_destination: int | None = None,
        log: Callable[[str], None] = print,
        today: Callable[[], datetime.date] = today,
    ):
        if policy not in POLICIES:
            raise ValueError(f"politique inconnue : {policy}")
        self.client, self.policy, self.end_after = client, policy, end_after
        self.exit_destination, self.log, self.today = exit_destination, log, today
        self.handled: list[tuple[str, str]] = []  # (type, id de l'événement), dans l'ordre
        self.stays: list[dict] = []  # prises en charge commencées

    def handle(self, event: dict) -> None:
        kind, data = event.get("type", ""), event.get("data") or {}
        reaction = {
            "referral.proposed": self.on_referral_proposed,
            "referral.household_accepted": self.on_household_accepted,
        }.get(kind)
        if reaction is None:
            subject = data.get("referral") or data.get("program") or {}
            self.log(f"événement {kind} reçu ({subject.get('id', '?')}, statut {subject.get('status', '?')})")
        else:
            reaction(data)
        self.handled.append((kind, event["id"]))

    def on_referral_proposed(self, data: dict) -> None:
        referral = self.client.referral(data["referral"]["url"])
        household = referral["household"]
        self.log(
            f"candidature {referral['id']} reçue : ménage de {household['member_count']} personne(s) "
            f"({household['composition'] or 'composition non renseignée'}), statut {referral['status']}"
        )
        if referral["status"] != "proposed":
            self.log("  déjà traitée : rien à faire")
        elif self.policy == "manual":
            self.log(f"  à traiter à la main : partner_simulator answer {referral['id']} accept|refuse")
        else:
            accept = self.policy == "accept"
            self.client.decide(referral["id"], accept, reason=None if accept else "no_place")
            self.log("  candidature acceptée" if accept else "  candidature refusée (motif : no_place)")

    def on_household_accepted(self, data: dict) -> None:
        referral = self.client.referral(data["referral"]["url"])
        self.log(f"le ménage de la candidature {referral['id']} accepte la proposition")
        if referral["stay"]:
            self.log(f"  arrivée déjà confirmée (prise en charge {referral['stay']})")
            return
        if self.policy == "manual":
            self.log(f"  à confirmer à la main : partner_simulator arrive {referral['id']} --place …")
            return
        place = referral["place"] or first_available_place(self.client, referral["program"])
        if place is None:
            raise RuntimeError(f"aucune place disponible dans le dispositif {referral['program']}")
        stay = self.client.arrive(referral["id"], place, self.today())
        self.stays.append(stay)
        self.log(f"  arrivée confirmée sur la place {place} : prise en charge {stay['id']}")
        if self.end_after is not None:
            timer = threading.Timer(self.end_after, self.end_stay, args=(stay["id"],))
            timer.daemon = True
            timer.start()
            self.log(f"  sortie prévue dans {self.end_after:g} s")

    def end_stay(self, stay_id: str, reason: str = "end_of_support", destination: int | None = None) -> dict | None:
        destination = destination if destination is not None else self.exit_destination
        if destination is None:
            destination = default_destination(self.client)
        try:
            stay = self.client.end_stay(stay_id, reason=reason, destination=destination, ended_on=self.today())
        except ApiError as exc:
            self.log(f"sortie de la prise en charge {stay_id} refusée : {exc}")
            return None
        self.log(f"sortie déclarée : prise en charge {stay_id} terminée le {stay['ended_on']}")
        return stay


def first_available_place(client: SimulatorClient, program: str) -> str | None:
    places = client.get("/places", program=program, state="available", limit=1)["items"]
    return places[0]["id"] if places else None


def default_destination(client: SimulatorClient) -> int:
    return int(client.referentials()["exit_destinations"][0]["code"])


class WebhookListener:
    """Le serveur de réception ; `port=0` en choisit un libre (tests). Il garde les livraisons
    acceptées (`received` : en-têtes et corps) pour qu'un test puisse les rejouer."""

    def __init__(
        self,
        verifier: WebhookVerifier,
        operator: Operator,
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        path: str = "/webhooks",
        log: Callable[[str], None] = print,
    ):
        self.verifier, self.operator, self.path, self.log = verifier, operator, path, log
        self.received: list[tuple[dict, bytes]] = []
        self.answers: list[tuple[int, str]] = []  # (code HTTP, id de l'événement ou « ? »)
        self._processing = threading.Lock()  # un événement à la fois : l'ordre est gardé
        self.server = ThreadingHTTPServer((host, port), self._handler_class())
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def start(self) -> "WebhookListener":
        self._thread = threading.Thread(target=self.server.serve_forever, name="webhooks", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def receive(self, headers: dict, body: bytes) -> tuple[int, dict]:
        """Le cœur du récepteur, sans HTTP : (code à répondre, corps)."""
        try:
            delivery = self.verifier.verify(headers, body)
        except Rejected as exc:
            self.log(f"livraison refusée ({exc.status}) : {exc.reason}")
            return exc.status, {"error": exc.reason}
        with self._processing:
            if self.verifier.already_processed(delivery.event_id):
                self.log(f"événement {delivery.event_id} déjà traité : accusé de réception sans nouvelle action")
                return 200, {"status": "duplicate"}
            try:
                self.operator.handle(delivery.event)
            except Exception as exc:  # noqa: BLE001 (le SI SIAO représentera l'événement)
                self.log(f"échec du traitement de {delivery.event_type} ({delivery.event_id}) : {exc}")
                return 500, {"error": "processing_failed"}
            self.verifier.mark_processed(delivery.event_id)
            self.received.append((headers, body))
        return 200, {"status": "processed"}

    def _handler_class(self):
        listener = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "partner-simulator/1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                if self.path.split("?")[0] != listener.path:
                    return self._answer(404, {"error": "not_found"}, "?")
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    return self._answer(413, {"error": "too_large"}, "?")
                body = self.rfile.read(length)
                status, document = listener.receive(dict(self.headers.items()), body)
                return self._answer(status, document, self.headers.get("SIAO-Webhook-Id", "?"))

            def _answer(self, status: int, document: dict, event_id: str):
                listener.answers.append((status, event_id))
                payload = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):  # noqa: A002 (the journal is the listener's)
                pass

        return Handler
