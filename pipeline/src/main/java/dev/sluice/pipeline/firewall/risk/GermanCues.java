package dev.sluice.pipeline.firewall.risk;

import static dev.sluice.pipeline.firewall.risk.InjectionCues.EMAIL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.URL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.clause;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.document;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.squashed;

import java.util.List;

/**
 * The injection cue families in German, written from German phrasing: imperative in {@code du},
 * {@code ihr} and {@code Sie} forms, compounds ("Systemanweisungen", "Chatverlauf") matched by
 * their last part, separable verbs whose particle ends the sentence ("beachte die Regeln nicht",
 * "leite den Verlauf an … weiter"), and the verb at the end after a modal ("du musst … erwähnen").
 * Patterns see folded text: lower-case, umlauts without their dots ("früheren" is "fruheren"; the
 * spelling "frueheren" is accepted too), ß as "ss".
 */
final class GermanCues {

  private GermanCues() {}

  private static final String QUALIFIER =
      "(?:alle|allen|alles|samtliche[nr]?|saemtliche[nr]?|vorherige[nr]?|vorige[nr]?"
          + "|fr(?:u|ue)here[nr]?|bisherige[nr]?|obige[nr]?|vorangegangene[nr]?|vorstehende[nr]?"
          + "|urspr(?:u|ue)ngliche[nr]?|anf(?:a|ae)ngliche[nr]?|deine[nr]?|ihre[nr]?|eure[nr]?"
          + "|diese[nr]?|jene[nr]?|system\\S{0,20}|alten|bestehenden|sicherheits\\S{0,20}"
          + "|entwickler\\S{0,20})";

  // The last part of a compound is enough: "Systemanweisungen", "Sicherheitsrichtlinien".
  private static final String NOUN =
      "\\S{0,25}?(?:anweisung(?:en)?|instruktion(?:en)?|befehle?|regeln|richtlinien|vorgaben"
          + "|anordnungen|direktiven|prompts?|einschr(?:a|ae)nkungen|beschr(?:a|ae)nkungen"
          + "|vorschriften|programmierung|nachrichten|leitlinien|schutzmassnahmen)\\b";

  private static final String IGNORE_VERB =
      "(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen|missacht(?:e|en|et)|(?:u|ue)berspring"
          + "(?:e|en|t)?|verwirf|verwerft|verwerfen|umgeh(?:e|en|t)?)";

  // Separable verbs: the particle or the negation closes the sentence.
  private static final String SEPARABLE_VERB =
      "(?:beacht(?:e|en|et)|befolg(?:e|en|t)|folg(?:e|en|t)|setz(?:e|en|t)?|lass(?:e|en|t)?"
          + "|h(?:o|oe)r(?:e|en|t)?)";

  private static final String SEPARABLE_END =
      "(?:nicht(?:\\s+mehr)?|keinesfalls|nie\\s+mehr|(?:au(?:ss|s)er)\\s+kraft|au(?:ss|s)er"
          + "\\s+acht|beiseite)\\b";

  private static final String IGNORE_TRIGGERS =
      "ignoriere ignorieren ignoriert ignorier vergiss vergesst vergessen missachte missachten"
          + " missachtet uberspringe uberspringen ueberspringe ueberspringen verwirf verwerft"
          + " verwerfen umgehe umgehen beachte beachten beachtet befolge befolgen befolgt folge"
          + " folgen folgt setze setzen setzt lass lasse lassen hore horen hoer hoere";

  // Lead-ins that keep a sentence an instruction: "vergiss nicht, … zu erwähnen".
  private static final String MODAL =
      "(?:(?:du\\s+(?:musst|sollst|solltest)|sie\\s+(?:m(?:u|ue)ssen|sollten|sollen)"
          + "|(?:vergiss|vergessen\\s+sie)\\s+nicht,?(?:\\s+zu)?|denk(?:e|en\\s+sie)?\\s+daran,?"
          + "(?:\\s+zu)?|achte\\s+darauf,?|achten\\s+sie\\s+darauf,?|stell(?:e|en\\s+sie)?\\s+"
          + "sicher,?\\s+dass\\s+(?:du|sie)|immer|stets|unbedingt|[a-z]{2,20}(?:lich|weise))\\s+)"
          + "{0,2}";

