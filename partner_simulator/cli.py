"""La ligne de commande : `python -m partner_simulator [options] <commande>`.

Options communes (ou variables d'environnement) : --base-url (SIAO_BASE_URL), --client-id
(SIAO_CLIENT_ID), --client-secret (SIAO_CLIENT_SECRET), --webhook-secret
(SIAO_WEBHOOK_SECRET, pour `listen` et `run`). Voir docs/partner-simulator.md.
"""

import argparse
import datetime
import json
import os
import sys
import time

from .client import PARIS, ApiError, SimulatorClient, today
from .listener import POLICIES, Operator, WebhookListener, default_destination
from .signatures import WebhookVerifier

DEFAULT_GROUP = {"unit_kind": "dwelling", "place_type": "housing", "place_category": "t2"}


def log(message: str, *, stream=None) -> None:
    print(f"[{datetime.datetime.now(PARIS):%H:%M:%S}] {message}", file=stream or sys.stdout, flush=True)


def note(message: str) -> None:
    """The client's own journal (token, retries): on stderr, so that `token` prints only the token."""
    log(message, stream=sys.stderr)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="partner_simulator", description="Simulateur de partenaire du SI SIAO.")
    env = os.environ.get
    p.add_argument("--base-url", default=env("SIAO_BASE_URL", "http://127.0.0.1:8000"))
    p.add_argument("--client-id", default=env("SIAO_CLIENT_ID"))
    p.add_argument("--client-secret", default=env("SIAO_CLIENT_SECRET"))
    p.add_argument("--webhook-secret", default=env("SIAO_WEBHOOK_SECRET"))
    commands = p.add_subparsers(dest="command", required=True)
    commands.add_parser("token", help="obtenir un jeton d'accès")
    commands.add_parser("offer", help="lister entités, dispositifs, groupes et places")
    offer = commands.add_parser("publish-offer", help="créer un groupe de logements (cas 1)")
    offer.add_argument("--program", help="id du dispositif (défaut : le premier validé)")
    offer.add_argument("--name", default="Logements T2 (simulateur)")
    offer.add_argument("--capacity", type=int, default=3)
    offer.add_argument("--file", help='JSON : {"program": "…", "place_groups": [{"name": …, "capacity": …}]}')
    vacancies = commands.add_parser("publish-vacancies", help="publier des vacances (cas 4)")
    vacancies.add_argument("--count", type=int, default=2, help="nombre de places à rendre disponibles")
    vacancies.add_argument("--program", help="seulement ce dispositif")
    vacancies.add_argument("--unavailable", metavar="PLACE", help="rendre cette place indisponible")
    vacancies.add_argument("--reason", default="works", help="motif d'indisponibilité (works, closure…)")
    vacancies.add_argument("--until", help="indisponible jusqu'au (AAAA-MM-JJ)")
    for name in ("listen", "run"):
        listen = commands.add_parser(
            name, help="recevoir les webhooks et y réagir" + (" (cas 4 puis 2 à 6)" * (name == "run"))
        )
        listen.add_argument("--host", default="127.0.0.1")
        listen.add_argument("--port", type=int, default=8765)
        listen.add_argument("--end-after", type=float, metavar="SECONDES", help="déclarer la sortie après ce délai")
        if name == "listen":
            listen.add_argument("--policy", choices=POLICIES, default="accept")
        else:
            listen.add_argument("--count", type=int, default=2, help="vacances à publier d'abord")
    answer = commands.add_parser("answer", help="répondre à une candidature (cas 3)")
    answer.add_argument("referral")
    answer.add_argument("decision", choices=["accept", "refuse"])
    answer.add_argument("--reason", default="no_place", help="motif de refus (no_place, public_mismatch…)")
    answer.add_argument("--comment", default="")
    arrive = commands.add_parser("arrive", help="confirmer l'arrivée du ménage (cas 6)")
    arrive.add_argument("referral")
    arrive.add_argument("--place", required=True)
    arrive.add_argument("--date", type=datetime.date.fromisoformat, default=today())
    end = commands.add_parser("end", help="déclarer la sortie (cas 7)")
    end.add_argument("stay")
    end.add_argument("--reason", default="end_of_support")
    end.add_argument("--destination", type=int, help="code de situation à la sortie (défaut : le premier)")
    end.add_argument("--date", type=datetime.date.fromisoformat, default=today())
    return p


