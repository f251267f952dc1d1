"""The publics of the seed: family compositions (with the live SI SIAO's codes where it has
one) and specific publics. Used by a data migration and by tests that flush the database."""

COMPOSITIONS = [
    ("all_public", "Accueil tout public", None),
    ("single_man", "Homme seul", 10),
    ("single_woman", "Femme seule", 20),
    ("unaccompanied_minor", "Enfant / Mineur isolé", 80),
    ("single_man_with_children", "Homme seul avec enfant(s)", 50),
    ("single_woman_with_children", "Femme seule avec enfant(s)", 40),
    ("couple_with_children", "Couple avec enfants", 100),
    ("couple_without_children", "Couple sans enfants", 30),
    ("group_with_children", "Groupe avec enfant(s)", 60),
    ("adult_group", "Groupe d'adultes sans enfant", 70),
    ("minors_group", "Groupe d'enfants / Mineurs", 90),
]
SPECIFIC = [
    ("violence_victims", "FVV"),
    ("refugees", "Réfugiés"),
    ("fsm", "FSM"),
    ("young_people", "Jeunes"),
    ("violence_perpetrators", "Auteurs de violence"),
]


def create_publics(Public, db="default"):
    for position, (code, label, si_siao_code) in enumerate(COMPOSITIONS):
        Public.objects.using(db).update_or_create(
            code=code,
            defaults={"label": label, "kind": "composition", "si_siao_code": si_siao_code, "position": position},
        )
    for position, (code, label) in enumerate(SPECIFIC):
        Public.objects.using(db).update_or_create(
            code=code, defaults={"label": label, "kind": "specific", "position": position}
        )
