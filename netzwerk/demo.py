"""Demo data: the real geography and networks of Aachen, invented institutions and people.

Facts come from ``shared/domain/aachen.md``: the seven Stadtbezirke, the names of the
Sozialräume and Lebensräume where they are known, the Stadtteilkonferenzen with their
founding years, the OAG and the Sozialraumkonferenz. Everything else is invented and
flagged: areas and networks whose names are not verified carry ``is_invented=True``;
institutions and people are fictional throughout (addresses ``@example.org``, no phone
numbers), and no invented person is attached to a real, named institution. Every row made
here carries ``is_demo=True``, which switches on the "Demodaten – fiktiv" marker.

Seeding is idempotent: rows are found by stable natural keys (slugs, area codes, e-mail
addresses) and saved only when a value differs, so a second run writes nothing. Rows that
are not demo rows (``is_demo=False``) are never changed, only reused.
"""

import datetime
import enum
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import get_hashers_by_algorithm, make_password
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from contacts import services
from contacts.models import (
    Affiliation,
    Area,
    Consent,
    ContactChannel,
    Institution,
    InstitutionType,
    Membership,
    Network,
    Person,
    Street,
    Topic,
    Umbrella,
    User,
    Visibility,
)
from contacts.selectors import SOZIALPLANUNG_GROUP
from contacts.textsearch import fold
from netzwerk.selectors import DEMO_MARKER_CACHE_KEY

BERLIN = ZoneInfo("Europe/Berlin")
CONSENT_TEXT_VERSION = "2025-01"


# --- the three demo logins -------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """A demo account and the invented person behind it."""

    label: str
    email: str
    password: str
    given_name: str
    family_name: str
    form_of_address: str
    is_staff: bool = False


# Fixed, documented passwords: the demo is public and fictional; nothing real is behind them.
DEMO_LOGINS = [
    DemoLogin(
        label="Sozialplanung",
        email="sozialplanung@example.org",
        password="demo-sozialplanung",
        given_name="Erika",
        family_name="Mustermann",
        form_of_address="Frau",
        is_staff=True,
    ),
    DemoLogin(
        label="Sprecherin der Stadtteilkonferenz Burtscheid",
        email="sprecherin@example.org",
        password="demo-sprecherin",
        given_name="Sabine",
        family_name="Beispiel",
        form_of_address="Frau",
    ),
    DemoLogin(
        label="Mitglied der Stadtteilkonferenz Burtscheid",
        email="mitglied@example.org",
        password="demo-mitglied",
        given_name="Max",
        family_name="Mustermann",
        form_of_address="Herr",
    ),
]
PLANNER, SPEAKER, MEMBER = DEMO_LOGINS
# The demo speaker works here and represents it in the Stadtteilkonferenz Burtscheid.
SPEAKER_INSTITUTION = "Kita Wasserfloh"


# --- geography -------------------------------------------------------------------------

# (slug, name) of the seven Stadtbezirke [verified].
DISTRICTS = [
    ("aachen-mitte", "Aachen-Mitte"),
    ("brand", "Brand"),
    ("eilendorf", "Eilendorf"),
    ("haaren", "Haaren"),
    ("kornelimuenster-walheim", "Kornelimünster/Walheim"),
    ("laurensberg", "Laurensberg"),
    ("richterich", "Richterich"),
]

# (number, name, Stadtbezirk slug, name invented?, description). Verified names: 1, 2, 8,
# 13, 14 and "Brand" (its number is not known). 5 is inferred from its Lebensräume.
SOCIAL_AREAS = [
    (1, "Zentrum und Soers", "aachen-mitte", False, ""),
    (2, "Hochschulviertel und Hörn", "aachen-mitte", False, ""),
    (3, "Aachen-Nord", "aachen-mitte", True, ""),
    (4, "Aachen-Ost / Rothe Erde", "aachen-mitte", True, ""),
    (5, "Burtscheid / Frankenberg", "aachen-mitte", True, "Name aus den belegten Lebensräumen erschlossen."),
    (6, "Forst / Driescher Hof", "aachen-mitte", True, ""),
    (7, "Südviertel und Preuswald", "aachen-mitte", True, ""),
    (8, "Haaren und Verlautenheide", "haaren", False, ""),
    (9, "Eilendorf", "eilendorf", True, ""),
    (10, "Brand", "brand", False, "Der Name ist belegt, die Nummer für die Demo angenommen."),
    (11, "Laurensberg", "laurensberg", True, ""),
    (12, "Richterich", "richterich", True, ""),
    (13, "Kornelimünster und Oberforstbach", "kornelimuenster-walheim", False, ""),
    (14, "Walheim", "kornelimuenster-walheim", False, ""),
]

# (code, name, Sozialraum number, name invented?). Code = statistical district × 10 plus a
# sub-index (0 when the district is one Lebensraum). Verified as Lebensraum names: those of
# Sozialraum 5 and of Aachen-Ost; names of unsplit districts are the statistical ones.
LIVING_AREAS = [
    ("100", "Markt", 1, False),
    ("130", "Theater", 1, False),
    ("140", "Lindenplatz", 1, False),
    ("210", "Ponttor", 1, False),
    ("220", "Hansemannplatz", 1, False),
    ("230", "Soers", 1, False),
    ("150", "St. Jakob", 2, False),
    ("161", "Westpark", 2, True),
    ("162", "Vaalser Straße", 2, True),
    ("170", "Hanbruch", 2, False),
    ("181", "Hörn", 2, True),
    ("182", "Melaten", 2, True),
    ("241", "Jülicher Straße", 3, True),
    ("242", "Rehmviertel", 3, True),
    ("251", "Kalkofen", 3, True),
    ("252", "Talbot", 3, True),
    ("310", "Kaiserplatz", 4, False),
    ("320", "Adalbertsteinweg", 4, False),
    ("330", "Panneschopp", 4, False),
    ("341", "Rothe Erde", 4, False),
    ("342", "Drimbornstraße", 4, False),
    ("351", "Scheibenstraße/Eifelstraße", 4, False),
    ("352", "Trierer Straße", 4, True),
    ("362", "Frankenberg", 5, False),
    ("363", "Frankenberg-Süd", 5, True),
    ("410", "Beverau", 5, False),
    ("420", "Burtscheid Kurgarten", 5, False),
    ("430", "Burtscheid Abtei", 5, False),
    ("460", "Burtscheid Steinebrück", 5, False),
    ("361", "Schönforst", 6, True),
    ("371", "Forst", 6, True),
    ("372", "Driescher Hof", 6, True),
    ("470", "Marschiertor", 7, False),
    ("481", "Hangeweiher", 7, True),
    ("482", "Preuswald", 7, True),
    ("531", "Haaren", 8, True),
    ("532", "Hüls", 8, True),
    ("533", "Verlautenheide", 8, True),
    ("521", "Eilendorf-Mitte", 9, True),
    ("522", "Eilendorf-Süd", 9, True),
    ("523", "Nirm", 9, True),
    ("524", "Eilendorf-Nord", 9, True),
    ("511", "Brand-Mitte", 10, True),
    ("512", "Brander Feld", 10, True),
    ("513", "Eich", 10, True),
    ("514", "Freund", 10, True),
    ("515", "Hitfeld und Niederforstbach", 10, True),
    ("640", "Vaalserquartier", 11, False),
    ("651", "Laurensberg", 11, True),
    ("652", "Kronenberg und Gut Kullen", 11, True),
    ("653", "Seffent und Steppenberg", 11, True),
    ("654", "Vetschau, Orsbach und Lemiers", 11, True),
    ("881", "Richterich", 12, True),
    ("882", "Horbach und Huf", 12, True),
    ("610", "Kornelimünster", 13, False),
    ("621", "Oberforstbach", 13, True),
    ("622", "Lichtenbusch", 13, True),
    ("631", "Walheim", 14, True),
    ("632", "Friesenrath und Hahn", 14, True),
    ("633", "Schmithof, Sief und Nütheim", 14, True),
]


