"""Benchmark of the help centre's search and of the suggestions shown while typing a support
request (issue 8), not a test: ~5 000 published articles, timed through the real stack
(django.test.Client, anonymous). Prints a Markdown table for docs/performance.md.

    .venv/bin/python -m bench.knowledge                  # SQLite file var/bench_knowledge.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_knowledge \\
    ARCHIVE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_knowledge_archive \\
    STATS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/siao_bench_knowledge_stats \\
        .venv/bin/python -m bench.knowledge --articles 5000
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_ENV"] = "dev"
os.environ["DEMO_MODE"] = "false"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bench_knowledge.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

_WORDS = (
    "habilitation connexion ProConnect profil place disponible dispositif orientation demande ménage évaluation "
    "hébergement logement accompagnement SIAO écoutant maraude signalement nuit urgence préconisation admission "
    "refus motif capacité groupe gestionnaire entité département statistiques export journal archive conservation "
    "référent travailleur social personne enfant situation résidentielle parcours séjour sortie renouvellement "
    "contingent préfectoral réservation liste attente critère priorité public accueil fiche coordonnées mise à jour"
)
VOCABULARY = _WORDS.split()


def paragraph(rng, words: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def generate(count: int) -> int:
    from django.utils import timezone

    from siao.knowledge.enums import ArticleStatus
    from siao.knowledge.models import Article, Topic

    if Article.objects.filter(slug__startswith="bench-").count() >= count:
        return 0
    Article.objects.filter(slug__startswith="bench-").delete()
    rng = random.Random(8)  # noqa: S311 (benchmark data)
    topics = [
        Topic.objects.get_or_create(slug=f"bench-theme-{n}", defaults={"name": f"Thème {n}", "position": n})[0]
        for n in range(12)
    ]
    now = timezone.now()
    articles = []
    for n in range(count):
        article = Article(
            topic=topics[n % len(topics)],
            title=paragraph(rng, 6)[:-1],
            slug=f"bench-{n}",
            summary=paragraph(rng, 20),
            body="\n\n".join(paragraph(rng, 60) for _ in range(5)),  # ~2 500 characters
            status=ArticleStatus.PUBLISHED,
            published_at=now - datetime.timedelta(minutes=n),
        )
        article.refresh_search_fields()
        articles.append(article)
    Article.objects.bulk_create(articles, batch_size=500)
    return count


def timed(client, url: str, repeat: int) -> tuple[list[float], int]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    created = generate(args.articles)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_article")
    print(f"data: {created} articles created ({time.perf_counter() - started:.1f} s) on {connection.vendor}",
          file=sys.stderr)  # fmt: skip
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    search, suggestions = reverse("knowledge:search"), reverse("knowledge:suggestions")
    cases = [
        ("search, one common word", f"{search}?{urlencode({'q': 'habilitation'})}"),
        ("search, three words", f"{search}?{urlencode({'q': 'Hébergement ménage PRÉCONISATION'})}"),
        ("search, no match", f"{search}?{urlencode({'q': 'girafe'})}"),
        ("search, 8 words, 200 characters", f"{search}?{urlencode({'q': ' '.join(VOCABULARY[:8]) * 3})}"),
        (
            "suggestions, subject + description",
            f"{suggestions}?"
            + urlencode(
                {
                    "subject": "Impossible de déclarer une place disponible",
                    "description": "Bonjour, depuis ce matin le dispositif n'apparaît plus dans la liste des places "
                    "et je ne peux pas mettre à jour la capacité du groupe. Merci de votre aide.",
                }
            ),
        ),
        ("suggestions, nothing significant", f"{suggestions}?{urlencode({'subject': 'aide'})}"),
    ]
    print(f"\n{connection.vendor}, {args.articles} published articles (~2 500 characters each)\n")
    print("| measure | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|")
    for name, url in cases:
        timings, queries = timed(client, url, args.repeat)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
