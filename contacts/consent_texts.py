"""The wording of the consent form: the version in use since 2025.

The migration that stores it and the demo (after a test emptied the tables) read it from
here; the Verwaltung adds later versions as ``ConsentText`` rows."""

import datetime

VERSION = "2025-01"
TEXT = (
    "Ich willige ein, dass die Stadt Aachen (Fachbereich Wohnen, Soziales und Integration, "
    "Sozialplanung) die von mir gewählte Angabe – meinen Namen, meine E-Mail-Adresse, meine "
    "Telefonnummer oder meine Einrichtung mit Funktion – im Verzeichnis „Netzwerk Aachen“ für den "
    "gewählten Personenkreis zeigt: öffentlich (auf den Seiten, in der Schnittstelle für andere "
    "Systeme, in Kalendern und Visitenkarten) oder nur für die Mitglieder meiner Netzwerke. "
    "Die Einwilligung ist freiwillig. Ich kann sie jederzeit ohne Angabe von Gründen unter "
    "„Mein Bereich“ oder bei der Sozialplanung widerrufen; ab dem Widerruf erscheint die Angabe "
    "nicht mehr. Die Rechtmäßigkeit der Anzeige bis zum Widerruf bleibt unberührt "
    "(Art. 7 Abs. 3 DSGVO)."
)
TEXT_EN = (
    "I agree that the City of Aachen (Department of Housing, Social Affairs and Integration, "
    "Social Planning) shows the detail I choose – my name, my e-mail address, my phone number or "
    "my institution with my function – in the directory „Netzwerk Aachen“ to the audience I "
    "choose: the public (on the pages, in the interface for other systems, in calendars and "
    "vCards) or only the members of my networks. The consent is voluntary. I can withdraw it at "
    "any time without giving reasons under „Mein Bereich“ (My area) or with Social Planning; from "
    "the withdrawal on, the detail is no longer shown. Showing it until the withdrawal remains "
    "lawful (Art. 7 (3) GDPR)."
)
PUBLISHED_ON = datetime.date(2025, 1, 1)
