"""What customers of the German shops write about (``--profiles``): baumarkt-de, pharmacy-de, the
German side of bank-de-en, and a generic German shop (placeholders as in ``domains_en``).

Grammar: ``issues`` are datives ("zu {issue}", "mit {issue}", "wegen {issue}"), ``goods`` feminine or
neuter; ``{product}`` stands without an article or after a noun ("der Artikel {product}").
"""

from __future__ import annotations

from tools.simulate.texts import Domain

BAUMARKT = Domain(
    lang="de", order="WH-########",
    complaints=(
        ("Der Artikel {product} kam [beschädigt|mit einem Riss im Gehäuse|ohne Akku|in einer völlig zerdrückten "
        "Kiste] bei mir an."),
        ("{product} ist nach [{days} Tagen|einer Woche|zweimal Benutzen] [kaputt|nicht mehr angesprungen|einfach "
        "ausgegangen]."),
        ("Die Lieferung zu Bestellung {order} war für {when} zugesagt und [ist immer noch nicht da|hat nicht mal "
        "eine Sendungsnummer]."),
        ("Ich habe {product} vor {weeks} Wochen zurückgeschickt und [warte immer noch auf mein Geld|höre seitdem "
        "nichts mehr]."),
        ("In {store} [hat mich niemand beraten|war kein Mitarbeiter aufzutreiben|wurde ich ziemlich unfreundlich "
        "abgewimmelt]."),
        "Laut App war {product} in {store} vorrätig, [aber vor Ort gab es nichts|ich bin umsonst hingefahren].",
        ("Die Speditionslieferung [kam ohne Ankündigung|wurde einfach vor die Garage gestellt|kam zwei Tage zu "
        "spät]."),
        "Mir wurde Bestellung {order} [doppelt abgebucht|zweimal berechnet].",
        "Die Reklamation zu {product} wurde [ohne Begründung abgelehnt|wegen eines Kratzers abgelehnt].",
        "Im Paket fehlten [die Schrauben|die Hälfte der Teile|die Montageanleitung].",
        "Die Farbe {product} deckt [überhaupt nicht|erst nach drei Anstrichen], das ist {very} ärgerlich.",
        "Der Zuschnitt in {store} war [um zwei Zentimeter daneben|schief], jetzt passt nichts.",
    ),
    questions=(
        "Ist {product} in {store} vorrätig?", "Kann ich {product} in {store} reservieren und morgen abholen?",
        "Wie lange ist die Garantie auf {product}?", "Gibt es zu {product} auch einen Ersatzakku?",
        "Kann ich die Lieferadresse für Bestellung {order} noch ändern?", "Machen Sie in {store} auch Holzzuschnitt?",
        "Wann ist {product} wieder lieferbar?", ("Kann ich {product} im Markt umtauschen, obwohl ich online bestellt "
        "habe?"), "Liefern Sie auch bis in den dritten Stock?", "Welches Zubehör brauche ich für {product}?",
        "Hat {store} am Samstag bis 20 Uhr offen?", "Kann man bei Ihnen einen Anhänger ausleihen?",
    ),
    statements=("Ich habe {when} {product} bestellt (Bestellung {order}).", "Ich renoviere gerade mein Bad.",
                "Ich habe Bestellung {order} {when} in {store} abgeholt.", "Meine Bestellnummer ist {order}.",
                "Ich bin Kunde mit der WerkHaus-Karte."),
    praise=(
        "{product} funktioniert [einwandfrei|super|besser als gedacht].",
        ("Die Beratung in {store} war [klasse|kompetent|sehr geduldig], danke an den Kollegen aus der "
        "Werkzeugabteilung."), "Die Lieferung kam [einen Tag früher|pünktlich] und alles war gut verpackt.",
        "Der Umtausch in {store} ging [ganz schnell|völlig unkompliziert].",
        "Das Geld für die Rücksendung war [nach zwei Tagen|sofort] wieder auf meinem Konto.",
        "Der Zuschnitt in {store} war millimetergenau.", ("Mit {product} ist die Arbeit [ein Kinderspiel|in der "
        "Hälfte der Zeit erledigt]."),
    ),
    issues=("der Lieferung von Bestellung {order}", "meiner Rücksendung", "der Erstattung für Bestellung {order}",
            "meiner Reklamation zu {product}", "dem Artikel {product}", "der Speditionslieferung",
            "der Reservierung in {store}", "dem Zuschnitt in {store}", "der Rechnung zu Bestellung {order}"),
    goods=("die Beratung in {store}", "die schnelle Lieferung", "die unkomplizierte Rücknahme",
           "die Hilfe beim Zuschnitt", "die schnelle Erstattung", "das freundliche Personal in {store}"),
    bads=("ein Gerät, das nach {days} Tagen kaputt ist", "die dritte verschobene Lieferung",
          "{weeks} Wochen Warten auf mein Geld", "{mins} Minuten in der Warteschleife", "ein Paket ohne Schrauben"),
    leave=("mein Kundenkonto", "meine WerkHaus-Karte", "den Newsletter"),
    actions=(
        "Wir haben Ihnen {amount} auf Ihr Zahlungsmittel erstattet.", "Ein Ersatzgerät ist bereits unterwegs.",
        "Die fehlenden Teile schicken wir Ihnen per Express.", ("Wir haben einen neuen Liefertermin für Bestellung "
        "{order} vereinbart."), "Ihr Rücksendeetikett finden Sie im Anhang.", ("Die doppelte Abbuchung haben wir "
        "storniert."), "Wir haben {product} für Sie in {store} bis {deadline} zurückgelegt.",
    ),
    subjects={"negative": ("Reklamation {product}", "Lieferung fehlt", "Doppelte Abbuchung"),
              "neutral": ("Frage zu {product}", "Reservierung", "Lieferadresse ändern"),
              "positive": ("Lob an {store}", "Tolle Beratung")},
    cue_pages=(("/de/service/ruecksendung.html", "Rücksendung anmelden"), ("/de/service/reklamation.html",
               "Reklamation"), ("/de/konto/bestellungen/{order}/stornieren", "Bestellung stornieren"),
               ("/de/service/erstattung.html", "Erstattung"), ("/de/konto/kundenkonto-loeschen", ("Kundenkonto "
               "löschen")), ("/de/artikel/{nr}-{slug}/reklamation.html", "Artikel reklamieren")),
    cue_queries=("rücksendung", "reklamation", "retourenschein", "bestellung stornieren", "erstattung",
                 "{q} defekt umtauschen", "kundenkonto löschen", "beschwerde"),
)

