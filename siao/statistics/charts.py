"""Server-drawn SVG bar charts (no script, no inline style: the CSP forbids them). Each chart
has its data table beside it on the page, the accessible alternative; a secret cell draws no
bar, only its "s"."""

from dataclasses import dataclass

from .disclosure import HIDDEN_MARK, Figure
from .measures import DELAY, OCCUPANCY

WIDTH, LABEL, BARS, ROW, TOP = 640, 210, 360, 22, 8
LABEL_CHARS = 32


@dataclass
class Bar:
    label: str
    y: int
    width: int
    text: str
    text_x: int
    secret: bool


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL

    @property
    def description(self) -> str:
        """The aria-label: what the chart shows, the values being in the table beside it."""
        return f"{self.title}. Les valeurs figurent dans le tableau qui suit."


def _metric(figure: Figure, per_month: bool):
    """What a bar measures: a count, a mean delay (months), an occupancy rate."""
    if figure.kind == OCCUPANCY:
        return figure.rate
    if figure.kind == DELAY and per_month:
        return figure.mean
    return figure.count


def _text(figure: Figure, value, per_month: bool) -> str:
    if figure.secret:
        return f"{HIDDEN_MARK} (secret)"
    if value is None:
        return "—"
    if figure.kind == OCCUPANCY:
        return f"{french(value)} %"
    if figure.kind == DELAY and per_month:
        return f"{french(value)} j"
    return str(value)


def french(value) -> str:
    return str(value).replace(".", ",")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(figures: list[Figure], *, title: str, per_month: bool = False) -> Chart | None:
    if not figures:
        return None
    values = [_metric(figure, per_month) for figure in figures]
    top = max([value for value in values if value] + [1])
    bars = []
    for index, (figure, value) in enumerate(zip(figures, values, strict=True)):
        width = 0 if figure.secret or not value else max(1, round(BARS * value / top))
        bars.append(
            Bar(
                label=_short(figure.label),
                y=TOP + index * ROW,
                width=width,
                text=_text(figure, value, per_month),
                text_x=LABEL + width + 4,
                secret=figure.secret,
            )
        )
    return Chart(title=title, bars=bars, height=TOP + len(bars) * ROW + 4)


def chart_title(publication, *, per_month: bool) -> str:
    measure = publication.measure
    if measure.kind == OCCUPANCY:
        what = "Taux d'occupation (%)"
    elif measure.kind == DELAY and per_month:
        what = f"{measure.label} : délai moyen en jours"
    else:
        what = f"{measure.label} ({measure.unit})"
    return f"{what}, par mois" if per_month else f"{what}, par {publication.dimension_label.lower()}"