# --- topics and networks ---------------------------------------------------------------

# (slug, name)
TOPICS = [
    ("kinder-und-jugendliche", "Kinder und Jugendliche"),
    ("familie", "Familie"),
    ("bildung", "Bildung"),
    ("senior-innen", "Senior*innen"),
    ("gesundheit-und-pflege", "Gesundheit und Pflege"),
    ("integration", "Integration"),
    ("wohnen", "Wohnen"),
    ("mobilitaet", "Mobilität"),
    ("nachbarschaft", "Nachbarschaft und Stadtteilleben"),
    ("armut-und-teilhabe", "Armut und Teilhabe"),
]

STK = Network.Kind.NEIGHBOURHOOD_CONFERENCE
OAG = Network.Kind.SENIORS_WORKING_GROUP
SRK = Network.Kind.SOCIAL_AREA_CONFERENCE
AK = Network.Kind.WORKING_GROUP


@dataclass(frozen=True)
class NetworkData:
    """One network of the demo. Areas are "B:<slug>", "S:<number>" or "L:<code>"."""

    slug: str
    kind: str
    name: str
    short_name: str
    areas: tuple[str, ...]
    topics: tuple[str, ...] = ()
    founded_year: int | None = None
    rhythm: str = ""
    description: str = ""
    is_invented: bool = False
    parent: str | None = None
    # Institution categories an OAG or Arbeitskreis draws its members from (all if empty).
    member_categories: tuple[str, ...] = ()
    # Forst / Driescher Hof had only institutional members (2018).
    individual_members: bool = True
    # Brander Feld elects a three-person Sprechergremium instead of speaker and deputy.
    speaker_board: bool = False


SENIOR_CATEGORIES = ("Senior*innen und Pflege", "Religion", "Freie Wohlfahrtspflege", "Bürgerschaft")
YOUTH_CATEGORIES = ("Kinder, Jugend und Familie", "Schule")

NEIGHBOURHOOD_TOPICS = ("nachbarschaft", "kinder-und-jugendliche", "senior-innen", "integration")

NETWORKS = [
    # The nine Stadtteilkonferenzen [verified; details only where published].
    NetworkData(
        slug="stk-forst-driescher-hof",
        kind=STK,
        name="Stadtteilkonferenz Forst / Driescher Hof",
        short_name="STK Forst / Driescher Hof",
        areas=("S:6",),
        topics=NEIGHBOURHOOD_TOPICS,
        founded_year=1989,
        description=(
            "Eine Stadtteilkonferenz für Forst und den Driescher Hof, gegründet 1989 – die älteste "
            "in Aachen. Mitglieder sind die Einrichtungen im Stadtteil."
        ),
        individual_members=False,
    ),
    NetworkData(
        slug="stk-aachen-ost-rothe-erde",
        kind=STK,
        name="Stadtteilkonferenz Aachen-Ost / Rothe Erde",
        short_name="STK Aachen-Ost / Rothe Erde",
        areas=("S:4",),
        topics=(*NEIGHBOURHOOD_TOPICS, "armut-und-teilhabe", "wohnen"),
        founded_year=1996,
        description=(
            "Gegründet 1996; die Konferenz tagt in der Nadelfabrik, Reichsweg 30. 2015 hatte sie "
            "44 Mitglieder. Einmal im Jahr lädt sie Lokalpolitiker*innen aller Parteien zu einer "
            "gemeinsamen Sitzung ein."
        ),
    ),
    NetworkData(
        slug="stk-preuswald",
        kind=STK,
        name="Stadtteilkonferenz Preuswald",
        short_name="STK Preuswald",
        areas=("L:482",),
        topics=NEIGHBOURHOOD_TOPICS,
        founded_year=2010,
        description="Die Einrichtungen und Engagierten im Preuswald arbeiten seit 2010 zusammen.",
    ),
    NetworkData(
        slug="stk-aachen-nord",
        kind=STK,
        name="Stadtteilkonferenz Aachen-Nord",
        short_name="STK Aachen-Nord",
        areas=("S:3",),
        topics=(*NEIGHBOURHOOD_TOPICS, "wohnen"),
        founded_year=2011,
        rhythm="etwa alle zwei Monate",
        description="Gegründet 2011; trifft sich etwa alle zwei Monate, dazu kommt eine Vollversammlung.",
    ),
    NetworkData(
        slug="stk-brander-feld",
        kind=STK,
        name="Stadtteilkonferenz Brander Feld",
        short_name="STK Brander Feld",
        areas=("L:512",),
        topics=(*NEIGHBOURHOOD_TOPICS, "bildung"),
        founded_year=2012,
        description=(
            "Gegründet 2012. Ein gewähltes dreiköpfiges Sprechergremium leitet die Konferenz; "
            "im Arbeitskreis Jugend und Bildung arbeiten Schulen und Jugendeinrichtungen zusammen."
        ),
        speaker_board=True,
    ),
    NetworkData(
        slug="stk-eilendorf",
        kind=STK,
        name="Stadtteilkonferenz Eilendorf",
        short_name="STK Eilendorf",
        areas=("S:9",),
        topics=(*NEIGHBOURHOOD_TOPICS, "mobilitaet", "familie"),
        founded_year=2018,
        rhythm="etwa vierteljährlich",
        description=(
            "Gegründet 2018; trifft sich etwa vierteljährlich. Arbeitskreise zu Mobilität und „Kind und Kegel“."
        ),
    ),
    NetworkData(
        slug="stk-burtscheid",
        kind=STK,
        name="Stadtteilkonferenz Burtscheid",
        short_name="STK Burtscheid",
        areas=("L:410", "L:420", "L:430", "L:460"),
        topics=NEIGHBOURHOOD_TOPICS,
        founded_year=2018,
        rhythm="viermal im Jahr",
        description=(
            "Gegründet 2018; trifft sich viermal im Jahr. Das Sprecherteam wird alle zwei Jahre "
            "gewählt; Einladungen und Protokolle sind öffentlich. Einzelne Themen bearbeiten "
            "Arbeitskreise."
        ),
    ),
    NetworkData(
        slug="stk-kronenberg",
        kind=STK,
        name="Stadtteilkonferenz Kronenberg",
        short_name="STK Kronenberg",
        areas=("L:652",),
        topics=NEIGHBOURHOOD_TOPICS,
        description="Stadtteilkonferenz für Kronenberg und Gut Kullen.",
    ),
    NetworkData(
        slug="stk-haaren-verlautenheide",
        kind=STK,
        name="Stadtteilkonferenz Haaren/Verlautenheide",
        short_name="STK Haaren/Verlautenheide",
        areas=("S:8",),
        topics=NEIGHBOURHOOD_TOPICS,
        description="Stadtteilkonferenz für Haaren, Hüls und Verlautenheide.",
    ),
    # The eight OAG: one verified, seven with invented names (one per remaining district).
    NetworkData(
        slug="oag-eilendorf-rothe-erde",
        kind=OAG,
        name="ÖAG für und mit Senioren in Eilendorf und Rothe Erde",
        short_name="ÖAG Eilendorf / Rothe Erde",
        areas=("S:4", "S:9"),
        topics=("senior-innen", "gesundheit-und-pflege"),
        founded_year=1990,
        description=(
            "Seit 1990. Richtet den Seniorentag mit einem „Markt der Möglichkeiten“ aus. Auch als "
            "„OAG Altenarbeit Aachen-Ost und Rothe Erde“ bekannt."
        ),
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-innenstadt",
        kind=OAG,
        name="OAG Altenarbeit Innenstadt",
        short_name="OAG Innenstadt",
        areas=("S:1", "S:2", "S:3"),
        topics=("senior-innen", "gesundheit-und-pflege"),
        rhythm="etwa alle zwei Monate",
        description="Erfundenes Netzwerk der Demo: Altenarbeit in der Innenstadt und in Aachen-Nord.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-burtscheid-forst-sueden",
        kind=OAG,
        name="OAG Altenarbeit Burtscheid, Forst und Süden",
        short_name="OAG Burtscheid/Forst",
        areas=("S:5", "S:6", "S:7"),
        topics=("senior-innen", "gesundheit-und-pflege"),
        rhythm="viermal im Jahr",
        description="Erfundenes Netzwerk der Demo: Altenarbeit in Burtscheid, Frankenberg, Forst und im Süden.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-brand",
        kind=OAG,
        name="OAG Altenarbeit Brand",
        short_name="OAG Brand",
        areas=("B:brand",),
        topics=("senior-innen",),
        rhythm="viermal im Jahr",
        description="Erfundenes Netzwerk der Demo.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-haaren-verlautenheide",
        kind=OAG,
        name="OAG Altenarbeit Haaren und Verlautenheide",
        short_name="OAG Haaren",
        areas=("B:haaren",),
        topics=("senior-innen",),
        rhythm="etwa alle zwei Monate",
        description="Erfundenes Netzwerk der Demo.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-kornelimuenster-walheim",
        kind=OAG,
        name="OAG Altenarbeit Kornelimünster/Walheim",
        short_name="OAG Kornelimünster/Walheim",
        areas=("B:kornelimuenster-walheim",),
        topics=("senior-innen", "mobilitaet"),
        rhythm="dreimal im Jahr",
        description="Erfundenes Netzwerk der Demo.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-laurensberg",
        kind=OAG,
        name="OAG Altenarbeit Laurensberg",
        short_name="OAG Laurensberg",
        areas=("B:laurensberg",),
        topics=("senior-innen",),
        rhythm="viermal im Jahr",
        description="Erfundenes Netzwerk der Demo.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    NetworkData(
        slug="oag-richterich",
        kind=OAG,
        name="OAG Altenarbeit Richterich",
        short_name="OAG Richterich",
        areas=("B:richterich",),
        topics=("senior-innen",),
        rhythm="zweimal im Jahr",
        description="Erfundenes Netzwerk der Demo.",
        is_invented=True,
        member_categories=SENIOR_CATEGORIES,
    ),
    # The Sozialraumkonferenz [verified; theme only].
    NetworkData(
        slug="sozialraumkonferenz-kornelimuenster-walheim",
        kind=SRK,
        name="Sozialraumkonferenz Kornelimünster/Walheim",
        short_name="SRK Kornelimünster/Walheim",
        areas=("B:kornelimuenster-walheim",),
        topics=("kinder-und-jugendliche",),
        description="Netzwerk zum Thema Kinder und Jugendliche im Stadtbezirk Kornelimünster/Walheim.",
    ),
]