PHARMACY = Domain(
    lang="de", order="MP#######",
    complaints=(
        ("Statt {product} wurde mir [ein anderes Präparat|die falsche Packungsgröße|ein Generikum ohne "
        "Rücksprache] geliefert."),
        "Mein E-Rezept wurde [seit {days} Tagen nicht eingelöst|einfach nicht angenommen|zweimal abgerechnet].",
        ("Die Bestellung {order} mit meinen Medikamenten ist [immer noch nicht da|beim Nachbarn gelandet|"
        "verschwunden]."),
        ("In {store} [war die Schlange ewig lang|wurde ich unfreundlich behandelt|hatte man {product} nicht vorrätig], "
        "obwohl es online anders stand."),
        "Die Packung {product} war [angebrochen|beschädigt|schon fast abgelaufen].",
        "Ich habe für die Rücksendung von {product} [noch kein Geld|keinerlei Bestätigung] bekommen.",
        "Die Kühlware kam [warm|ohne Kühlakku] an, das ist bei Medikamenten nicht in Ordnung.",
        "Mir wurde die Zuzahlung für Bestellung {order} [doppelt|falsch] berechnet.",
        "Der Notdienst in {city} [war nicht erreichbar|hat mich weggeschickt].",
        "Die vorbestellten Medikamente lagen in {store} [nicht bereit|erst zwei Tage später bereit].",
    ),
    questions=(
        "Kann ich mein E-Rezept in {store} einlösen und heute noch abholen?", "Ist {product} in {store} vorrätig?",
        "Kann ich {product} zusammen mit [Ibuprofen|Alkohol|der Pille] nehmen?", ("Gibt es {product} auch in einer "
        "größeren Packung?"), "Wie lange ist {product} nach dem Öffnen haltbar?", ("Welche Apotheke in {city} hat "
        "heute Notdienst?"), "Kann ich {product} für meine Mutter mit abholen?", ("Liefern Sie {product} auch per "
        "Botendienst?"), "Ab wann bekomme ich den Rezeptbonus gutgeschrieben?", "Muss ich {product} kühl lagern?",
    ),
    statements=("Ich habe {when} {product} bestellt (Bestellung {order}).", "Ich bin Stammkundin in {store}.",
                "Ich habe ein E-Rezept von meiner Hausärztin.", "Meine Bestellnummer ist {order}."),
    praise=(
        "Die Beratung in {store} war [sehr einfühlsam|kompetent|wirklich toll], danke!",
        "Mein E-Rezept war in [einer Stunde|kürzester Zeit] abholbereit.",
        "Der Botendienst hat {product} [noch am selben Abend|pünktlich] gebracht.",
        "Die Apothekerin in {store} hat sich [viel Zeit genommen|sehr gut um mich gekümmert].",
        "Die Bestellung {order} kam [schnell|diskret verpackt] und vollständig an.",
        "Mit {product} geht es mir schon [viel besser|deutlich besser].",
    ),
    issues=("meinem E-Rezept", "der Bestellung {order}", "der Rücksendung von {product}", "dem Botendienst",
            "der Zuzahlung für Bestellung {order}", "der Vorbestellung in {store}", "meinem Rezeptbonus",
            "der Lieferung von {product}"),
    goods=("die Beratung in {store}", "die schnelle Lieferung", "die Hilfe mit dem E-Rezept",
           "die freundliche Apothekerin", "die diskrete Verpackung", "die Erinnerung an die Folgeverordnung"),
    bads=("ein Medikament, das schon fast abgelaufen ist", "ein E-Rezept, das seit {days} Tagen hängt",
          "eine Kühlware ohne Kühlakku", "die falsche Packungsgröße zum zweiten Mal", "{mins} Minuten Schlange"),
    leave=("mein Kundenkonto", "meine Kundenkarte", "den Newsletter", "das Rezeptbonus-Programm"),
    actions=(
        "Wir haben Ihnen {amount} erstattet.", "Das richtige Präparat bringt Ihnen unser Botendienst noch heute.",
        "Ihr E-Rezept ist jetzt eingelöst, die Medikamente liegen in {store} bereit.",
        "Die zu viel berechnete Zuzahlung wird Ihrem Konto gutgeschrieben.",
        "Wir haben {product} in {store} bis {deadline} für Sie zurückgelegt.",
        "Eine Kollegin aus der Apotheke ruft Sie zur Einnahme kurz zurück.",
    ),
    subjects={"negative": ("Falsches Medikament", "E-Rezept nicht eingelöst", "Bestellung {order} fehlt"),
              "neutral": ("Frage zu {product}", "E-Rezept", "Botendienst"),
              "positive": ("Danke an {store}", "Tolle Beratung")},
    cue_pages=(("/service/ruecksendung", "Rücksendung"), ("/service/reklamation", "Reklamation"),
               ("/konto/bestellungen/{order}/stornieren", "Bestellung stornieren"), ("/service/erstattung",
               "Erstattung"), ("/konto/loeschen", "Kundenkonto löschen"), ("/service/beschwerde", "Beschwerde")),
    cue_queries=("bestellung stornieren", "reklamation", "rücksendung", "erstattung", "kundenkonto löschen",
                 "falsches medikament geliefert", "beschwerde apotheke"),
)

