"""The vocabulary of institution types (from the city's practice, see shared/domain/aachen.md).

Loaded into the database by a data migration so staff can extend it; code never branches
on a type.
"""

INSTITUTION_TYPES: list[tuple[str, list[str]]] = [
    (
        "Kinder, Jugend und Familie",
        [
            "Offene Kinder- und Jugendeinrichtung (OT)",
            "Kita",
            "Familienzentrum",
            "Offene Ganztagsschule (OGS)",
            "Schulsozialarbeit",
            "Erziehungsberatung",
        ],
    ),
    ("Schule", ["Grundschule", "Förderschule", "Weiterführende Schule", "Berufskolleg"]),
    (
        "Senior*innen und Pflege",
        [
            "Seniorenbegegnungsstätte",
            "Altenstube",
            "Seniorenzentrum / Pflegeheim",
            "Tagespflege",
            "Ambulanter Pflegedienst",
            "Besuchsdienst",
            "Senior*innenrat",
        ],
    ),
    ("Religion", ["Pfarrei", "Kirchengemeinde", "Moscheegemeinde"]),
    ("Freie Wohlfahrtspflege", ["Wohlfahrtsverband (Beratungsstelle)"]),
    ("Integration", ["Integrationsagentur", "Flüchtlingsinitiative", "Migrant*innenselbstorganisation"]),
    ("Arbeit und Soziales", ["Jobcenter", "Schuldnerberatung", "Wohnungslosenhilfe"]),
    ("Wohnen", ["Wohnungsbaugesellschaft", "Mieterinitiative"]),
    (
        "Bürgerschaft",
        ["Bürgerverein", "Sportverein", "Heimatverein", "Bibliothek", "Stadtteilzeitung"],
    ),
    (
        "Öffentliche Stellen",
        [
            "Bezirksamt",
            "Fachbereich der Stadt",
            "Quartiersmanagement / Stadtteilbüro",
            "Polizei (Bezirksdienst)",
        ],
    ),
]

UMBRELLAS: list[tuple[str, str]] = [
    ("Caritasverband für das Bistum Aachen", "Caritas"),
    ("Sozialdienst katholischer Männer (SKM)", "SKM"),
    ("Sozialdienst katholischer Frauen (SkF)", "SkF"),
    ("Diakonie", "Diakonie"),
    ("Arbeiterwohlfahrt (AWO)", "AWO"),
    ("Deutsches Rotes Kreuz (DRK)", "DRK"),
    ("Der Paritätische", "Der Paritätische"),
    ("Malteser Hilfsdienst", "Malteser"),
    ("Johanniter-Unfall-Hilfe", "Johanniter"),
    ("Stadt Aachen", "Stadt Aachen"),
]