WORKING_GROUPS = [
    NetworkData(
        slug="ak-jugend-und-bildung-brander-feld",
        kind=AK,
        name="Arbeitskreis Jugend und Bildung",
        short_name="AK Jugend und Bildung (Brander Feld)",
        areas=("L:512",),
        topics=("kinder-und-jugendliche", "bildung"),
        parent="stk-brander-feld",
        member_categories=YOUTH_CATEGORIES,
    ),
    NetworkData(
        slug="ak-mobilitaet-eilendorf",
        kind=AK,
        name="Arbeitskreis Mobilität",
        short_name="AK Mobilität (Eilendorf)",
        areas=("S:9",),
        topics=("mobilitaet",),
        parent="stk-eilendorf",
        member_categories=("Senior*innen und Pflege", "Bürgerschaft"),
    ),
    NetworkData(
        slug="ak-kind-und-kegel-eilendorf",
        kind=AK,
        name="Arbeitskreis „Kind und Kegel“",
        short_name="AK Kind und Kegel (Eilendorf)",
        areas=("S:9",),
        topics=("familie", "kinder-und-jugendliche"),
        parent="stk-eilendorf",
        member_categories=YOUTH_CATEGORIES,
    ),
    NetworkData(
        slug="ak-aelter-werden-burtscheid",
        kind=AK,
        name="Arbeitskreis Älter werden in Burtscheid",
        short_name="AK Älter werden (Burtscheid)",
        areas=("L:410", "L:420", "L:430", "L:460"),
        topics=("senior-innen",),
        description="Erfundener Arbeitskreis der Demo.",
        is_invented=True,
        parent="stk-burtscheid",
        member_categories=("Senior*innen und Pflege", "Religion", "Bürgerschaft"),
    ),
]


# --- invented institutions -------------------------------------------------------------

# Postal codes by Sozialraum (approximate; the streets are real, the numbers invented).
POSTAL_CODES = {
    1: "52062",
    2: "52074",
    3: "52070",
    4: "52068",
    5: "52066",
    6: "52078",
    7: "52074",
    8: "52080",
    9: "52080",
    10: "52078",
    11: "52074",
    12: "52072",
    13: "52076",
    14: "52076",
}

STEP_FREE = Institution.Accessibility.STEP_FREE
PARTLY = Institution.Accessibility.PARTLY
UNKNOWN = Institution.Accessibility.UNKNOWN
# Long type names, shortened so that each institution fits on one line.
OT = "Offene Kinder- und Jugendeinrichtung (OT)"
CARE_HOME = "Seniorenzentrum / Pflegeheim"
MSO = "Migrant*innenselbstorganisation"

