from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from siao.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Crée les données de démonstration (département 35, DDETS, SIAO, deux entités, un compte par profil)."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError(
                "Les données de démonstration ne sont jamais créées avec la configuration de production."
            )
        created = seed_demo()
        if created:
            self.stdout.write(self.style.SUCCESS(f"{created} comptes de démonstration créés : voir /demo/."))
        else:
            self.stdout.write("Les données de démonstration existent déjà.")
