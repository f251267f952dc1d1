"""A campaign's results, with the small groups' protection: every figure is an aggregate of at
least SURVEY_MIN_GROUP_SIZE answers.

- Below the threshold in total, only the number of answers is given.
- A profile or territory group below the threshold is merged into « Autres » with the other
  small ones; when « Autres » itself would stay below the threshold, the smallest shown group
  joins it (otherwise « total minus the shown groups » would give the small group back).
- Comments come without any attribute, in the order of the answers' random ids (neither the
  order of arrival nor a group).
- While a campaign is open its results are sealed (`answer_count_for`): only the number of
  answers. Two readings at different moments would otherwise differ by exactly the answers
  given in between (one person's answer, profile and territory)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, Q, Sum

from siao.accounts.enums import Role
from siao.geo.models import Department
from siao.statistics.charts import BARS, LABEL, ROW, TOP, Bar, Chart

from .enums import POSITIVE_AGREEMENTS, Agreement, Territory
from .models import SatisfactionAnswer
from .questions import QUESTIONS, SCORE_CHOICES


def french_number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}".replace(".", ",")


def percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


@dataclass
class Row:
    label: str
    count: int
    share: int  # %


@dataclass
class QuestionResult:
    code: str
    label: str
    short_label: str
    rows: list[Row]
    chart: Chart | None


@dataclass
class Group:
    label: str
    count: int
    score_sum: int
    positives: list[int]  # per question, answers « Tout à fait » or « Plutôt oui »
    merged: bool = False

    @property
    def mean(self) -> float:
        return self.score_sum / self.count

    @property
    def mean_text(self) -> str:
        return french_number(self.mean)

    @property
    def positive_shares(self) -> list[int]:
        return [percent(value, self.count) for value in self.positives]


@dataclass
class Breakdown:
    title: str
    dimension: str  # « Profil », « Territoire »
    groups: list[Group]
    chart: Chart | None
    merged_note: str = ""


@dataclass
class Results:
    scope_label: str
    threshold: int
    total: int
    mean: float | None = None
    scores: list[Row] = field(default_factory=list)
    score_chart: Chart | None = None
    questions: list[QuestionResult] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    sealed: bool = False  # an open campaign: only `total`, nothing else is published yet

    @property
    def published(self) -> bool:
        return not self.sealed and self.total >= self.threshold

    @property
    def mean_text(self) -> str:
        return french_number(self.mean)


def bar_chart(title: str, items: list[tuple[str, float, str]]) -> Chart | None:
    """A horizontal bar chart (siao/statistics/charts.py's geometry) of (label, value, text)."""
    if not items:
        return None
    top = max([value for _, value, _ in items if value] + [1])
    bars = []
    for index, (label, value, text) in enumerate(items):
        width = max(1, round(BARS * value / top)) if value else 0
        bars.append(
            Bar(label=label, y=TOP + index * ROW, width=width, text=text, text_x=LABEL + width + 4, secret=False)
        )
    return Chart(title=title, bars=bars, height=TOP + len(bars) * ROW + 4)


def answers_in_scope(campaign, department_ids=None):
    """All answers (national readers), or those given from the départements (others)."""
    answers = SatisfactionAnswer.objects.filter(campaign=campaign)
    if department_ids is not None:
        answers = answers.filter(territory=Territory.DEPARTMENT, department_id__in=department_ids)
    return answers


def _positive(code: str) -> Q:
    return Q(**{f"{code}__in": POSITIVE_AGREEMENTS})


def _group_aggregates() -> dict:
    return {
        "n": Count("pk"),
        "score_sum": Sum("score"),
        **{f"pos_{q.code}": Count("pk", filter=_positive(q.code)) for q in QUESTIONS},
    }


def _protect(groups: list[Group], threshold: int, what: str) -> tuple[list[Group], str]:
    small = [group for group in groups if group.count < threshold]
    shown = [group for group in groups if group.count >= threshold]
    while small and sum(group.count for group in small) < threshold and shown:
        smallest = min(shown, key=lambda group: (group.count, group.label))
        shown.remove(smallest)
        small.append(smallest)
    if not small:
        return shown, ""
    merged = Group(
        label=f"Autres {what} (regroupés)",
        count=sum(group.count for group in small),
        score_sum=sum(group.score_sum for group in small),
        positives=[sum(values) for values in zip(*(group.positives for group in small), strict=True)],
        merged=True,
    )
    note = (
        f"Les {what} de moins de {threshold} réponses sont regroupés dans « {merged.label} » (avec, si besoin, "
        f"le plus petit des autres, pour que ce regroupement compte lui aussi au moins {threshold} réponses)."
    )
    return [*shown, merged], note


def _groups(rows, label_of) -> list[Group]:
    return [
        Group(
            label=label_of(row),
            count=row["n"],
            score_sum=row["score_sum"] or 0,
            positives=[row[f"pos_{q.code}"] for q in QUESTIONS],
        )
        for row in rows
    ]


def _breakdown(title, dimension, what, groups, threshold) -> Breakdown:
    groups, note = _protect(groups, threshold, what)
    chart = bar_chart(
        f"{title} : note moyenne sur 5", [(group.label, group.mean, group.mean_text) for group in groups]
    )
    return Breakdown(title=title, dimension=dimension, groups=groups, chart=chart, merged_note=note)


ROLE_ORDER = {value: index for index, value in enumerate(Role.values)}


def _territory_label(row) -> str:
    if row["territory"] == Territory.DEPARTMENT:
        return f"{row['department__code']} – {row['department__name']}"
    return Territory(row["territory"]).label


def _territory_key(row) -> tuple:
    order = {Territory.NATIONAL: 0, Territory.DEPARTMENT: 1, Territory.SEVERAL: 2}
    return (order[row["territory"]], row["department__code"] or "")


def results_for(campaign, *, department_ids=None, scope_label: str) -> Results:
    """`department_ids=None`: every answer; otherwise only those given from these départements."""
    threshold = settings.SURVEY_MIN_GROUP_SIZE
    answers = answers_in_scope(campaign, department_ids)
    overall = answers.aggregate(
        n=Count("pk"),
        mean=Avg("score"),
        **{f"score_{value}": Count("pk", filter=Q(score=value)) for value, _ in SCORE_CHOICES},
        **{
            f"{q.code}_{choice}": Count("pk", filter=Q(**{q.code: choice}))
            for q in QUESTIONS
            for choice in Agreement.values
        },
    )
    total = overall["n"]
    results = Results(scope_label=scope_label, threshold=threshold, total=total)
    if total < threshold:
        return results
    results.mean = overall["mean"]
    results.scores = [
        Row(label, overall[f"score_{value}"], percent(overall[f"score_{value}"], total))
        for value, label in SCORE_CHOICES
    ]
    results.score_chart = bar_chart(
        "Note globale : nombre de réponses par note",
        [(row.label, row.count, str(row.count)) for row in results.scores],
    )
    for question in QUESTIONS:
        rows = [
            Row(label, overall[f"{question.code}_{choice}"], percent(overall[f"{question.code}_{choice}"], total))
            for choice, label in Agreement.choices
        ]
        chart = bar_chart(
            f"« {question.label} » : nombre de réponses", [(r.label, r.count, str(r.count)) for r in rows]
        )
        results.questions.append(QuestionResult(question.code, question.label, question.short_label, rows, chart))

    by_role = sorted(
        answers.values("role").annotate(**_group_aggregates()).order_by(),
        key=lambda row: ROLE_ORDER.get(row["role"], 99),
    )
    role_groups = _groups(by_role, lambda row: Role(row["role"]).label if row["role"] in Role.values else row["role"])
    by_territory = sorted(
        answers.values("territory", "department__code", "department__name").annotate(**_group_aggregates()).order_by(),
        key=_territory_key,
    )
    territory_groups = _groups(by_territory, _territory_label)
    results.breakdowns = [
        _breakdown("Par profil", "Profil", "profils", role_groups, threshold),
        _breakdown("Par territoire", "Territoire", "territoires", territory_groups, threshold),
    ]
    results.comments = list(answers.exclude(comment="").order_by("pk").values_list("comment", flat=True))
    return results


def answer_count_for(campaign, *, department_ids=None, scope_label: str) -> Results:
    """An open campaign's results: the number of answers in the scope, and nothing else."""
    total = answers_in_scope(campaign, department_ids).count()
    return Results(scope_label=scope_label, threshold=settings.SURVEY_MIN_GROUP_SIZE, total=total, sealed=True)


def scope_of(actor) -> tuple[frozenset | None, str, str]:
    """(département ids or None for all, label, code for files and the trail)."""
    from .permissions import sees_all_answers

    if sees_all_answers(actor):
        return None, "National (toutes les réponses)", "national"
    ids = actor.perimeter.department_ids
    departments = sorted(Department.objects.filter(pk__in=ids).values_list("code", "name"))
    label = ", ".join(f"{code} – {name}" for code, name in departments) or "aucun département"
    return ids, f"Réponses données depuis : {label}", "-".join(code for code, _ in departments) or "aucun"