# (name, institution type, Träger short name or None, Lebensraum code, street, accessibility)
INSTITUTIONS = [
    # Forst / Driescher Hof
    ("OT Funkenflug", OT, "Stadt Aachen", "371", "Trierer Straße 417", STEP_FREE),
    ("Kita Wolkenschiff", "Kita", "AWO", "372", "Lintertstraße 86", STEP_FREE),
    ("Seniorentreff Lindenblatt", "Seniorenbegegnungsstätte", "Caritas", "371", "Schönforststraße 23", PARTLY),
    ("Grundschule Am Apfelgarten", "Grundschule", "Stadt Aachen", "361", "Schönforststraße 91", UNKNOWN),
    ("Mieterinitiative Hofgarten", "Mieterinitiative", None, "372", "Lintertstraße 120", UNKNOWN),
    # Aachen-Ost / Rothe Erde
    ("Familienzentrum Sonnenwinkel", "Familienzentrum", "Caritas", "320", "Elsassstraße 141", STEP_FREE),
    ("Jugendtreff Leuchtturm", OT, "Diakonie", "341", "Stolberger Straße 208", PARTLY),
    ("Integrationsagentur Vielfalt", "Integrationsagentur", "AWO", "330", "Adalbertsteinweg 263", STEP_FREE),
    ("Moscheegemeinde Morgenlicht", "Moscheegemeinde", None, "342", "Drimbornstraße 77", UNKNOWN),
    ("Schuldnerberatung Kompass", "Schuldnerberatung", "SKM", "310", "Düppelstraße 19", PARTLY),
    ("Altenstube Zum Kleeblatt", "Altenstube", "AWO", "351", "Scheibenstraße 44", STEP_FREE),
    ("Gesamtschule Am Wasserturm", "Weiterführende Schule", "Stadt Aachen", "352", "Eifelstraße 152", STEP_FREE),
    # Preuswald
    ("Jugendtreff Waldblick", OT, "Stadt Aachen", "482", "Preusweg 112", PARTLY),
    ("Kita Tannenzapfen", "Kita", "Johanniter", "482", "Preusweg 47", STEP_FREE),
    ("Nachbarschaftsverein Waldrand", "Bürgerverein", None, "482", "Lütticher Straße 544", UNKNOWN),
    ("Besuchsdienst Wegbegleiter", "Besuchsdienst", "Malteser", "482", "Lütticher Straße 506", UNKNOWN),
    # Aachen-Nord
    ("Bürgerverein Nordlicht", "Bürgerverein", None, "241", "Jülicher Straße 181", UNKNOWN),
    ("OGS Pusteblume", "Offene Ganztagsschule (OGS)", "AWO", "242", "Feldstraße 66", STEP_FREE),
    ("Flüchtlingsinitiative Ankerplatz", "Flüchtlingsinitiative", None, "251", "Talbotstraße 39", PARTLY),
    ("Wohnungsgenossenschaft Grüner Hof", "Wohnungsbaugesellschaft", None, "252", "Passstraße 93", STEP_FREE),
    ("Seniorenzentrum Haus Rosengarten", CARE_HOME, "DRK", "251", "Jülicher Straße 322", STEP_FREE),
    ("Tagesaufenthalt Unterdach", "Wohnungslosenhilfe", "Diakonie", "241", "Feldstraße 12", PARTLY),
    # Brander Feld
    ("Jugendzentrum Sprungbrett", OT, "Stadt Aachen", "512", "Rombachstraße 74", STEP_FREE),
    ("Grundschule Zum Sternenhimmel", "Grundschule", "Stadt Aachen", "512", "Debyestraße 31", STEP_FREE),
    ("Schulsozialarbeit Brückenbauer", "Schulsozialarbeit", "AWO", "512", "Debyestraße 35", STEP_FREE),
    ("Familienzentrum Kleine Strolche", "Familienzentrum", "DRK", "512", "Rombachstraße 102", PARTLY),
    ("Mieterinitiative Feldblick", "Mieterinitiative", None, "512", "Rombachstraße 9", UNKNOWN),
    # Eilendorf
    ("Kita Purzelbaum", "Kita", "Caritas", "521", "Von-Coels-Straße 214", STEP_FREE),
    ("Familienzentrum Schatzkiste", "Familienzentrum", "AWO", "522", "Heckstraße 58", STEP_FREE),
    ("Tagespflege Lindenhof", "Tagespflege", "Johanniter", "523", "Nirmer Straße 121", STEP_FREE),
    ("Bürgerverein Kirschblüte", "Bürgerverein", None, "524", "Von-Coels-Straße 87", UNKNOWN),
    ("Sportfreunde Morgenrot", "Sportverein", None, "521", "Heckstraße 140", PARTLY),
    ("Treffpunkt Kaffeekanne", "Seniorenbegegnungsstätte", "Diakonie", "522", "Von-Coels-Straße 301", STEP_FREE),
    # Burtscheid
    ("Stadtteilzeitung Quellenbote", "Stadtteilzeitung", None, "430", "Altdorfstraße 48", UNKNOWN),
    ("Kita Wasserfloh", "Kita", "SkF", "420", "Kurbrunnenstraße 73", STEP_FREE),
    ("Seniorenzentrum Haus Quellgrund", CARE_HOME, "Caritas", "430", "Dammstraße 117", STEP_FREE),
    ("Pflegedienst Sonnenuhr", "Ambulanter Pflegedienst", "DRK", "460", "Malmedyer Straße 86", PARTLY),
    ("Kirchengemeinde Am Brunnen", "Kirchengemeinde", None, "410", "Viktoriaallee 58", PARTLY),
    ("Heimatfreunde Kurpark", "Heimatverein", None, "420", "Kurbrunnenstraße 12", UNKNOWN),
    ("Bücherstube Am Kurgarten", "Bibliothek", None, "420", "Dammstraße 3", STEP_FREE),
    # Kronenberg
    ("Stadtteiltreff Sonnenhügel", "Bürgerverein", None, "652", "Kronenberg 131", PARTLY),
    ("Kita Löwenzahn", "Kita", "Der Paritätische", "652", "Kullenhofstraße 64", STEP_FREE),
    ("Altenstube Am Hang", "Altenstube", "Malteser", "652", "Kronenberg 37", UNKNOWN),
    # Haaren / Verlautenheide
    ("Jugendtreff Zündfunke", OT, "Caritas", "532", "Haarener Gracht 89", PARTLY),
    ("Grundschule Am Weidenbach", "Grundschule", "Stadt Aachen", "531", "Alt-Haarener Straße 176", STEP_FREE),
    ("Altenstube Lindenkrug", "Altenstube", "Caritas", "533", "Verlautenheidener Straße 118", PARTLY),
    ("Kulturverein Brücke der Freundschaft", MSO, None, "531", "Alt-Haarener Straße 62", UNKNOWN),
    ("Turnfreunde Wiesental", "Sportverein", None, "533", "Verlautenheidener Straße 20", UNKNOWN),
    # Kornelimünster / Walheim
    ("Jugendtreff Flussufer", OT, "Stadt Aachen", "610", "Schleckheimer Straße 41", PARTLY),
    ("Kita Kleeblatt", "Kita", "Caritas", "621", "Oberforstbacher Straße 233", STEP_FREE),
    ("Familienzentrum Sternschnuppe", "Familienzentrum", "Johanniter", "631", "Prämienstraße 54", STEP_FREE),
    ("Seniorentreff Mühlrad", "Seniorenbegegnungsstätte", "AWO", "632", "Schleidener Straße 312", UNKNOWN),
    # elsewhere
    ("Beratungsstelle Wegweiser", "Wohlfahrtsverband (Beratungsstelle)", "Caritas", "210", "Pontstraße 148", PARTLY),
    ("Treffpunkt Stadtmauer", "Seniorenbegegnungsstätte", "Der Paritätische", "220", "Peterstraße 77", STEP_FREE),
    ("Erziehungsberatung Lichtblick", "Erziehungsberatung", "SkF", "130", "Theaterstraße 95", STEP_FREE),
    ("Förderschule Sonnenseite", "Förderschule", "Stadt Aachen", "181", "Rütscher Straße 151", STEP_FREE),
    ("Berufskolleg Zukunftswerk", "Berufskolleg", "Stadt Aachen", "162", "Vaalser Straße 318", STEP_FREE),
    ("Begegnungscafé Herbstlaub", "Seniorenbegegnungsstätte", "DRK", "511", "Freunder Landstraße 77", PARTLY),
    ("Seniorentreff Grenzland", "Seniorenbegegnungsstätte", "Caritas", "651", "Roermonder Straße 301", UNKNOWN),
    ("Pflegedienst Wegwarte", "Ambulanter Pflegedienst", "Diakonie", "881", "Horbacher Straße 95", UNKNOWN),
]


