"""Deliver the partner webhooks: `python manage.py webhook_worker` (a loop, several may run)
or `--once` (deliver what is due, then stop: cron, tests).

SIGTERM or SIGINT stops the loop after the batch in flight is settled. A database error
(a restart, a failover) does not end the worker: it drops the connection, waits and goes on;
the events it had claimed are claimed again when their lease ends."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from siao.partners.api.middleware import purge_idempotency_records
from siao.partners.delivery import deliver_batch, deliver_due, new_session

logger = logging.getLogger(__name__)


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
        self.stopping = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        session = new_session(threads)
        last_purge = 0.0
        while not self.stopping:
            try:
                if time.monotonic() - last_purge > 3600:
                    purge_idempotency_records()
                    last_purge = time.monotonic()
                delivered = deliver_batch(session, limit=batch_size, threads=threads)
            except DatabaseError:
                logger.exception("webhook_worker: database error, retrying")
                connection.close()
                delivered = 0
            if not delivered and not self.stopping:
                time.sleep(idle_seconds)
        self.stdout.write("Arrêt demandé : lot en cours réglé, fin.")

    def _stop(self, signum, frame):
        self.stopping = True