BANK_DE = Domain(
    lang="de", order="SB-########",
    complaints=(
        "Meine Überweisung über {amount2} [hängt seit {days} Tagen|ist nie angekommen|wurde doppelt ausgeführt].",
        "Meine Karte wurde [im Urlaub|an der Tankstelle|im Supermarkt] ohne Vorwarnung gesperrt.",
        ("Sie haben mir {fee} für [ein angeblich kostenloses Konto|eine Karte, die ich nie bestellt habe|"
        "Papierkontoauszüge] berechnet."),
        "Das Onlinebanking [wirft mich ständig raus|nimmt meine TAN nicht an|geht seit {when} nicht].",
        "Mein Termin in der Filiale {district} wurde [ohne Nachricht abgesagt|zur reinen Zeitverschwendung].",
        "Ich warte seit {weeks} Wochen auf die Unterlagen zu meinem Vertrag {product}.",
        "Die App [stürzt bei jeder Überweisung ab|zeigt einen falschen Kontostand|lässt mich nicht rein].",
        "Die neue Karte [ist nie angekommen|kam mit falschem Namen] und ich kann nichts bezahlen.",
        "Die Zinsen für meinen Vertrag {product} sind [nicht die beworbenen|niedriger als zugesagt].",
        "Am Geldautomaten in {district} wurde mir Geld abgebucht, aber nichts ausgezahlt.",
    ),
    questions=(
        "Wie lange dauert eine Auslandsüberweisung nach [Polen|Spanien|in die Türkei]?",
        "Kann ich den Vertrag {product} auch online abschließen?", "Wie ändere ich meine PIN?",
        "Was kostet das Geldabheben im Ausland?", "Kann ich einen Termin in der Filiale {district} bekommen?",
        "Wie richte ich [Apple Pay|Google Pay] für meine Karte ein?", ("Wo finde ich die Jahressteuerbescheinigung "
        "im Onlinebanking?"), "Kann ich mein Kartenlimit erhöhen?", ("Brauche ich für den Vertrag {product} eine "
        "Schufa-Auskunft?"), "Wie richte ich einen Dauerauftrag ein?",
    ),
    statements=("Ich habe den Vertrag {product} bei Ihnen.", "Ich bin {when} nach {city} gezogen.", ("Meine Kundennummer "
                "ist {cust}."), "Ich bin seit zwanzig Jahren Kundin bei der Spreebank."),
    praise=(
        "Die Beratung zum Vertrag {product} in der Filiale {district} war [sehr verständlich|ausgezeichnet].",
        "Mein Vertrag {product} war in [einem Tag|wenigen Minuten] eingerichtet, super.",
        "Die App macht das Banking [so einfach|richtig angenehm].",
        "Sie haben mir die falsche Gebühr [sofort|ohne Diskussion] zurückerstattet.",
        "Meine gesperrte Karte war mit [einem Anruf|zehn Minuten am Telefon] wieder freigeschaltet.",
    ),
    issues=("meiner Überweisung über {amount2}", "meiner Karte", "den Gebühren auf meinem Konto",
            "meinem Vertrag {product}", "meinem Termin in der Filiale {district}", "dem Onlinebanking",
            "der neuen Karte", "meiner Kontoauflösung"),
    goods=("die Beratung in der Filiale {district}", "die schnelle Kartensperre", "die verständliche Erklärung",
           "die schnelle Erstattung der Gebühr", "die unkomplizierte Kontoeröffnung"),
    bads=("{fee} für ein kostenloses Konto", "eine gesperrte Karte im Urlaub", ("eine Überweisung, die seit "
          "{days} Tagen hängt"), "eine App, die alle zwei Minuten abstürzt", "die dritte abgesagte Beratung"),
    leave=("mein Girokonto", "mein Konto", "meine Kreditkarte", "meinen Vertrag {product}"),
    actions=(
        "Die Gebühr von {fee} haben wir Ihrem Konto gutgeschrieben.", ("Ihre neue Karte ist unterwegs und kommt "
        "in etwa fünf Werktagen."), ("Wir haben Ihre Überweisung nachverfolgt; sie wird bis {deadline} "
        "gutgeschrieben."), "Wir haben für Sie einen neuen Beratungstermin in der Filiale {district} vereinbart.",
        "Ihre Karte ist wieder entsperrt und sofort einsatzbereit.",
    ),
    subjects={"negative": ("Unberechtigte Gebühr", "Karte gesperrt", "Überweisung fehlt"),
              "neutral": ("Frage zum Konto", "Termin", "Kartenlimit"),
              "positive": ("Danke an die Filiale {district}", "Gute Beratung")},
    cue_pages=(("/de/service/konto-kuendigen", "Konto kündigen"), ("/de/service/beschwerde", "Beschwerde"),
               ("/de/service/kontowechsel", "Kontowechsel"), ("/de/service/karte-kuendigen", "Karte kündigen"),
               ("/de/service/gebuehren-erstattung", "Erstattung von Entgelten"),
               ("/de/privatkunden/{cs}/{slug}/kuendigen", "Vertrag kündigen")),
    cue_queries=("konto kündigen", "kündigung girokonto", "beschwerde", "gebühren erstattung", "kontowechsel",
                 "karte kündigen", "{q} kündigen"),
    extras={"fee": ("4,90 €", "9,50 €", "2,50 €", "12 €", "7,90 €")},
    orderw="Auftrag",
)

