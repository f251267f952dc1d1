"""Deliver the partner webhooks: `python manage.py webhook_worker` (a loop, several may run)
or `--once` (deliver what is due, then stop: cron, tests)."""

import time

import requests
from django.core.management.base import BaseCommand

from siao.partners.api.middleware import purge_idempotency_records
from siao.partners.delivery import deliver_batch, deliver_due


class Command(BaseCommand):
    help = "Remet les webhooks aux partenaires (boucle, ou --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Remettre ce qui est dû, puis s'arrêter.")
        parser.add_argument("--batch-size", type=int, default=50)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--idle-seconds", type=float, default=1.0)

    def handle(self, *args, once, batch_size, threads, idle_seconds, **options):
        if once:
            count = deliver_due(limit=batch_size, threads=threads)
            self.stdout.write(f"{count} remise(s) tentée(s).")
            return
        session = requests.Session()
        last_purge = 0.0
        while True:
            if time.monotonic() - last_purge > 3600:
                purge_idempotency_records()
                last_purge = time.monotonic()
            if not deliver_batch(session, limit=batch_size, threads=threads):
                time.sleep(idle_seconds)