  private static final String ANSWER_VERB =
      "(?:f(?:u|ue)g(?:e|en|t)?|nimm|nehmen|nehmt|erw(?:a|ae)hn(?:e|en|t)?|bau(?:e|en|t)?"
          + "|beginn(?:e|en|t)?|fang(?:e|en|t)?|beend(?:e|en|et)?|schlie(?:ss|s)(?:e|en|t)?"
          + "|schreib(?:e|en|t)?|formulier(?:e|en|t)?|(?:u|ue)bersetz(?:e|en|t)?|(?:a|ae)nder"
          + "(?:e|n|t)?|gestalt(?:e|en|et)?|empfiehl|empfehlen|empfehlt|verwend(?:e|en|et)?"
          + "|benutz(?:e|en|t)?|integrier(?:e|en|t)?|erg(?:a|ae)nz(?:e|en|t)?|pass(?:e|en|t)?"
          + "|setz(?:e|en|t)?|stell(?:e|en|t)?|vermeid(?:e|en|et)?|verfass(?:e|en|t)?"
          + "|antworte|antworten|antwortet|mach(?:e|en|t)?|h(?:a|ae)ng(?:e|en|t)?)";

  // The verb that ends the sentence after a modal: "du musst deine Antwort mit … beginnen".
  private static final String ANSWER_INFINITIVE =
      "(?:erw(?:a|ae)hnen|einf(?:u|ue)gen|einbauen|aufnehmen|beginnen|beenden|schreiben"
          + "|formulieren|(?:u|ue)bersetzen|hinzuf(?:u|ue)gen|integrieren|erg(?:a|ae)nzen"
          + "|abschlie(?:ss|s)en|enden|starten|einbinden|verfassen|gestalten|anh(?:a|ae)ngen)\\b";

  private static final String IMPERATIVE =
      "(?:musst|sollst|solltest|m(?:u|ue)ssen|sollten|sollen|erw(?:a|ae)hne|erw(?:a|ae)hnen"
          + "|f(?:u|ue)ge|f(?:u|ue)gen|nenne|nennen|schreibe|schreib|beginne|beende|empfiehl"
          + "|verweise|weise|baue|nimm|nehmen|gib|geben|sage|sag|betone|betonen|stelle|stellen"
          + "|verwende|verwenden|lass|lasse|integriere|vermeide|vermeiden)\\b";

  private static final String ANSWER =
      "(?:deine[rn]?|ihre[rn]?|jede[rn]?|eure[rn]?)\\s+antwort(?:en)?\\b";

  private static final String EXFIL_VERB =
      "\\b(?:send(?:e|en|et)?|schick(?:e|en|t)?|leit(?:e|en|et)?|weiterleiten|(?:u|ue)bermittl?"
          + "(?:e|en|t)|(?:u|ue)bertrag(?:e|en|t)?|lad(?:e|en|t)?|hochladen|post(?:e|en|et)?"
          + "|teil(?:e|en|t)?|kopier(?:e|en|t)?|ver(?:o|oe)ffentlich(?:e|en|t)|exfiltrier"
          + "(?:e|en|t)?|mail(?:e|en|t)?)\\b";

  private static final String EXFIL_OBJECT =
      "(?:gespr(?:a|ae)ch\\S{0,12}|chat\\S{0,12}|unterhaltung\\S{0,4}|konversation\\S{0,4}"
          + "|\\S{0,12}verlauf\\S{0,4}|(?:bisherigen|vorherigen)\\s+nachrichten|system-?prompt"
          + "\\S{0,4}|systemanweisung\\S{0,4}|\\S{0,12}passw(?:o|oe)rt\\S{0,4}|kennw(?:o|oe)rt"
          + "\\S{0,4}|zugangsdaten|anmeldedaten|api-?schl(?:u|ue)ssel\\S{0,4}|geheimnisse"
          + "|\\S{0,12}token\\S{0,2}|pers(?:o|oe)nlichen\\s+daten|daten\\s+des\\s+(?:nutzers"
          + "|benutzers)|benutzerdaten|nutzerdaten|kundendaten|sitzungs-?cookies?|cookies)\\b";

  private static final String EXFIL_TRIGGERS =
      "sende senden sendet send schick schicke schicken schickt leite leiten leitet"
          + " weiterleiten ubermittle ubermitteln ubermittelt uebermittle uebermitteln ubertrage"
          + " ubertragen uebertrage uebertragen lade laden ladet hochladen poste posten teile"
          + " teilen teilt kopiere kopieren veroffentliche veroffentlichen exfiltriere maile"
          + " mailen";

