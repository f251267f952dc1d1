"""Close what the past nights left open (run each morning after EMERGENCY_NIGHT_CHANGE_HOUR):
requests of a past night still pending (did not call back) or oriented (did not come, places
freed), and sheltered stays whose nights were not renewed (the stay ends, places freed).
Idempotent: run it twice, the second run changes nothing."""

from django.core.management.base import BaseCommand

from siao.emergency import actions
from siao.emergency.nights import tonight


class Command(BaseCommand):
    help = "Clôt les demandes et prises en charge du 115 laissées ouvertes par les nuits passées."

    def handle(self, *args, **options):
        counts = actions.rollover_nights()
        self.stdout.write(
            f"Changement de nuit (nuit du {tonight():%d/%m/%Y}) : "
            f"{counts['no_callback']} demande(s) sans rappel, "
            f"{counts['no_show']} ménage(s) ne s'étant pas présenté(s), "
            f"{counts['stays_ended']} prise(s) en charge terminée(s) faute de reconduction."
        )