# --- the street index ----------------------------------------------------------------------

ODD = Street.Parity.ODD
EVEN = Street.Parity.EVEN
ALL = Street.Parity.ALL

# (street, number from, number to, parity, Lebensraum code). Real street names. Verified
# placement: the Nadelfabrik at Reichsweg 30 is in Aachen-Ost / Rothe Erde [V], so the
# Reichsweg lies in Lebensraum 341 Rothe Erde; Adalbertsteinweg, Drimbornstraße and
# Scheibenstraße/Eifelstraße are named after their streets [V]. The other placements
# follow the invented institution addresses above and are invented like them. Postal codes
# come from ``POSTAL_CODES`` (approximate).
STREETS = [
    ("Reichsweg", None, None, ALL, "341"),
    ("Adalbertsteinweg", 1, 199, ALL, "320"),
    ("Adalbertsteinweg", 200, 399, ALL, "330"),
    ("Drimbornstraße", None, None, ALL, "342"),
    ("Scheibenstraße", None, None, ALL, "351"),
    ("Eifelstraße", None, None, ALL, "352"),
    ("Elsassstraße", None, None, ALL, "320"),
    ("Stolberger Straße", None, None, ALL, "341"),
    ("Düppelstraße", None, None, ALL, "310"),
    ("Trierer Straße", 1, 299, ALL, "352"),
    ("Trierer Straße", 300, 699, ALL, "371"),
    ("Schönforststraße", None, None, ALL, "361"),
    ("Lintertstraße", None, None, ALL, "372"),
    ("Preusweg", None, None, ALL, "482"),
    ("Lütticher Straße", 401, 599, ODD, "481"),
    ("Lütticher Straße", 400, 598, EVEN, "482"),
    ("Jülicher Straße", 1, 250, ALL, "241"),
    ("Jülicher Straße", 251, 499, ALL, "251"),
    ("Feldstraße", None, None, ALL, "242"),
    ("Talbotstraße", None, None, ALL, "251"),
    ("Passstraße", None, None, ALL, "252"),
    ("Rombachstraße", None, None, ALL, "512"),
    ("Debyestraße", None, None, ALL, "512"),
    ("Freunder Landstraße", None, None, ALL, "511"),
    ("Von-Coels-Straße", 1, 150, ALL, "524"),
    ("Von-Coels-Straße", 151, 250, ALL, "521"),
    ("Von-Coels-Straße", 251, 399, ALL, "522"),
    ("Heckstraße", None, None, ALL, "522"),
    ("Nirmer Straße", None, None, ALL, "523"),
    ("Kurbrunnenstraße", None, None, ALL, "420"),
    ("Dammstraße", 1, 49, ALL, "420"),
    ("Dammstraße", 50, 199, ALL, "430"),
    ("Altdorfstraße", None, None, ALL, "430"),
    ("Malmedyer Straße", None, None, ALL, "460"),
    ("Viktoriaallee", None, None, ALL, "410"),
    ("Kronenberg", None, None, ALL, "652"),
    ("Kullenhofstraße", None, None, ALL, "652"),
    ("Haarener Gracht", None, None, ALL, "532"),
    ("Alt-Haarener Straße", None, None, ALL, "531"),
    ("Verlautenheidener Straße", None, None, ALL, "533"),
    ("Schleckheimer Straße", None, None, ALL, "610"),
    ("Oberforstbacher Straße", None, None, ALL, "621"),
    ("Prämienstraße", None, None, ALL, "631"),
    ("Schleidener Straße", None, None, ALL, "632"),
    ("Pontstraße", None, None, ALL, "210"),
    ("Peterstraße", None, None, ALL, "220"),
    ("Theaterstraße", None, None, ALL, "130"),
    ("Rütscher Straße", None, None, ALL, "181"),
    ("Vaalser Straße", None, None, ALL, "162"),
    ("Roermonder Straße", None, None, ALL, "651"),
    ("Horbacher Straße", None, None, ALL, "881"),
]

# --- invented people -------------------------------------------------------------------

# 40 given names (with a form of address) × 41 family names: person i takes given name
# i mod 40 and family name i mod 41, so no pair repeats below 1,640 people.
GIVEN_NAMES = [
    ("Anna", "Frau"),
    ("Ben", "Herr"),
    ("Carla", "Frau"),
    ("Deniz", ""),
    ("Elif", "Frau"),
    ("Felix", "Herr"),
    ("Greta", "Frau"),
    ("Hakan", "Herr"),
    ("Ida", "Frau"),
    ("Jonas", "Herr"),
    ("Katharina", "Frau"),
    ("Lukas", "Herr"),
    ("Mara", "Frau"),
    ("Nils", "Herr"),
    ("Olga", "Frau"),
    ("Paul", "Herr"),
    ("Rana", "Frau"),
    ("Stefan", "Herr"),
    ("Tamara", "Frau"),
    ("Ulrich", "Herr"),
    ("Vera", "Frau"),
    ("Wolfgang", "Herr"),
    ("Yasmin", "Frau"),
    ("Yusuf", "Herr"),
    ("Zeynep", "Frau"),
    ("Bernd", "Herr"),
    ("Chiara", "Frau"),
    ("Dirk", "Herr"),
    ("Emine", "Frau"),
    ("Frank", "Herr"),
    ("Heike", "Frau"),
    ("Ingo", "Herr"),
    ("Jana", "Frau"),
    ("Karim", "Herr"),
    ("Lea", "Frau"),
    ("Marco", "Herr"),
    ("Nadia", "Frau"),
    ("Oliver", "Herr"),
    ("Kim", ""),
    ("Agnieszka", "Frau"),
]
FAMILY_NAMES = [
    "Becker",
    "Schmitz",
    "Hoffmann",
    "Kaya",
    "Nowak",
    "Meyer",
    "Wagner",
    "Jansen",
    "Peters",
    "Offermann",
    "Lambertz",
    "Kohnen",
    "Dahmen",
    "Schröder",
    "Yilmaz",
    "Öztürk",
    "Kowalski",
    "Herzog",
    "Braun",
    "Krüger",
    "Vogel",
    "Hermanns",
    "Frings",
    "Pauls",
    "Crombach",
    "Demir",
    "Nießen",
    "Lennartz",
    "Bauer",
    "Wolff",
    "Esser",
    "Reuter",
    "Petrović",
    "Haas",
    "Sommer",
    "Winkler",
    "Baumann",
    "Arslan",
    "Franzen",
    "Kuhn",
    "Lorenz",
]

# Second people at the first 40 institutions; people after that are engaged residents.
SECOND_PEOPLE = 40
RESIDENTS = 20
SECOND_FUNCTIONS = [
    "Sozialarbeit",
    "Koordination Ehrenamt",
    "Pädagogische Fachkraft",
    "stellvertretende Leitung",
    "Beratung",
]
ASSOCIATION_TYPES = {
    "Bürgerverein",
    "Sportverein",
    "Heimatverein",
    "Mieterinitiative",
    "Flüchtlingsinitiative",
    "Migrant*innenselbstorganisation",
    "Moscheegemeinde",
}


