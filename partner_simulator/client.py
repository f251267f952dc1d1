"""Le client de l'API partenaires : jeton, retentatives, idempotence, pagination, et une
méthode par opération des sept cas d'usage.

Ce qu'un client robuste fait, et que `SimulatorClient.request` montre :

* il garde le jeton jusqu'à une minute avant son expiration, et sur un 401 en redemande un
  une fois (le jeton a pu être révoqué : changement de droits, rotation) ;
* chaque POST porte un `Idempotency-Key` tiré une fois par opération et réutilisé à chaque
  tentative : après une coupure réseau, la même requête est renvoyée sans risque — le SI
  SIAO rejoue la première réponse (en-tête `Idempotent-Replayed: true`) ;
* sur 429 (limite d'appels par minute) ou 503, il attend `Retry-After` secondes ; sur une
  erreur de connexion, il attend de plus en plus longtemps (1, 2, 4 s…) ;
* toute autre erreur est un *problem* RFC 9457, levé en `ApiError` (code, détail, erreurs
  par champ), sans nouvelle tentative : la requête doit être corrigée.
"""

import datetime
import time
import uuid
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import requests

API = "/api/v1"
PARIS = ZoneInfo("Europe/Paris")


def today() -> datetime.date:
    """La date du jour à Paris : celle que le SI SIAO compare aux dates d'arrivée et de sortie."""
    return datetime.datetime.now(PARIS).date()


class ApiError(Exception):
    """Une réponse d'erreur de l'API : `status`, et le problem (`code`, `detail`, `errors`)."""

    def __init__(self, status: int, problem: dict):
        self.status, self.problem = status, problem
        self.code = problem.get("code") or problem.get("error") or ""
        detail = problem.get("detail") or problem.get("title") or ""
        fields = "; ".join(
            f"{e['field']} : {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in problem.get("errors") or []
            if e.get("message") not in detail
        )
        super().__init__(f"HTTP {status} {self.code} — {detail}" + (f" ({fields})" if fields else ""))


class SimulatorClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str = "",
        timeout: float = 10.0,
        max_attempts: int = 5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = lambda message: None,
    ):
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret, self.scope = client_id, client_secret, scope
        self.timeout, self.max_attempts = timeout, max_attempts
        self.session = session or requests.Session()
        self.sleep, self.log = sleep, log
        self._token: str | None = None
        self._token_expires_at = 0.0

    # -- jeton --------------------------------------------------------------------------------

    def token(self, *, refresh: bool = False) -> str:
        if refresh or self._token is None or time.monotonic() >= self._token_expires_at:
            response = self._send(
                "POST",
                f"{self.base_url}{API}/oauth/token",
                data={"grant_type": "client_credentials", "scope": self.scope},
                auth=(self.client_id, self.client_secret),  # HTTP Basic
            )
            if response.status_code != 200:
                raise ApiError(response.status_code, _problem_of(response))
            document = response.json()
            self._token = document["access_token"]
            self._token_expires_at = time.monotonic() + max(int(document["expires_in"]) - 60, 1)
            self.log(f"jeton obtenu (droits : {document['scope']}, valable {document['expires_in']} s)")
        return self._token

    # -- appels -------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, json=None, params=None, idempotency_key: str | None = None):
        """Le document JSON de la réponse (None si elle est vide), ou `ApiError`. `path` est
        relatif à l'instance (`/api/v1/…`, comme `data.referral.url` des webhooks)."""
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        headers = {"Accept": "application/json", "Accept-Language": "fr"}
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        refreshed = False
        while True:
            headers["Authorization"] = f"Bearer {self.token()}"
            response = self._send(method, url, json=json, params=params, headers=headers)
            if response.status_code == 401 and not refreshed:
                self.token(refresh=True)
                refreshed = True
                continue
            if response.status_code >= 400:
                raise ApiError(response.status_code, _problem_of(response))
            return response.json() if response.content else None

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """Une requête, retentée sur 429/503 (selon Retry-After) et sur erreur de connexion."""
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last:
                    raise
                wait = 2.0 ** (attempt - 1)
                self.log(f"connexion impossible ({type(exc).__name__}), nouvelle tentative dans {wait:.0f} s")
                self.sleep(wait)
                continue
            if response.status_code in (429, 503) and not last:
                wait = _retry_after(response)
                self.log(f"HTTP {response.status_code} : nouvelle tentative dans {wait:.0f} s (Retry-After)")
                self.sleep(wait)
                continue
            return response
        raise AssertionError("unreachable")

    def get(self, path: str, **params):
        return self.request("GET", f"{API}{path}", params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, payload: dict, *, idempotency_key: str | None = None):
        return self.request("POST", f"{API}{path}", json=payload, idempotency_key=idempotency_key)

    def paginate(self, path: str, **params) -> Iterator[dict]:
        """Tous les éléments d'une liste, page après page (`next_cursor` jusqu'à null)."""
        cursor = None
        while True:
            document = self.get(path, **params, cursor=cursor)
            yield from document["items"]
            cursor = document.get("next_cursor")
            if not cursor:
                return

    # -- cas 1 et 4 : l'offre et les vacances -------------------------------------------------

    def operators(self) -> list[dict]:
        return self.get("/operators")

    def programs(self) -> list[dict]:
        return list(self.paginate("/programs", limit=200))

    def place_groups(self) -> list[dict]:
        return list(self.paginate("/place-groups", limit=200))

    def places(self, *, program: str | None = None, state: str | None = None) -> list[dict]:
        return list(self.paginate("/places", limit=200, program=program, state=state))

    def create_place_group(self, program: str, **group) -> dict:
        """`group` : name, capacity, unit_kind (place ou dwelling), place_type, place_category…"""
        return self.post(f"/programs/{program}/place-groups", group)

    def set_place_state(self, place: str, state: str, *, reason: str | None = None, until=None) -> dict:
        payload = {"state": state}
        if reason:
            payload["reason"] = reason
        if until:
            payload["until"] = str(until)
        return self.post(f"/places/{place}/state", payload)

    def publish_vacancies(self, places: list[str]) -> list[dict]:
        """Plusieurs places disponibles d'un coup (tout ou rien)."""
        return self.post("/vacancies", {"items": [{"place": p, "state": "available"} for p in places]})["items"]

    def current_stay_places(self) -> set[str]:
        return {s["place"] for s in self.paginate("/stays", limit=200, current="true") if s["place"]}

    # -- cas 2, 3, 5, 6 et 7 : candidatures, arrivées, sorties --------------------------------

    def referral(self, referral: str) -> dict:
        """Une candidature, par son id ou par l'adresse donnée dans un webhook."""
        return self.request("GET", referral if referral.startswith("/") else f"{API}/referrals/{referral}")

    def decide(self, referral: str, accept: bool, *, reason: str | None = None, comment: str = "") -> dict:
        payload = {"decision": "accepted" if accept else "refused", "comment": comment}
        if not accept:
            payload["reason"] = reason or "other"
        return self.post(f"/referrals/{referral}/decision", payload)

    def arrive(self, referral: str, place: str, started_on: datetime.date) -> dict:
        return self.post(f"/referrals/{referral}/arrival", {"place": place, "started_on": str(started_on)})

    def end_stay(self, stay: str, *, reason: str, destination: int, ended_on: datetime.date, comment: str = ""):
        payload = {
            "ended_on": str(ended_on),
            "exit_reason": reason,
            "exit_destination": destination,
            "comment": comment,
        }
        return self.post(f"/stays/{stay}/end", payload)

    def referentials(self) -> dict:
        return self.get("/referentials")


def _retry_after(response: requests.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.0), 120.0)
    except ValueError:
        return 1.0


def _problem_of(response: requests.Response) -> dict:
    try:
        document = response.json()
    except ValueError:
        return {"title": response.reason or "", "detail": response.text[:200]}
    return document if isinstance(document, dict) else {"detail": str(document)[:200]}
