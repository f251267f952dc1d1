from django.core.management.base import BaseCommand, CommandError

from siao.audit.trail import verify_chain


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal (chaînage des empreintes) et nomme le premier maillon rompu."

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Chaîne rompue à l'événement n° {result.broken_sequence} : {result.reason} "
                f"({result.checked} événements vérifiés avant lui)."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal intègre : {result.checked} événements vérifiés."))