# --- the seed --------------------------------------------------------------------------


@dataclass
class SeedReport:
    """What a seed run created and changed, counted per model."""

    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)

    @property
    def touched(self) -> int:
        """How many rows the run wrote."""
        return sum(self.created.values()) + sum(self.changed.values())


def real_data_present() -> list[str]:
    """Names of the directory tables that hold rows which are not demo data (read only)."""
    tables = [(Network, "Netzwerke"), (Institution, "Einrichtungen"), (Person, "Personen")]
    return [label for model, label in tables if model.objects.filter(is_demo=False).exists()]


def demo_seed() -> SeedReport:
    """Load or refresh the demo data; idempotent.

    Side effects: creates or updates areas, topics, networks, institutions, people, their
    channels, affiliations, memberships and consents, three demo accounts with fixed
    passwords, and the missing rows of the street index, all in one transaction; clears the
    cached demo marker afterwards.
    """
    report = SeedReport()
    today = timezone.localdate()
    with transaction.atomic():
        areas = _areas_seed(report)
        topics = _topics_seed(report)
        institutions = _institutions_seed(report, areas)
        users = _users_seed(report)
        people = _people_seed(report, institutions, users)
        networks = _networks_seed(report, areas, topics, people[PLANNER.email])
        _memberships_seed(report, networks, areas, institutions, people, today=today)
        _consents_seed(report, people, recorded_by=users[PLANNER.email])
        _streets_seed(report, areas)
    cache.delete(DEMO_MARKER_CACHE_KEY)
    return report


def demo_logins_present() -> list[DemoLogin]:
    """The demo logins whose account exists and belongs to a demo person (read only).

    Passwords are not checked: hashing each would cost most of a second at every start.
    """
    emails = set(
        User.objects.filter(email__in=[login.email for login in DEMO_LOGINS], person__is_demo=True).values_list(
            "email", flat=True
        )
    )
    return [login for login in DEMO_LOGINS if login.email in emails]


# --- helpers ---------------------------------------------------------------------------


def _plain(value):
    """A choices member as its plain value, so keys hash like the values read from the database."""
    return value.value if isinstance(value, enum.Enum) else value


def _rows_sync(report: SeedReport, model: type[models.Model], key: tuple[str, ...], rows: list[dict]) -> list:
    """Bring the rows found by the fields in ``key`` to the values in ``rows``; create the missing.

    One query finds the existing rows; missing ones are created in one ``bulk_create`` (as
    demo data where the model has the flag), after their fields are checked. A row is saved
    only when a value differs, so unchanged rows keep their ``updated_at``; a row that is not
    demo data is returned untouched: real data is never overwritten. Returns the instances in
    the order of ``rows``.
    """
    has_demo_flag = hasattr(model, "is_demo")
    existing = {
        tuple(_plain(getattr(instance, name)) for name in key): instance
        for instance in model.objects.filter(**{f"{key[0]}__in": {row[key[0]] for row in rows}})
    }
    instances, missing = [], []
    for row in rows:
        instance = existing.get(tuple(_plain(row[name]) for name in key))
        if instance is None:
            instance = model(**row)
            if has_demo_flag:
                instance.is_demo = True
            instance.clean_fields()
            missing.append(instance)
        elif not has_demo_flag or instance.is_demo:
            _instance_update(report, instance, row)
        instances.append(instance)
    model.objects.bulk_create(missing)
    report.created[model.__name__] += len(missing)
    return instances


def _instance_update(report: SeedReport, instance: models.Model, values: dict) -> None:
    """Set ``values`` on ``instance`` and save the fields that differ; nothing when none does."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    model = type(instance)
    # update_fields takes field names, not attnames ("parent", not "parent_id").
    names = [model._meta.get_field(name.removesuffix("_id")).name for name in changed]
    if hasattr(model, "updated_at"):
        names.append("updated_at")
    instance.save(update_fields=names)
    report.changed[model.__name__] += 1


def _m2m_sync(report: SeedReport, instance: models.Model, name: str, targets: list[models.Model]) -> None:
    """Make the many-to-many field ``name`` hold exactly ``targets``; writes only on a difference."""
    manager = getattr(instance, name)
    current = set(manager.values_list("pk", flat=True))
    wanted = {target.pk for target in targets}
    if current != wanted:
        manager.set(targets)
        label = f"{type(instance).__name__}.{name}"
        report.created[label] += len(wanted - current)
        report.changed[label] += len(current - wanted)


def _slug(text: str) -> str:
    """A URL slug that spells German umlauts out (ä → ae) instead of dropping the dots."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(umlaut, spelled)
    return slugify(text)


def _person_email(given_name: str, family_name: str) -> str:
    """The invented address of a demo person (always @example.org)."""
    return f"{_slug(given_name)}.{_slug(family_name)}@example.org"


def _term_start(today: datetime.date) -> datetime.date:
    """Start of the current two-year speaker term: 1 March of the latest even year not after today.

    Terms follow the calendar so the demo always has a sitting speaker team; a seed run in a
    new term adds the new term's rows and leaves the old ones as history.
    """
    year = today.year - today.year % 2
    start = datetime.date(year, 3, 1)
    return start if start <= today else datetime.date(year - 2, 3, 1)


def _password_hash(password: str) -> str:
    """Hash a demo password, cheaply where the configured hashers allow it.

    The demo passwords are published, so a strong hash protects nothing; PBKDF2 would cost
    most of a second per account. scrypt is among Django's default hashers, and Django
    re-hashes with the preferred hasher at the first login.
    """
    hasher = "scrypt" if "scrypt" in get_hashers_by_algorithm() else "default"
    return make_password(password, hasher=hasher)


# --- the parts of the seed -------------------------------------------------------------


def _areas_seed(report: SeedReport) -> dict[str, Area]:
    """Stadtbezirke, Sozialräume and Lebensräume, keyed "B:<slug>", "S:<number>", "L:<code>"."""
    districts = _rows_sync(
        report,
        Area,
        ("slug",),
        [
            {
                "slug": f"stadtbezirk-{slug}",
                "level": Area.Level.DISTRICT,
                "name": name,
                "code": "",
                "parent_id": None,
                "is_invented": False,
            }
            for slug, name in DISTRICTS
        ],
    )
    areas = {f"B:{slug}": area for (slug, _name), area in zip(DISTRICTS, districts, strict=True)}
    social_areas = _rows_sync(
        report,
        Area,
        ("code", "level"),
        [
            {
                "code": str(number),
                "level": Area.Level.SOCIAL_AREA,
                "name": name,
                "slug": f"sozialraum-{number}-{_slug(name)}",
                "parent_id": areas[f"B:{district}"].pk,
                "is_invented": invented,
                "description": description,
            }
            for number, name, district, invented, description in SOCIAL_AREAS
        ],
    )
    areas |= {f"S:{row[0]}": area for row, area in zip(SOCIAL_AREAS, social_areas, strict=True)}
    living_areas = _rows_sync(
        report,
        Area,
        ("code", "level"),
        [
            {
                "code": code,
                "level": Area.Level.LIVING_AREA,
                "name": name,
                "slug": f"lebensraum-{code}-{_slug(name)}",
                "parent_id": areas[f"S:{social_area}"].pk,
                "is_invented": invented,
            }
            for code, name, social_area, invented in LIVING_AREAS
        ],
    )
    areas |= {f"L:{row[0]}": area for row, area in zip(LIVING_AREAS, living_areas, strict=True)}
    return areas