  static List<RiskCue> common() {
    return List.of(
        // --- Overriding earlier instructions.
        clause(
            "ignore_previous_instructions",
            IGNORE_TRIGGERS,
            0.9,
            "\\b"
                + IGNORE_VERB
                // "vergessen Sie nicht, alle Anweisungen zu lesen" is the opposite.
                + "(?:\\s+sie)?\\b(?!(?:\\s+sie)?,?\\s+(?:nicht|nie|keinesfalls)\\b)(?:\\s+\\S+){0,3}?\\s+"
                + QUALIFIER
                + "\\b(?:\\s+\\S+){0,3}?\\s+"
                + NOUN
                + "|\\b"
                + SEPARABLE_VERB
                + "(?:\\s+sie)?\\b(?:\\s+\\S+){0,3}?\\s+"
                + QUALIFIER
                + "\\b(?:\\s+\\S+){0,3}?\\s+"
                + NOUN
                + "(?:\\s+\\S+){0,2}?\\s+"
                + SEPARABLE_END
                + "|\\b(?:h(?:o|oe)r(?:e|t)?|h(?:o|oe)ren\\s+sie)\\s+auf,?\\s+(?:\\S+\\s+){0,5}?zu\\s+"
                + "befolgen\\b"),
        clause(
            "ignore_previous_instructions",
            "alles",
            0.9,
            "\\b(?:vergiss|vergesst|vergessen\\s+sie|ignoriere|ignorieren\\s+sie|ignoriert)\\s+"
                + "(?:einfach\\s+|bitte\\s+)?alles,?\\s+(?:was\\s+(?:dir|ihnen|euch|vorher|zuvor"
                + "|bisher|oben|davor)|bisherige|vorherige|obige|davor|zuvor|bisher|oben|vorher)"
                + "\\b"),
        squashed(
            "ignore_previous_instructions",
            "ignorier vergiss vergessen",
            0.9,
            "(?:ignoriere|ignorieren|vergiss|vergessen)(?:sie)?(?:bitte)?(?:alle|alles)?"
                + "(?:vorherigen|bisherigen|fruheren|fruehere|obigen|vorigen|ursprunglichen)"
                + "(?:anweisungen|instruktionen|regeln|befehle|vorgaben)|(?:ignoriere|ignorieren"
                + "|vergiss|vergessen)(?:sie)?alle(?:anweisungen|instruktionen|regeln|vorgaben)"),
        clause(
            "new_instructions",
            "anweisungen anweisung instruktionen",
            0.45,
            "(?:^|\\W)(?:neue|aktualisierte|echte|wahre|tats(?:a|ae)chliche)\\s+(?:system)?"
                + "(?:anweisungen|instruktionen)\\s*(?::|sind\\b|lauten\\b)"),

        // --- Revealing the system prompt or secrets.
        clause(
            "reveal_system_prompt",
            "zeig zeige zeigen zeigt gib gebt geben verrate verraten verratet nenne nennen nennt"
                + " wiederhole wiederholen schreib schreibe schreiben drucke drucken offenbare"
                + " offenbaren enthulle enthullen enthuelle teile teilen liste listen kopiere"
                + " kopieren sag sage sagen was wie",
            0.85,
            "\\b(?:zeig(?:e|en|t)?|gib|gebt|geben|verrat(?:e|en|et)?|nenn(?:e|en|t)?"
                + "|wiederhol(?:e|en|t)?|schreib(?:e|en|t)?|druck(?:e|en|t)?|offenbar(?:e|en|t)?"
                + "|enth(?:u|ue)ll(?:e|en|t)?|teil(?:e|en|t)?|list(?:e|en|et)?|kopier(?:e|en|t)?"
                + "|sag(?:e|en|t)?|was\\s+(?:ist|sind|war|waren)|wie\\s+(?:lautet|lauten"
                + "|lautete))\\b(?:\\s+(?:sie|mir|uns))*(?:\\s+\\S+){0,4}?\\s+(?:(?:den\\s+|deinen\\s+"
                + "|ihren\\s+|der\\s+|die\\s+|deine\\s+|ihre\\s+|das\\s+)?system[- ]?(?:prompt"
                + "|nachricht|anweisungen?|instruktionen|vorgaben)\\b|(?:deine[nr]?|ihre[nr]?"
                + "|eure[nr]?)\\s+(?:urspr(?:u|ue)nglichen|versteckten|geheimen|anf(?:a|ae)nglichen"
                + "|vollst(?:a|ae)ndigen|internen|ersten|exakten|genauen|kompletten)\\s+"
                + "(?:anweisungen|instruktionen|regeln|richtlinien|vorgaben|konfiguration"
                + "|programmierung|prompts?|befehle)\\b|(?:deine[nr]?|ihre[nr]?)\\s+(?:anweisungen"
                + "|instruktionen|prompts?|programmierung)\\b(?!\\s+(?:f(?:u|ue)r|zu|zum|zur|an"
                + "|(?:u|ue)ber|bez(?:u|ue)glich)\\b)|(?:die|den)\\s+(?:vorherigen|obigen"
                + "|versteckten|urspr(?:u|ue)nglichen|anf(?:a|ae)nglichen|geheimen|ersten)\\s+"
                + "(?:anweisungen|instruktionen|nachrichten|texte?|prompts?)\\b|(?:dein|ihr)\\s+"
                + "(?:passwort|kennwort)\\b|(?:das|dein|ihr|den|die)\\s+geheime[nsr]?\\s+"
                + "(?:passwort|kennwort|wort|schl(?:u|ue)ssel|code)\\b|(?:das|dein)\\s+geheimwort"
                + "\\b|den\\s+geheimcode\\b)"),
        clause(
            "reveal_secret",
            "wurde",
            0.8,
            "\\b(?:dir|ihnen)\\s+wurde\\s+(?:gesagt|befohlen|aufgetragen|verboten|eingesch(?:a|ae)rft)"
                + ",?\\s+(?:\\S+\\s+){0,5}?(?:nicht\\s+)?zu\\s+(?:verraten|teilen|sagen|nennen"
                + "|offenbaren|preiszugeben|weiterzugeben)\\b"),

        // --- Role and persona switches.
        clause(
            "role_switch",
            "jetzt sofort nun",
            0.7,
            "\\bab\\s+(?:jetzt|sofort|nun)\\s*,?\\s+(?:(?:bist\\s+du|sind\\s+sie|wirst\\s+du"
                + "|werden\\s+sie|sollst\\s+du|sollen\\s+sie|musst\\s+du|m(?:u|ue)ssen\\s+sie)\\s+"
                + "(?:\\S+\\s+){0,3}?(?:handeln|antworten|reagieren|verhalten|spielen|sprechen"
                + "|agieren|auftreten)\\b|(?:handelst|antwortest|verh(?:a|ae)ltst|spielst"
                + "|sprichst|agierst)\\s+du\\b|(?:handeln|antworten|verhalten|spielen|sprechen"
                + "|agieren)\\s+sie\\b)"),
        clause(
            "role_switch",
            "kein keine keinen nicht neuer neue bleib bleibe bleiben bleibt falle fallen fall",
            0.7,
            "\\b(?:du\\s+bist|sie\\s+sind)\\s+(?:jetzt\\s+|nun\\s+|ab\\s+sofort\\s+|ab\\s+jetzt\\s+)?"
                + "(?:kein(?:e|en)?|nicht\\s+mehr\\s+(?:ein|eine))\\s+(?:\\S+\\s+)?(?:ki|assistent"
                + "(?:in)?|sprachmodell|chatbot|bot|ki-assistent|ki-modell)\\b|\\b(?:dein|ihr)\\s+"
                + "neuer\\s+name\\s+(?:ist|lautet)\\b|\\b(?:deine|ihre)\\s+neue\\s+(?:rolle"
                + "|identit(?:a|ae)t|pers(?:o|oe)nlichkeit|persona)\\s+(?:ist|lautet)\\b"
                + "|\\b(?:bleib(?:e|en|t)?)\\s+(?:sie\\s+)?(?:immer\\s+)?in\\s+(?:der|deiner|ihrer)"
                + "\\s+rolle\\b|\\bf(?:a|ae)ll(?:e|st|en|t)?\\s+(?:sie\\s+)?(?:nicht\\s+|nie\\s+)?"
                + "aus\\s+der\\s+rolle\\b"),
        clause(
            "role_switch",
            "so gib geben",
            0.6,
            "^"
                + MODAL
                + "(?:(?:tu|tun\\s+sie|tut)\\s+so,?\\s+als\\s+(?:ob|w(?:a|ae)rst|w(?:a|ae)ren"
                + "|seist)|(?:gib\\s+dich|geben\\s+sie\\s+sich)\\s+als)\\b"),
        clause(
            "jailbreak_persona",
            "bist sind entwicklermodus gottmodus jailbreak jailbreakmodus danmodus modus",
            0.85,
            "\\b(?:entwickler|gott|jailbreak|dan)-?modus\\b|\\b(?:du\\s+bist|bist\\s+du|sie\\s+sind"
                + "|sei|seien\\s+sie)\\s+(?:\\w+\\s+){0,2}?dan\\b"),

        // --- Fake system messages.
        document(
            "fake_system_message",
            // Substrings, one space apart: a trigger cannot hold a space.
            "systemnachricht systemmeldung systemhinweis systemanweisung systembefehl"
                + " systemmitteilung system: eingabe anfrage nutzernachricht anwendernachricht",
            0.85,
            "(?m)^[ \\t]{0,8}(?:#{1,6}|<|\\{|\\*\\*|\\[)?[ \\t]*system(?:nachricht|meldung|hinweis"
                + "|anweisung|befehl|mitteilung)\\b[ \\t]*(?::|\\}|>|\\*\\*|\\])|(?m)^[ \\t]{0,8}"
                + "system[ \\t]*:[^\\n]{0,80}?\\b(?:du|dein|deine|ignoriere|assistent|ki|immer"
                + "|niemals)\\b|\\bende\\s+der\\s+(?:benutzer|nutzer|anwender)(?:eingabe|anfrage"
                + "|nachricht)\\b"),

        // --- Exfiltration.
        clause(
            "exfiltration_url",
            EXFIL_TRIGGERS,
            0.8,
            EXFIL_VERB
                + "(?:\\s+sie)?[^.\\n]{0,80}?"
                + EXFIL_OBJECT
                + "[^.\\n]{0,80}?\\b(?:an|zu|nach|auf|(?:u|ue)ber|via|in)\\s+(?:die\\s+|den\\s+"
                + "|das\\s+|diese\\s+|folgende\\s+)?(?:url|adresse|server|webhook|endpunkt|"
                + URL_TARGET
                + ")"),
        clause(
            "exfiltration_email",
            EXFIL_TRIGGERS,
            0.8,
            EXFIL_VERB
                + "(?:\\s+sie)?[^.\\n]{0,80}?"
                + EXFIL_OBJECT
                + "[^\\n]{0,80}?\\b"
                + EMAIL_TARGET),

        // --- Text addressed to the model rather than to the document's reader.
        clause(
            "instruction_to_assistant",
            "ki assistent assistenten sprachmodell modell chatbot llm agent agenten wenn falls"
                + " sobald",
            0.75,
            "\\b(?:hinweis|notiz|nachricht|anweisung(?:en)?|mitteilung)\\s+(?:an|f(?:u|ue)r)\\s+"
                + "(?:die\\s+|den\\s+|das\\s+)?(?:ki|assistent(?:en)?|sprachmodell|modell|chatbot"
                + "|llm|agent(?:en)?)\\b|\\b(?:liebe|lieber|hallo|hey)\\s+(?:ki|assistent"
                + "|chatbot|sprachmodell)\\b|^an\\s+die\\s+ki\\s*:|\\b(?:wenn|falls)\\s+(?:du|sie)"
                + "\\s+(?:eine|ein)\\s+(?:ki|sprachmodell|assistent|chatbot|llm|ki-assistent"
                + "|agent)\\s+(?:bist|sind)\\b|\\b(?:wenn|falls|sobald)\\s+(?:du|sie)\\s+"
                + "(?:diese[ns]?|das|den|die)\\s+(?:e-?mail|dokument|seite|text|nachricht|datei"
                + "|artikel)\\s+(?:zusammenfasst|zusammenfassen|liest|lesen|verarbeitest"
                + "|verarbeiten|analysierst|analysieren)\\b"),
        clause(
            "instruction_to_assistant",
            "antwort antworten",
            0.7,
            "^"
                + MODAL
                + ANSWER_VERB
                + "(?:\\s+sie)?\\b[^\\n]{0,160}?\\b"
                + ANSWER
                + "|^(?:du\\s+(?:musst|sollst|solltest)|sie\\s+(?:m(?:u|ue)ssen|sollten|sollen)"
                + "|(?:vergiss|vergessen\\s+sie)\\s+nicht,?)\\b[^\\n]{0,80}?\\b"
                + ANSWER
                + "[^\\n]{0,120}?\\b"
                + ANSWER_INFINITIVE
                + "|^in\\s+(?:deiner|ihrer|jeder|eurer)\\s+antwort(?:en)?\\s*,?\\s+(?:\\S+\\s+)?"
                + IMPERATIVE),
        clause(
            "instruction_to_assistant",
            "antworte antworten antwortet schreib schreibe schreiben bevor beim wenn antwort",
            0.7,
            "^(?:antworte|antworten\\s+sie|antwortet|schreib(?:e)?|schreiben\\s+sie)\\s+(?:bitte\\s+)?"
                + "(?:nur\\s+|ausschlie(?:ss|s)lich\\s+|immer\\s+)?(?:auf|in)\\s+(?:englisch|deutsch"
                + "|franz(?:o|oe)sisch|spanisch|italienisch|portugiesisch|chinesisch|japanisch"
                + "|russisch|arabisch|latein|reimen|versen|gro(?:ss|s)buchstaben|emojis?|morsecode"
                + "|piratensprache)\\b|^(?:bevor\\s+du\\s+antwortest|bevor\\s+sie\\s+antworten"
                + "|beim\\s+antworten|wenn\\s+du\\s+antwortest)\\b|\\b(?:deine|ihre)\\s+antwort\\s+"
                + "(?:muss|soll|sollte|m(?:u|ue)ssen|sollten)\\s+(?:\\S+\\s+){0,4}?(?:enthalten"
                + "|beinhalten|beginnen|enden|erw(?:a|ae)hnen|geschrieben|formuliert)\\b"),
        clause(
            "instruction_to_assistant",
            "benutzer benutzerin benutzern nutzer nutzerin nutzern anwender anwenderin anwendern"
                + " leser leserin lesern besucher besucherin besuchern",
            0.65,
            "^"
                + MODAL
                + "(?:sag|sage|sagen\\s+sie|sagt|teile|teilen\\s+sie|teilt|informiere|informieren"
                + "\\s+sie|informiert|erinnere|erinnern\\s+sie|erinnert|warne|warnen\\s+sie|warnt"
                + "|weise|weisen\\s+sie|fordere|fordern\\s+sie|empfiehl|empfehlen\\s+sie|bitte"
                + "|bitten\\s+sie|rate|raten\\s+sie|(?:u|ue)berzeuge|(?:u|ue)berzeugen\\s+sie"
                + "|ermutige|ermutigen\\s+sie|frage|fragen\\s+sie|richte|richten\\s+sie)\\s+"
                + "(?:\\S+\\s+)?(?:dem|den|die|alle|allen|jedem|jeden)\\s+(?:benutzer(?:in|n)?"
                + "|nutzer(?:in|n)?|anwender(?:in|n)?|leser(?:in|n)?|besucher(?:in|n)?)\\b"),
        clause(
            "instruction_to_assistant",
            "satz satze saetze absatz absatze zeile zeilen antwort antworten",
            0.65,
            "^"
                + MODAL
                + "(?:beende|beenden\\s+sie|beginne|beginnen\\s+sie|schlie(?:ss|s)e|schlie(?:ss|s)en"
                + "\\s+sie)\\s+(?:jede[nrs]?|alle)\\s+(?:satz|s(?:a|ae)tze|absatz|abs(?:a|ae)tze"
                + "|zeile|zeilen|antwort|antworten)\\b"));
  }

  /** Only a retrieved document, not the user, has no business telling the model who it is. */
  static List<RiskCue> retrievedContextOnly() {
    return List.of(
        clause(
            "role_switch",
            "jetzt nun sofort",
            0.7,
            "\\b(?:du\\s+bist|sie\\s+sind)\\s+(?:jetzt|nun|ab\\s+sofort|von\\s+nun\\s+an)\\s+"
                + "(?:(?:ein|eine|der|die|das|mein|unser)\\s+(?:\\S+\\s+){0,2}?(?:ki|assistent(?:in)?"
                + "|chatbot|bot|sprachmodell|figur|charakter|persona)\\b|im\\s+\\S{1,30}modus\\b"
                + "|\\S{0,30}modus\\b)"));
  }
}