def publish_offer(client: SimulatorClient, *, program=None, name="Logements T2", capacity=3, file=None) -> list:
    if file:
        with open(file, encoding="utf-8") as handle:
            document = json.load(handle)
        program, groups = document.get("program", program), document["place_groups"]
    else:
        groups = [{"name": name, "capacity": capacity}]
    if program is None:
        validated = [p for p in client.programs() if p["validation_status"] == "validated"]
        if not validated:
            raise SystemExit("Aucun dispositif validé : indiquez --program.")
        program = validated[0]["id"]
    created = []
    for group in groups:
        created.append(client.create_place_group(program, **{**DEFAULT_GROUP, **group}))
        log(f"groupe « {created[-1]['name']} » publié : {created[-1]['capacity']} logement(s) ({created[-1]['id']})")
    return created


def publish_vacancies(client: SimulatorClient, *, count: int, program: str | None = None) -> list:
    """Rend disponibles `count` places indisponibles, ou occupées sans prise en charge."""
    taken = client.current_stay_places()
    candidates = [
        p["id"]
        for state in ("unavailable", "occupied")
        for p in client.places(program=program, state=state)
        if p["id"] not in taken
    ][:count]
    if not candidates:
        log("aucune place à rendre disponible")
        return []
    published = client.publish_vacancies(candidates)
    log(f"{len(published)} vacance(s) publiée(s)" + (f" (sur {count} demandées)" * (len(published) < count)))
    return published


def listen(client: SimulatorClient, args, policy: str) -> None:
    if not args.webhook_secret:
        raise SystemExit("Indiquez --webhook-secret (ou SIAO_WEBHOOK_SECRET).")
    destination = default_destination(client) if args.end_after is not None else None
    operator = Operator(client, policy=policy, end_after=args.end_after, exit_destination=destination, log=log)
    listener = WebhookListener(WebhookVerifier(args.webhook_secret), operator, host=args.host, port=args.port, log=log)
    log(f"en écoute sur {listener.url} (politique : {policy}) — Ctrl-C pour arrêter")
    try:
        listener.serve_forever()
    except KeyboardInterrupt:
        log("arrêt")
    finally:
        listener.server.server_close()


def show_offer(client: SimulatorClient) -> None:
    for operator in client.operators():
        log(f"entité {operator['name']} (SIREN {operator['siren']}) : {operator['id']}")
    groups = client.place_groups()
    places = client.places()
    for program in client.programs():
        log(f"dispositif {program['name']} [{program['validation_status']}] : {program['id']}")
        for group in (g for g in groups if g["program"] == program["id"]):
            mine = [p for p in places if p["place_group"] == group["id"]]
            states = ", ".join(f"{s} {sum(p['state'] == s for p in mine)}" for s in sorted({p["state"] for p in mine}))
            log(f"  groupe {group['name']} ({group['unit_kind']}, {group['capacity']}) : {group['id']} — {states}")
            for place in mine:
                log(f"    {place['label']} : {place['state']} — {place['id']}")


def run(args) -> int:
    if not args.client_id or not args.client_secret:
        raise SystemExit("Indiquez --client-id et --client-secret (ou SIAO_CLIENT_ID, SIAO_CLIENT_SECRET).")
    client = SimulatorClient(args.base_url, args.client_id, args.client_secret, log=note)
    command = args.command
    if command == "token":
        print(client.token())
    elif command == "offer":
        show_offer(client)
    elif command == "publish-offer":
        publish_offer(client, program=args.program, name=args.name, capacity=args.capacity, file=args.file)
    elif command == "publish-vacancies":
        if args.unavailable:
            place = client.set_place_state(args.unavailable, "unavailable", reason=args.reason, until=args.until)
            log(f"place {place['label']} indisponible (motif : {place['unavailability_reason']})")
        else:
            publish_vacancies(client, count=args.count, program=args.program)
    elif command == "listen":
        listen(client, args, args.policy)
    elif command == "run":
        publish_vacancies(client, count=args.count)
        listen(client, args, "accept")
    elif command == "answer":
        client.decide(args.referral, args.decision == "accept", reason=args.reason, comment=args.comment)
        log(f"candidature {args.referral} : {'acceptée' if args.decision == 'accept' else 'refusée'}")
    elif command == "arrive":
        stay = client.arrive(args.referral, args.place, args.date)
        log(f"arrivée confirmée : prise en charge {stay['id']} depuis le {stay['started_on']}")
    elif command == "end":
        destination = args.destination if args.destination is not None else default_destination(client)
        stay = client.end_stay(args.stay, reason=args.reason, destination=destination, ended_on=args.date)
        log(f"sortie déclarée : prise en charge {stay['id']} terminée le {stay['ended_on']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    started = time.monotonic()
    try:
        return run(args)
    except ApiError as exc:
        log(f"erreur de l'API : {exc}")
        return 1
    except OSError as exc:  # connexion impossible, port pris, fichier absent
        log(f"erreur : {exc}")
        return 2
    finally:
        if args.command not in ("listen", "run", "token"):
            log(f"terminé en {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