def _topics_seed(report: SeedReport) -> dict[str, Topic]:
    """The themes networks work on, keyed by slug."""
    topics = _rows_sync(report, Topic, ("slug",), [{"slug": slug, "name": name} for slug, name in TOPICS])
    return {topic.slug: topic for topic in topics}


def _institutions_seed(report: SeedReport, areas: dict[str, Area]) -> list[Institution]:
    """The invented institutions, in the order of ``INSTITUTIONS``."""
    types = {kind.name: kind.pk for kind in InstitutionType.objects.all()}
    umbrellas = {umbrella.short_name: umbrella.pk for umbrella in Umbrella.objects.all()}
    social_area_of = {code: number for code, _name, number, _invented in LIVING_AREAS}
    rows = [
        {
            "slug": _slug(name),
            "name": name,
            "type_id": types[type_name],
            "umbrella_id": umbrellas[umbrella] if umbrella else None,
            "street": street,
            "postal_code": POSTAL_CODES[social_area_of[area_code]],
            "city": "Aachen",
            "area_id": areas[f"L:{area_code}"].pk,
            "email": f"{_slug(name)}@example.org",
            "phone": "",
            "accessibility": accessibility,
        }
        for name, type_name, umbrella, area_code, street, accessibility in INSTITUTIONS
    ]
    return _rows_sync(report, Institution, ("slug",), rows)


def _people_seed(report: SeedReport, institutions: list[Institution], users: dict[str, User]) -> dict[str, Person]:
    """The invented people and the demo logins' people, keyed by e-mail address, with affiliations.

    A person is found by their e-mail address. The first person of each institution leads
    it; ``SECOND_PEOPLE`` colleagues follow, then ``RESIDENTS`` engaged residents without an
    institution, then the people behind the demo logins.
    """
    wanted: dict[str, dict] = {}
    for index in range(len(institutions) + SECOND_PEOPLE + RESIDENTS):
        given_name, form = GIVEN_NAMES[index % len(GIVEN_NAMES)]
        family_name = FAMILY_NAMES[index % len(FAMILY_NAMES)]
        wanted[_person_email(given_name, family_name)] = {
            "given_name": given_name,
            "family_name": family_name,
            "form_of_address": form,
        }
    for login in DEMO_LOGINS:
        wanted[login.email] = {
            "given_name": login.given_name,
            "family_name": login.family_name,
            "form_of_address": login.form_of_address,
            "user_id": users[login.email].pk,
        }
    channels = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL, value__in=wanted).select_related("person")
    people = {channel.value: channel.person for channel in channels}
    missing = []
    for email, values in wanted.items():
        person = people.get(email)
        if person is None:
            person = Person(**values)
            person.is_demo = True
            person.clean_fields()
            missing.append(person)
            people[email] = person
        elif person.is_demo:
            _instance_update(report, person, values)
    Person.objects.bulk_create(missing)
    new_channels = [
        ContactChannel(person=person, kind=ContactChannel.Kind.EMAIL, value=email, label="dienstlich", is_primary=True)
        for email, person in people.items()
        if person in missing
    ]
    for channel in new_channels:
        channel.clean_fields()
    ContactChannel.objects.bulk_create(new_channels)
    report.created["Person"] += len(missing)
    report.created["ContactChannel"] += len(new_channels)
    people = {email: people[email] for email in wanted}

    emails = list(wanted)
    rows = []
    for index, institution in enumerate(institutions):
        association = INSTITUTIONS[index][1] in ASSOCIATION_TYPES
        rows.append(
            {
                "person_id": people[emails[index]].pk,
                "institution_id": institution.pk,
                "function": "Vorstand" if association else "Leitung",
            }
        )
    for position in range(SECOND_PEOPLE):
        rows.append(
            {
                "person_id": people[emails[len(institutions) + position]].pk,
                "institution_id": institutions[position].pk,
                "function": SECOND_FUNCTIONS[position % len(SECOND_FUNCTIONS)],
            }
        )
    kita = next(institution for institution in institutions if institution.name == SPEAKER_INSTITUTION)
    rows.append({"person_id": people[SPEAKER.email].pk, "institution_id": kita.pk, "function": "Familienarbeit"})
    _rows_sync(report, Affiliation, ("person_id", "institution_id"), rows)
    return people


def _users_seed(report: SeedReport) -> dict[str, User]:
    """The three demo accounts with their fixed passwords, keyed by e-mail address.

    The password is set when the account is made (or has none) and otherwise left alone,
    which keeps a second run silent.
    """
    group = Group.objects.get(name=SOZIALPLANUNG_GROUP)
    users = {}
    for login in DEMO_LOGINS:
        user = User.objects.filter(email__iexact=login.email).first()
        if user is None:
            user = User(email=login.email, is_staff=login.is_staff, password=_password_hash(login.password))
            user.full_clean()
            user.save()
            report.created["User"] += 1
        else:
            values = {"is_staff": login.is_staff}
            if not user.has_usable_password():
                values["password"] = _password_hash(login.password)
            _instance_update(report, user, values)
        if login.is_staff and not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            report.created["User.groups"] += 1
        users[login.email] = user
    return users


def _networks_seed(
    report: SeedReport, areas: dict[str, Area], topics: dict[str, Topic], planner: Person
) -> dict[str, Network]:
    """The networks and their Arbeitskreise, keyed by slug, with their areas and topics."""

    def rows(items: list[NetworkData], parents: dict[str, Network]) -> list[dict]:
        """The field values of ``items``; Arbeitskreise find their network in ``parents``."""
        return [
            {
                "slug": data.slug,
                "kind": data.kind,
                "name": data.name,
                "short_name": data.short_name,
                "parent_id": parents[data.parent].pk if data.parent else None,
                "founded_year": data.founded_year,
                "description": data.description,
                "rhythm": data.rhythm,
                "is_invented": data.is_invented,
                "sozialplanung_contact_id": planner.pk,
            }
            for data in items
        ]

    networks = {network.slug: network for network in _rows_sync(report, Network, ("slug",), rows(NETWORKS, {}))}
    groups = _rows_sync(report, Network, ("slug",), rows(WORKING_GROUPS, networks))
    networks |= {network.slug: network for network in groups}
    for data in [*NETWORKS, *WORKING_GROUPS]:
        network = networks[data.slug]
        if network.is_demo:
            _m2m_sync(report, network, "areas", [areas[key] for key in data.areas])
            _m2m_sync(report, network, "topics", [topics[slug] for slug in data.topics])
    return networks


def _living_area_codes(areas: dict[str, Area], keys: tuple[str, ...]) -> set[str]:
    """The codes of the Lebensräume in or below the given areas."""
    by_pk = {area.pk: area for area in areas.values()}
    wanted = {areas[key].pk for key in keys}
    codes = set()
    for key, area in areas.items():
        if not key.startswith("L:"):
            continue
        chain = [area.pk]
        # A reused real area (seeding with --force) may hang below areas the demo does not know.
        while chain[-1] in by_pk and by_pk[chain[-1]].parent_id is not None:
            chain.append(by_pk[chain[-1]].parent_id)
        if wanted.intersection(chain):
            codes.add(area.code)
    return codes