GENERIC = Domain(
    lang="de", order="#########",
    complaints=("Meine Bestellung {order} ist [beschädigt angekommen|zu spät|nie angekommen].", ("Der Artikel "
                "{product} ist nach {days} Tagen kaputt."), "Ich warte immer noch auf meine Erstattung von {amount}."),
    questions=("Ist {product} in {store} vorrätig?", "Wann kommt Bestellung {order}?", ("Wie schicke ich "
               "{product} zurück?")),
    statements=("Ich habe {when} {product} bestellt.", "Meine Bestellnummer ist {order}."),
    praise=("Der Artikel {product} ist [super|prima].", "Die Bestellung {order} kam [schnell|pünktlich] an."),
    issues=("meiner Bestellung {order}", "der Erstattung", "meiner Rücksendung"),
    goods=("die schnelle Lieferung", "die freundliche Beratung in {store}"),
    bads=("ein Produkt, das nach {days} Tagen kaputt ist", "{weeks} Wochen Warten"),
    leave=("mein Kundenkonto",), actions=("Wir haben Ihnen {amount} erstattet.", "Ersatz ist unterwegs."),
    subjects={"negative": ("Beschwerde",), "neutral": ("Frage",), "positive": ("Danke",)},
    cue_pages=(("/service/ruecksendung", "Rücksendung"), ("/konto/loeschen", "Konto löschen")),
    cue_queries=("rücksendung", "erstattung", "stornieren", "beschwerde"),
)

DOMAINS = {"baumarkt-de": {"de": BAUMARKT}, "pharmacy-de": {"de": PHARMACY}, "bank-de-en": {"de": BANK_DE},
           "_generic": {"de": GENERIC}}
