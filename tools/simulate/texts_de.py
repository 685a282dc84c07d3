"""German phrase bank of customers and agents (``--profiles``; see ``texts.Lang``).

Our own phrasings, not the shared sample's. Grammar the templates rely on: a domain's ``issues``
are datives (after "zu", "mit", "wegen", "bei"), its ``goods`` feminine or neuter (accusative =
nominative). ``{kunde}`` is "Kundin"/"Kunde", ``{er}`` "sie"/"er" (call notes).
"""

from __future__ import annotations

from tools.simulate.texts import Lang

LANG = Lang(
    code="de",
    greet={
        "negative": ("Sehr geehrte Damen und Herren,", "Hallo,", "Guten Tag,", "Hallo {shop}-Team,",
                     "An den Kundenservice,", "Sehr geehrtes {shop}-Team,", "Hallo nochmal,"),
        "neutral": ("Hallo,", "Guten Tag,", "Hallo zusammen,", "Sehr geehrte Damen und Herren,", "Moin,",
                    "Guten Morgen,", "Hallo {shop}-Team,", "Servus,", "Liebes {shop}-Team,"),
        "positive": ("Liebes {shop}-Team,", "Hallo ihr Lieben,", "Hallo zusammen,", "Guten Abend,", "Moin moin,",
                     "Hallo liebes Team,", "Hi,"),
    },
    sign={
        "negative": ("Mit freundlichen Grüßen\n{name}", "{name}", "Ich erwarte Ihre Antwort.\n{name} {initial}.",
                     "Gruß\n{name}", "MfG {name} {initial}.", "{name} (bisher sehr geduldig)"),
        "neutral": ("Viele Grüße\n{name}", "Danke und Gruß,\n{name}", "Beste Grüße\n{name}", "LG {name}",
                    "Mit freundlichen Grüßen\n{name} {initial}.", "Freundliche Grüße, {name}"),
        "positive": ("Herzliche Grüße\n{name}", "Liebe Grüße\n{name}", "Nochmals danke und viele Grüße\n{name}",
                     "Bis bald,\n{name}", "Sonnige Grüße, {name}", "Alles Gute\n{name} {initial}."),
    },
    very=("sehr", "total", "echt", "absolut", "wirklich", "extrem", "richtig", "mega", "ziemlich", "äußerst",
          "wahnsinnig", "überaus"),
    neg_extra=(
        "Ich bin {very} [enttäuscht|verärgert|genervt|frustriert|sauer].",
        ("[Ehrlich gesagt|Offen gesagt|Ganz ehrlich], das ist [eine Frechheit|unverschämt|ein Witz|lächerlich|"
        "eine Zumutung]."),
        "Auf meine [Mails|Nachrichten] [antwortet niemand|reagiert keiner] [seit Tagen|seit {when}|bis heute].",
        "Das ist jetzt [das zweite|das dritte|das vierte] Mal, dass ich [schreibe|anrufe|nachhaken muss].",
        ("Ich [erwarte|verlange|fordere] [mein Geld zurück|eine Erklärung|einen Rückruf von einem Vorgesetzten|"
        "eine Lösung bis {deadline}]."),
        ("[Wenn das nicht|Falls das nicht] [bis {deadline}|diese Woche|bald] geklärt ist, [kündige ich|gehe ich "
        "zur Konkurrenz|wende ich mich an die Verbraucherzentrale|lasse ich die Zahlung zurückbuchen]."),
        ("[Ihre Hotline|Die Hotline|Ihr Chat] hat mich [{mins} Minuten in der Warteschleife hängen lassen|zweimal "
        "rausgeworfen|nur im Kreis geschickt]."),
        "Ich habe [Stunden|einen ganzen Nachmittag|meinen halben Urlaubstag] damit verschwendet.",
        "[Nie wieder.|Nie wieder bei Ihnen.|Das war das letzte Mal.|Für mich ist das Thema durch.]",
        "[Wirklich|Unglaublich|Erschreckend] schlechter [Service|Umgang mit Kunden] [insgesamt|von A bis Z].",
        "Ich fühle mich als Kunde [völlig|total|komplett] [ignoriert|allein gelassen|veräppelt].",
        "Jeder, mit dem ich spreche, sagt mir etwas anderes.",
        "Liest das bei Ihnen überhaupt jemand?",
        "Ich bin {very} kurz davor, {shop} den Rücken zu kehren.",
        "Was für ein [Chaos|Theater|Durcheinander]!",
        "Diese [Ausreden|automatischen Antworten|Textbausteine] kann ich nicht mehr hören.",
        "Ich bin [stinksauer|fassungslos|am Ende mit meiner Geduld].",
        "Kümmern Sie sich bitte endlich darum!!",
        "So schwer kann das doch nicht sein.",
        "Mir reicht es [jetzt|langsam|endgültig].",
    ),
    neg_issue=(
        "Ich warte [immer noch|noch immer|seit Tagen] auf [eine Nachricht|eine Antwort|ein Update] zu {issue}.",
        "Bei {issue} tut sich [seit {days} Tagen|seit {when}|einfach] nichts.",
        "Ich bin mit {issue} {very} [unzufrieden|unglücklich|verärgert].",
        "Mit {issue} läuft von Anfang an alles schief.",
        "Was ist denn [bitte|eigentlich] los mit {issue}?",
        "Warum ist bei {issue} [immer noch|nach {days} Tagen] nichts passiert?",
        "Ich muss wegen {issue} ständig hinterhertelefonieren, das ist {very} [ärgerlich|nervig|anstrengend].",
        "Das mit {issue} ist [eine Farce|ein schlechter Witz|ein Trauerspiel].",
    ),
    neg_negated=(
        "Ich bin [überhaupt |gar |]nicht zufrieden mit {issue}.",
        "Das ist [nicht akzeptabel|nicht in Ordnung|so nicht hinnehmbar].",
        "Ich bin [nicht begeistert|gar nicht amüsiert|alles andere als zufrieden].",
        "[Das ist nicht der Service, den ich von {shop} erwarte|So geht das nicht], [sorry|ehrlich|leider].",
        "Ich fühle mich [nicht ernst genommen|nicht gehört|nicht wertgeschätzt].",
        "So geht man nicht mit [treuen|zahlenden|langjährigen] Kunden um.",
        "Niemand [kann|will] mir zu {issue} eine klare Antwort geben.",
        "Ich kann nicht glauben, dass das mit {issue} immer noch nicht geklärt ist.",
        "Ich werde {shop} [nicht mehr weiterempfehlen|nicht mehr nutzen|keinem empfehlen].",
        "Kein Mensch fühlt sich bei Ihnen zuständig.",
    ),
    neu_issue=(
        "Können Sie mir [bitte |]den [Stand|aktuellen Stand] zu {issue} [mitteilen|sagen]?",
        "Ich hätte gern [ein paar Informationen|nähere Informationen|eine kurze Rückmeldung] zu {issue}.",
        "[Kurze|Eine] Frage zu {issue}.",
        "Gibt es [etwas Neues|einen neuen Stand] zu {issue}?",
        "Wer ist bei Ihnen für {issue} zuständig?",
        "Können Sie bestätigen, dass {issue} [in Bearbeitung ist|bearbeitet wird]?",
        "Ich schreibe Ihnen wegen {issue}.",
        "Welche Unterlagen brauchen Sie von mir zu {issue}?",
    ),
    neu_extra=(
        "Danke im Voraus.", "Es ist nicht eilig.", "Es eilt nicht.", "Meine Kundennummer ist {cust}.",
        "Sie erreichen mich [am besten per Mail|auf dem Handy|ab 17 Uhr|vormittags].", ("Bitte antworten Sie per "
        "E-Mail."), "Ich freue mich auf Ihre Rückmeldung.", "Vorgangsnummer: {ref}.", ("[Fotos|Den Beleg] kann ich "
        "bei Bedarf schicken."), "Ich bin [am Donnerstag|am Montag] den ganzen Tag zu Hause.",
        "Bestellnummer zur Info: {order}.", "Geben Sie mir einfach Bescheid.", "Mir ist beides recht.",
    ),
    pos_good=(
        "[Vielen|Herzlichen|Tausend] Dank für {good}!", "Danke [vielmals|sehr] für {good}.",
        "{Good} war [top|spitze|klasse|hervorragend|erstklassig].", "Ich habe {good} [sehr|wirklich] geschätzt.",
        "Ich wollte nur sagen, wie [zufrieden|froh|begeistert] ich mit {good} bin.",
        "{Good} hat mir den Tag gerettet.", "Volle Punktzahl für {good}.", "Ich bin {very} dankbar für {good}.",
        "{Good}: zehn von zehn Punkten.",
    ),
    pos_negated=(
        "[Ehrlich|Wirklich|Also], gar nicht schlecht.", "Nichts zu meckern!", ("Keine Beschwerden, [im Gegenteil|"
        "wirklich nicht|überhaupt keine]."), "Ich könnte nicht zufriedener sein.", ("Es gab [kein einziges "
        "Problem|keinerlei Probleme|nicht den kleinsten Haken]."), "Da kann man nicht meckern.",
        "Hätte nicht gedacht, dass das so [einfach|reibungslos] geht.", ("Nicht ganz billig, aber ich bereue "
        "nichts."), "War überhaupt kein Problem, danke!",
    ),
    pos_extra=(
        "Ich bestelle [auf jeden Fall|sicher|gern] wieder.", "Weiter so!", ("Habe Sie schon [Freunden|meiner "
        "Schwester|Kollegen|meinen Nachbarn] empfohlen."), "Top [Service|Team], danke!", "Ich bin {very} zufrieden.",
        "Fünf Sterne von mir.", "Sie haben einen Kunden fürs Leben gewonnen.", ("Was für ein [angenehmes|schönes|"
        "tolles] Einkaufserlebnis."), "Danke, [wirklich|sehr] nett.", ("[Super|Klasse|Prima] gemacht, alle "
        "zusammen."),
    ),
    lead_pos=(
        "die Mitarbeiter in {store} waren freundlich", "ich bin seit [Jahren|langem] Kunde bei Ihnen",
        "die [Website|App] ist übersichtlich", "die Preise sind fair", "die Bestellung ging schnell",
        "ich kaufe [eigentlich|normalerweise] gern bei Ihnen", "die erste Mitarbeiterin am Telefon war nett",
        "früher war die Lieferung immer zuverlässig", "{good} war in Ordnung",
    ),
    lead_neg=(
        "die Lieferung hat etwas länger gedauert als geplant", "ich war erst skeptisch",
        "die Website war ein bisschen unübersichtlich", "ich musste kurz in der Warteschleife warten",
        "bei der ersten Bestellung ging etwas schief", "das Paket sah etwas mitgenommen aus",
        "ich hätte fast storniert", "es war nicht das günstigste Angebot",
    ),
    but="{lead}, aber {rest}",
    sarcasm=(
        "[Super|Toll|Klasse|Prima], {bad}. [Genau das, was ich gebraucht habe|Vielen Dank auch|Da freut man sich].",
        "Wow, {bad}. [Spitzenservice|Ganz großes Kino|Weltklasse] 👏",
        "Danke [vielmals|auch] für {bad}, hat mir [echt|wirklich] den Tag versüßt 🙄",
        "Fünf Sterne für {bad}, gut gemacht, {shop} 🙃", "Na [toll|super|prima], schon wieder {bad}.",
        "Ich liebe [die Effizienz|den Service] bei Ihnen: {bad}.", ("Herzlichen Glückwunsch, {shop}: {bad}. "
        "[Beeindruckend|Echt beeindruckend]."),
    ),
    leaving=(
        "Bitte [schließen|löschen] Sie {leave} [mit sofortiger Wirkung|noch heute|].",
        "Ich möchte {leave} kündigen.", "Ich bin fertig mit {shop}, bitte [löschen|schließen] Sie {leave}.",
        "Hiermit kündige ich {leave}.", "Ich bin schon zur Konkurrenz gewechselt.",
    ),
    chat={
        "negative": ("immer noch nichts??", "das ist doch lächerlich", "hallo?? ist da jemand", ("das wird ja "
                     "immer besser"), "im Ernst jetzt?", "ich frage jetzt zum dritten Mal", "wieder keine Antwort",
                     "warum dauert das so lange", "das bringt doch nichts", "bin gar nicht zufrieden",
                     "kann ich bitte mit einem Menschen sprechen", "das haben Sie gestern auch gesagt"),
        "neutral": ("hallo, kurze Frage zu {orderw} {order}", "ok, dann warte ich auf die Mail", ("noch eine "
                    "Sache"), "klar, die Nummer ist {order}", "ist {product} in {store} vorrätig?", ("wie lange "
                    "hat {store} heute offen?"), "können Sie mal nach {orderw} {order} schauen?", ("ok, alles klar, "
                    "dann warte ich"), "und was ist mit {issue}?", "die Mailadresse ist die vom Kundenkonto"),
        "positive": ("danke, hat sich erledigt!", "perfekt, danke", "super, vielen Dank für die schnelle Hilfe", ("klasse, das hilft mir "
                     "sehr"), "prima, danke schön", "Sie sind ein Schatz", "das ging ja schnell, danke",
                     "top, danke für die Hilfe!!", "sehr nett, danke", "wunderbar, dann ist ja alles gut"),
    },
    note_prefix={
        "negative": ("{Kunde} verärgert:", "{Kunde} sehr unzufrieden -", "{Kunde} aufgebracht:",
                     "{Kunde} total genervt,", "Beschwerde:", "Eskalation -", "{Kunde} wütend:",
                     "{Kunde} beschwert sich:"),
        "neutral": ("{Kunde} ruft an:", "Anruf:", "Eingehender Anruf -", "{Kunde} am Telefon:", "Telefonat:"),
        "positive": ("{Kunde} zufrieden:", "{Kunde} gut gelaunt:", "Netter Anruf -", "{Kunde} bedankt sich:",
                     "{Kunde} sehr zufrieden:"),
    },
    note={
        "negative": (("wegen {issue} - [seit {days} Tagen keine Lösung|{er} sagt, niemand hat zurückgerufen|droht "
                     "mit Kündigung|will eine Entschädigung|verlangt einen Vorgesetzten|will eine schriftliche "
                     "Entschuldigung]."), ("Ärger mit {issue}, [{mins} Min. in der Warteschleife|dritter Anruf "
                     "diese Woche|{er} war sehr laut]."), ("unzufrieden mit {issue}, [denkt an Kündigung|will "
                     "Zahlung zurückbuchen|will eine schlechte Bewertung schreiben].")),
        "neutral": (("[fragt nach dem Stand zu|ruft an wegen|möchte Infos zu] {issue}. [Ablauf erklärt|Infos per "
                    "Mail geschickt|Rückruf morgen|Keine weitere Aktion nötig|Vorgangsnummer {ref} genannt]."),
                    "Frage zu {issue}; [beantwortet|Infos verschickt|an den Innendienst weitergegeben]."),
        "positive": (("[bedankt sich für|ist sehr zufrieden mit|freut sich über|lobt] {good}. [Nichts weiter zu "
                     "tun|Keine Aktion nötig|Lob weitergegeben]."), ("[bedankt sich für|begeistert über] {good}, "
                     "[will uns weiterempfehlen|will wieder bestellen].")),
    },
    ratings={
        "negative": ("1/5", "2/5", "★☆☆☆☆", "★★☆☆☆", "1 Stern", "2 Sterne", "1 von 5 Sternen", "Note: 5-"),
        "neutral": ("3/5", "★★★☆☆", "3 Sterne", "3 von 5 Sternen"),
        "positive": ("4/5", "5/5", "★★★★☆", "★★★★★", "5 Sterne", "4 von 5 Sternen", "5 von 5 Sternen"),
    },
    review_head={
        "negative": ("Finger weg", "Enttäuschend", "Nie wieder", "Mangelhaft", "Schade", "Ärgerlich"),
        "neutral": ("Durchschnitt", "Ganz okay", "Gemischt", "Geht so", "Wie erwartet"),
        "positive": ("Klare Empfehlung", "Sehr gut", "Top Laden", "Rundum zufrieden", "Spitze", "Gerne wieder"),
    },
    review_neu=("Tut, was es soll.", "Ein ganz normaler Einkauf.", "Es ist okay, nichts Besonderes.",
                "Für den Preis in Ordnung.", "Licht und Schatten.", "Mittelmaß, würde ich sagen.",
                "Standardservice zu Standardpreisen.", "Es war so, wie man es erwartet."),
    tags={
        "negative": ("#fail", "#kundenservice", "#enttäuscht", "#niewieder", "#warten", "#ärgerlich"),
        "neutral": ("#frage", "#hilfe", "#info", "#kundenservice"),
        "positive": ("#zufrieden", "#danke", "#empfehlung", "#topladen", "#kundenservice"),
    },
    emoji={
        "negative": ("😡", "😤", "🙄", "👎", "😞", "😠", "🤬", "😒"),
        "neutral": ("🙂", "🤔", "🙏"),
        "positive": ("😊", "👍", "🙏", "❤️", "🎉", "😍", "👏", "🙌", "🥳"),
    },
    subjects={
        "negative": ("Beschwerde", "{orderw} {order} - immer noch offen", "Unmöglicher Service",
                     "Offizielle Beschwerde", "Letzte Erinnerung", "Problem mit {orderw} {order}",
                     "Sehr unzufrieden", "Dringend!!", "Zweite Mahnung an Sie", "Reklamation"),
        "neutral": ("Frage", "{orderw} {order}", "Anfrage", "Kurze Frage", "Bitte um Information",
                    "Änderung {orderw} {order}", "Rechnung", "Vorgang {ref}", "Rückfrage", "Frage zum Konto"),
        "positive": ("Danke!", "Toller Service", "Lob an Ihr Team", "Zufriedene Kundin", "Ein großes Dankeschön",
                     "Schöner Einkauf in {store}", "Gut gemacht", "Lob"),
    },
    form_prefix=("{orderw} {order}:", "{orderw} {order} -", "Kundennr. {cust}:", "Betreff: Anfrage.",
                 "Zu {orderw} {order}."),
    reply_greet=("Hallo {name},", "Guten Tag,", "Liebe Kundin, lieber Kunde,", ("Sehr geehrte Kundin, sehr geehrter "
                 "Kunde,"), "Hallo und guten Tag,"),
    reply_open=("Vielen Dank für Ihre Nachricht.", "Danke, dass Sie sich an uns gewandt haben.", ("Herzlichen Dank "
                "für Ihre E-Mail."), "Danke für Ihren Hinweis.", "Schön, dass Sie uns schreiben."),
    reply_mood={
        "negative": ("Bitte entschuldigen Sie die Unannehmlichkeiten.", ("Es tut mir sehr leid, dass Sie Ärger "
                     "damit hatten."), "Dafür möchten wir uns entschuldigen.", ("Ich kann Ihren Ärger gut "
                     "verstehen und bitte um Entschuldigung."), "Es tut uns leid, dass es so lange gedauert hat."),
        "neutral": ("Gern helfen wir Ihnen weiter.", "Hier die gewünschten Informationen.", "Gute Frage!",
                    "Selbstverständlich.", "Das klären wir gern."),
        "positive": ("Das freut uns sehr!", "Ihre netten Worte haben uns den Tag versüßt.", ("Schön, dass Sie "
                     "zufrieden sind."), "Ich habe Ihr Lob an das ganze Team weitergegeben.", ("Herzlichen Dank für "
                     "die schöne Rückmeldung.")),
    },
    reply_generic=("Ich habe eine Notiz zu Ihrem Vorgang {ref} angelegt.", ("Eine Kollegin meldet sich innerhalb "
                   "von 48 Stunden bei Ihnen."), "Sie erhalten in Kürze eine Bestätigung per E-Mail.",
                   "Ihre Vorgangsnummer lautet {ref}.", ("Ich habe das an unser Fachteam gegeben, das sich bis "
                   "{deadline} bei Ihnen meldet.")),
    reply_close=("Wenn Sie noch Fragen haben, antworten Sie einfach auf diese E-Mail.", ("Melden Sie sich gern "
                 "jederzeit wieder."), "Einen schönen Tag noch!", "Wir hoffen, das hilft Ihnen weiter."),
    reply_sign=("Freundliche Grüße\n{agent}\nIhr {shop} Kundenservice", "Viele Grüße\n{agent} | {shop}",
                "Herzliche Grüße\n{agent} vom {shop}-Team", "Beste Grüße\n{agent}, {shop} Service"),
    reply_call=("Rückruf erfolgt.", "Zurückgerufen:", "Ausgehender Anruf:", "Rückruf wie vereinbart:"),
    reply_review=("Hallo {name}, danke für Ihre Bewertung.", ("Hallo {name}, herzlichen Dank, dass Sie sich die "
                  "Zeit genommen haben."), "Antwort von {shop}: danke, {name}."),
    reply_social=("@{handle} Danke für die Nachricht! Wir haben Ihnen eine DM geschickt.", ("@{handle} Danke! Bitte "
                  "schicken Sie uns Ihre Bestellnummer per DM, wir kümmern uns darum."), ("@{handle} Vielen Dank "
                  "für das Lob!"), "@{handle} Wir sind dran, schauen Sie bitte in Ihre DMs."),
    reply_chat=("Hallo {name}, hier ist {agent}.", "Guten Tag, hier ist {agent} von {shop}.", ("Danke fürs Warten, "
                "{name}.")),
    re_prefix="AW: ",
    re_default="Ihre Anfrage",
    names=(("Anna", True), ("Julia", True), ("Katharina", True), ("Laura", True), ("Sabine", True), ("Petra", True),
           ("Lena", True), ("Sophie", True), ("Mia", True), ("Ayşe", True), ("Claudia", True), ("Jana", True),
           ("Ute", True), ("Marie", True), ("Thomas", False), ("Michael", False), ("Stefan", False),
           ("Andreas", False), ("Jan", False), ("Lukas", False), ("Felix", False), ("Jonas", False), ("Murat", False),
           ("Klaus", False), ("Markus", False), ("Tobias", False), ("Sebastian", False), ("Uwe", False),
           ("Florian", False), ("Dirk", False)),
    agents=("Frau Weber", "Herr Schulz", "Jana", "Herr Yilmaz", "Frau Krüger", "Tim", "Frau Becker", "Nils",
            "Frau Hoffmann", "Herr Wagner"),
    lower_words=frozenset(("Die", "Der", "Das", "Mein", "Meine", "Meinen", "Ihr", "Ihre", "Es", "Seit", "Nach",
                           "Jetzt", "Schon", "Niemand", "Keiner", "Wieder", "Immer", "Dann", "Leider", "Ich",
                           "Wir", "Bei", "Beim", "Trotz", "Auf", "Zwei", "Drei", "Von", "In", "Im", "Am",
                           "Statt", "Mit", "Laut", "Was", "Warum", "Kein", "Keine", "Nichts", "Ein", "Eine")),
    when=("gestern", "am Montag", "letzte Woche", "vorgestern", "letzten Freitag", "heute Morgen", "am Dienstag",
          "am Wochenende", "vor zehn Tagen"),
    deadline=("Freitag", "Ende der Woche", "morgen", "Montag", "Mittwoch"),
)