def _memberships_seed(
    report: SeedReport,
    networks: dict[str, Network],
    areas: dict[str, Area],
    institutions: list[Institution],
    people: dict[str, Person],
    *,
    today: datetime.date,
) -> None:
    """Members (institutions with their representative, and residents) and speaker teams.

    An institution belongs to the networks that cover its Lebensraum (OAG and Arbeitskreise
    only take the categories they work with); residents join the Stadtteilkonferenzen in
    turn and the OAG once each. The speaker team is drawn from the members for a two-year
    term. An existing membership (same network, holder and role; for a term also the same
    start) is kept and only brought up to date.
    """
    emails = list(people)
    first_resident = len(institutions) + SECOND_PEOPLE
    # The leading person of an institution represents it; the demo speaker represents her
    # Kita, which makes her a member of Burtscheid.
    representative = {institution.pk: people[emails[index]] for index, institution in enumerate(institutions)}
    kita = next(institution for institution in institutions if institution.name == SPEAKER_INSTITUTION)
    representative[kita.pk] = people[SPEAKER.email]
    category_of = dict(InstitutionType.objects.values_list("pk", "category__name"))
    area_code = {area.pk: area.code for area in areas.values()}

    residents_of: dict[str, list[Person]] = {data.slug: [] for data in [*NETWORKS, *WORKING_GROUPS]}
    with_residents = [data.slug for data in NETWORKS if data.kind == STK and data.individual_members]
    seniors = [data.slug for data in NETWORKS if data.kind == OAG]
    for position, email in enumerate(emails[first_resident : first_resident + RESIDENTS]):
        residents_of[with_residents[position % len(with_residents)]].append(people[email])
        if position < len(seniors):
            residents_of[seniors[position]].append(people[email])
    residents_of["stk-burtscheid"].append(people[MEMBER.email])

    term_start = _term_start(today)
    term_end = datetime.date(term_start.year + 2, 3, 1) - datetime.timedelta(days=1)
    wanted: list[Membership] = []
    for data in [*NETWORKS, *WORKING_GROUPS]:
        network = networks[data.slug]
        codes = _living_area_codes(areas, data.areas)
        members = [
            institution
            for institution in institutions
            if area_code[institution.area_id] in codes
            and (not data.member_categories or category_of[institution.type_id] in data.member_categories)
        ]
        first_year = max(data.founded_year or 2015, 2015)
        for position, institution in enumerate(members):
            start = datetime.date(first_year + position % 4, 1 + (position * 5) % 12, 1)
            wanted.append(
                Membership(network=network, institution=institution, person=representative[institution.pk], start=start)
            )
        residents = residents_of[data.slug] if data.individual_members else []
        for position, person in enumerate(residents):
            start = datetime.date(first_year + 1 + position % 3, 1 + (position * 7) % 12, 1)
            wanted.append(Membership(network=network, person=person, start=start))
        team = [representative[institution.pk] for institution in members] + residents
        if data.slug == "stk-burtscheid":
            team.insert(0, people[SPEAKER.email])
        team = list(dict.fromkeys(team))
        if data.kind == AK:
            roles = [Membership.Role.SPEAKER]
        elif data.speaker_board:
            roles = [Membership.Role.SPEAKER] * 3
        else:
            roles = [Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER, Membership.Role.MANAGEMENT]
        for role, person in zip(roles, team, strict=False):
            wanted.append(Membership(network=network, role=role, person=person, start=term_start, end=term_end))

    def key(membership: Membership) -> tuple:
        """Who holds which role where, as the database's unique constraints see it: a person
        is a member once (whichever institution they represent); a term is told apart by its
        start; an institution without a representative is a member once."""
        role = _plain(membership.role)
        if membership.person_id is None:
            return (membership.network_id, role, None, membership.institution_id, None)
        term = membership.start if role != Membership.Role.MEMBER else None
        return (membership.network_id, role, membership.person_id, None, term)

    rows = Membership.objects.filter(network__in=networks.values()).select_related("network")
    existing = {key(membership): membership for membership in rows}
    missing = []
    for membership in wanted:
        found = existing.get(key(membership))
        if found is None:
            membership.clean_fields()
            missing.append(membership)
        elif found.network.is_demo:
            # The data may change between versions; the membership stays the same row.
            values = {"institution_id": membership.institution_id, "start": membership.start, "end": membership.end}
            _instance_update(report, found, values)
    Membership.objects.bulk_create(missing)
    report.created["Membership"] += len(missing)


def _consents_seed(report: SeedReport, people: dict[str, Person], *, recorded_by: User) -> None:
    """Consents, recorded through the service as staff would record them.

    Speakers, the demo staff member and every fifth person agree to show name, e-mail and
    institution publicly; the next fifth show name and e-mail only to members of their
    networks; the rest gave no consent, so their fields stay with the Sozialplanung.
    Existing consents are kept.
    """
    speakers = set(
        Membership.objects.filter(role=Membership.Role.SPEAKER, person__is_demo=True).values_list(
            "person_id", flat=True
        )
    )
    existing = set(
        Consent.objects.filter(person__in=people.values(), channel=None, text_version=CONSENT_TEXT_VERSION).values_list(
            "person_id", "scope", "audience"
        )
    )
    base = datetime.datetime(2025, 2, 3, 10, 0, tzinfo=BERLIN)
    for index, (email, person) in enumerate(people.items()):
        if not person.is_demo:
            continue
        if email == MEMBER.email:
            audience = Visibility.NETWORK_MEMBERS
        elif person.pk in speakers or email in (PLANNER.email, SPEAKER.email) or index % 5 == 0:
            audience = Visibility.PUBLIC
        elif index % 5 == 1:
            audience = Visibility.NETWORK_MEMBERS
        else:
            continue
        scopes = [Consent.Scope.NAME, Consent.Scope.EMAIL]
        if audience == Visibility.PUBLIC:
            scopes.append(Consent.Scope.AFFILIATION)
        for scope in scopes:
            if (person.pk, scope.value, audience.value) in existing:
                continue
            services.consent_record(
                person=person,
                scope=scope,
                audience=audience,
                text_version=CONSENT_TEXT_VERSION,
                source=Consent.Source.FORM if index % 3 else Consent.Source.PAPER,
                given_at=base + datetime.timedelta(days=index % 300, hours=index % 7),
                recorded_by=recorded_by,
            )
            report.created["Consent"] += 1


def _streets_seed(report: SeedReport, areas: dict[str, Area]) -> None:
    """The demo street index: rows that are missing are added; existing rows (perhaps from a
    real import, which has no demo flag) are never changed."""
    social_area_of = {code: number for code, _name, number, _invented in LIVING_AREAS}
    existing = set(
        Street.objects.filter(name__in={row[0] for row in STREETS}).values_list(
            "name", "postal_code", "number_from", "number_to", "parity"
        )
    )
    missing = []
    for name, number_from, number_to, parity, code in STREETS:
        postal_code = POSTAL_CODES[social_area_of[code]]
        if (name, postal_code, number_from, number_to, parity.value) in existing:
            continue
        street = Street(
            name=name,
            number_from=number_from,
            number_to=number_to,
            parity=parity,
            postal_code=postal_code,
            area=areas[f"L:{code}"],
            search_name=fold(name),
        )
        street.full_clean()
        missing.append(street)
    Street.objects.bulk_create(missing)
    report.created["Street"] += len(missing)
