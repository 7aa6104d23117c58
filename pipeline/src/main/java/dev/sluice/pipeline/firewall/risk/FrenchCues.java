package dev.sluice.pipeline.firewall.risk;

import static dev.sluice.pipeline.firewall.risk.InjectionCues.APOS;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.EMAIL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.URL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.clause;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.document;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.squashed;

import java.util.List;

/**
 * The injection cue families in French, written from French phrasing: imperative in {@code tu} and
 * {@code vous} forms and the infinitive of written instructions ("ne pas tenir compte de"),
 * adjectives after the noun ("les instructions précédentes"), elision with either apostrophe.
 * Patterns see folded text: lower-case, accents removed ("précédentes" is "precedentes").
 */
final class FrenchCues {

  private FrenchCues() {}

  /** {@code stem} with the endings of tu, vous, the infinitive and the tu-subjunctive. */
  private static String er(String stem) {
    return stem + "(?:e|es|ez|er)";
  }

  private static final String IGNORE_VERB =
      "(?:"
          + er("ignor")
          + "|"
          + er("oubli")
          + "|"
          + er("neglig")
          + "|"
          + er("ecart")
          + "|"
          + er("abandonn")
          + "|"
          + er("contourn")
          + "|"
          + er("outrepass")
          + "|"
          + er("annul")
          + "|"
          + er("pass")
          + "\\s+outre|fai(?:s|tes|re)\\s+abstraction|ne\\s+(?:tiens|tenez|tenir|prends|prenez"
          + "|prendre)\\s+(?:plus|pas|aucun)\\s+(?:en\\s+)?compte|ne\\s+(?:suis|suivez|suivre"
          + "|respecte[zr]?|respectes)\\s+(?:plus|pas)|(?:cesse[zr]?|arrete[zr]?|cesses|arretes)"
          + "\\s+de\\s+(?:suivre|respecter|obeir)|n"
          + APOS
          + "obei(?:s|ssez|r)\\s+plus)";

  private static final String IGNORE_QUALIFIER =
      "(?:toutes|tous|tout|tes|vos|ta|votre|ton|ces|cette|precedent(?:e|s|es)?"
          + "|anterieur(?:e|s|es)?|initia(?:l|le|les|ux)|origin(?:al|ale|ales|aux|elle|elles)"
          + "|d"
          + APOS
          + "origine|ci-dessus|au-dessus|plus\\s+haut|d"
          + APOS
          + "avant|du\\s+systeme|systeme|de\\s+securite|du\\s+developpeur|autres|anciennes"
          + "|anciens|existantes|qui\\s+precedent)";

  private static final String IGNORE_NOUN =
      "(?:instructions?|consignes?|directives?|regles|ordres|commandes|indications|prompts?"
          + "|invites?|messages|garde-fous|restrictions|contraintes|programmation|politiques)";

  private static final String IGNORE_NOUN_WORDS =
      "instruction instructions consigne consignes directive directives regles ordres commandes"
          + " indications prompt prompts invite invites messages garde restrictions contraintes"
          + " programmation politiques";

  // Lead-ins that keep a sentence an instruction: "veillez à ajouter", "n'oublie pas de dire".
  private static final String MODAL =
      "(?:(?:tu\\s+dois|vous\\s+devez|il\\s+faut|veille[zr]?\\s+a|toujours|pense[zr]?\\s+a"
          + "|je\\s+veux\\s+que\\s+(?:tu|vous)|[a-z]{2,20}ment)\\s+|(?:assure-toi|assurez-vous"
          + "|n"
          + APOS
          + "oublie[sz]?\\s+pas|essaie[zr]?|merci|priere)\\s+(?:de\\s+|d"
          + APOS
          + "\\s*)){0,2}";

  // Verbs that change what the answer says or how it is written.
  private static final String ANSWER_VERB =
      "(?:"
          + er("ajout")
          + "|inclu(?:s|ez|re|es)|"
          + er("integr")
          + "|"
          + er("inser")
          + "|"
          + er("mentionn")
          + "|"
          + er("modifi")
          + "|"
          + er("chang")
          + "|"
          + er("adapt")
          + "|"
          + er("commenc")
          + "|commences|"
          + er("termin")
          + "|finis|finissez|finir|conclus|concluez|conclure|ecri(?:s|vez|re)|"
          + er("redig")
          + "|tradui(?:s|sez|re)|"
          + er("formul")
          + "|"
          + er("recommand")
          + "|"
          + er("sugger")
          + "|mets|mettez|mettre|"
          + er("plac")
          + "|"
          + er("gliss")
          + "|"
          + er("sign")
          + "|"
          + er("utilis")
          + "|"
          + er("evit")
          + "|fais|faites|faire|rends|rendez|rendre|repon(?:ds|dez|dre)|"
          + er("structur")
          + "|"
          + er("present")
          + "|"
          + er("soulign")
          + "|"
          + er("insist")
          + "|"
          + er("cit")
          + "|"
          + er("propos")
          + "|"
          + er("donn")
          + ")";

  // Imperatives that may follow "dans ta réponse," (and not "vous avez écrit").
  private static final String IMPERATIVE =
      "(?:ajoute[z]?|inclus|incluez|mentionne[z]?|integre[z]?|insere[z]?|recommande[z]?|dis"
          + "|dites|parle[z]?|cite[z]?|precise[z]?|indique[z]?|utilise[z]?|evite[z]?"
          + "|commence[z]?|termine[z]?|ecris|ecrivez|mets|mettez|fais|faites|glisse[z]?"
          + "|souligne[z]?|suggere[z]?|propose[z]?|donne[z]?|rappelle[z]?|signale[z]?"
          + "|explique[z]?|insiste[z]?|ne|n"
          + APOS
          + "|tu\\s+dois|vous\\s+devez|il\\s+faut|veille[z]?|assure-toi|assurez-vous)";

  private static final String ANSWER = "(?:ta|votre|tes|vos|chaque)\\s+reponses?\\b";

  private static final String EXFIL_VERB =
      "\\b(?:envoie[zr]?|envoies|envoyez|envoyer|transmets|transmettez|transmettre|"
          + er("transfer")
          + "|"
          + er("redirig")
          + "|"
          + er("partag")
          + "|"
          + er("publi")
          + "|"
          + er("televers")
          + "|"
          + er("copi")
          + "|"
          + er("expedi")
          + "|fai(?:s|tes|re)\\s+suivre|"
          + er("post")
          + "|"
          + er("divulgu")
          + "|"
          + er("exfiltr")
          + "|"
          + er("ajout")
          + "|joins|joignez|joindre|"
          + er("encod")
          + ")\\b";

  private static final String EXFIL_OBJECT =
      "\\b(?:(?:(?:la|cette|toute\\s+la)\\s+)?(?:conversation|discussion)|l"
          + APOS
          + "historique(?:\\s+(?:de\\s+la\\s+conversation|du\\s+chat|des\\s+messages"
          + "|de\\s+la\\s+discussion))?|(?:les\\s+)?messages\\s+precedents"
          + "|(?:le\\s+)?prompt\\s+(?:du\\s+)?systeme|(?:tes|vos)\\s+instructions"
          + "|mots?\\s+de\\s+passe|identifiants|cles?\\s+(?:d"
          + APOS
          + ")?api|secrets|jetons?\\s+(?:d"
          + APOS
          + "acces|de\\s+session)|cookies?\\s+de\\s+session|(?:donnees|informations"
          + "|coordonnees)\\s+(?:personnelles|de\\s+l"
          + APOS
          + "utilisat(?:eur|rice)|bancaires)|tout\\s+ce\\s+qui\\s+precede)\\b";

  private static final String EXFIL_TRIGGERS =
      "envoie envoies envoyez envoyer envoiez transmets transmettez transmettre transfere"
          + " transferez transferer redirige redirigez partage partagez partager publie publiez"
          + " televerse televersez copie copiez expedie expediez suivre poste postez divulgue"
          + " divulguez exfiltre ajoute ajoutez joins joignez encode encodez";

  static List<RiskCue> common() {
    return List.of(
        // --- Overriding earlier instructions.
        clause(
            "ignore_previous_instructions",
            IGNORE_NOUN_WORDS,
            0.9,
            // "n'oubliez pas de lire toutes les consignes" is the opposite.
            "(?<!n"
                + APOS
                + ")\\b"
                + IGNORE_VERB
                + "\\b(?!\\s+(?:pas|jamais)\\b)(?:\\s+\\S+){0,3}?\\s+(?:"
                + IGNORE_QUALIFIER
                + "\\b(?:\\s+\\S+){0,3}?\\s+"
                + IGNORE_NOUN
                + "\\b|"
                + IGNORE_NOUN
                + "\\s+(?:\\S+\\s+){0,2}?"
                + IGNORE_QUALIFIER
                + "\\b)"),
        clause(
            "ignore_previous_instructions",
            "tout",
            0.9,
            "\\b(?:"
                + er("ignor")
                + "|"
                + er("oubli")
                + ")\\s+tout\\s+ce\\s+(?:qui\\s+(?:precede|a\\s+ete\\s+dit|est\\s+(?:ecrit\\s+)?"
                + "(?:au-dessus|ci-dessus|plus\\s+haut))|qu"
                + APOS
                + "on\\s+(?:t"
                + APOS
                + "a|vous\\s+a)\\s+(?:dit|demande|ordonne))"),
        squashed(
            "ignore_previous_instructions",
            "ignore oublie",
            0.9,
            "(?:ignore[zrs]?|oublie[zrs]?)(?:toutes|tous)(?:les|tes|vos)(?:instructions|consignes"
                + "|regles|directives)|(?:ignore[zrs]?|oublie[zrs]?)(?:les|tes|vos)(?:instructions"
                + "|consignes|regles|directives)(?:precedentes|anterieures|initiales|dusysteme)"),
        clause(
            "new_instructions",
            "instructions consignes",
            0.45,
            "(?:^|\\W)(?:nouvelles|vraies|veritables|reelles)\\s+(?:instructions|consignes)"
                + "\\s*(?::|sont\\b)"),

        // --- Revealing the system prompt or secrets.
        clause(
            "reveal_system_prompt",
            "prompt message invite instructions consignes directives regles systeme"
                + " configuration programmation passe secret secrete texte messages",
            0.85,
            "\\b(?:"
                + er("revel")
                + "|"
                + er("affich")
                + "|"
                + er("montr")
                + "|"
                + er("donn")
                + "|dis|dites|dire|"
                + er("repet")
                + "|ecri(?:s|vez|re)|"
                + er("imprim")
                + "|"
                + er("divulgu")
                + "|"
                + er("partag")
                + "|"
                + er("recit")
                + "|"
                + er("copi")
                + "|"
                + er("communiqu")
                + "|"
                + er("devoil")
                + "|"
                + er("indiqu")
                + "|transmets|transmettez|"
                + er("list")
                + "|"
                + er("enumer")
                + "|quel(?:le)?s?\\s+(?:est|sont|etait|etaient))(?:-(?:moi|nous))?\\b"
                + "(?:\\s+\\S+){0,4}?\\s+(?:(?:le\\s+|ton\\s+|votre\\s+|ta\\s+|tes\\s+|vos\\s+|les\\s+)?"
                + "(?:prompt|message|invite|instructions?|consignes?)\\s+(?:du\\s+|de\\s+)?systeme\\b"
                + "|(?:tes|vos|ton|votre|ta)\\s+(?:instructions|consignes|directives|regles|prompt"
                + "|configuration|programmation)\\s+(?:initiales?|d"
                + APOS
                + "origine|originales?|cachees?|secretes?|completes?|exactes?|internes?|systeme)\\b"
                + "|(?:tes|vos|ton|votre)\\s+(?:instructions|prompt)\\b(?!\\s+(?:de|d"
                + APOS
                + "|du|des|pour|sur|concernant|a|au|aux)\\b)|les\\s+instructions\\s+(?:initiales"
                + "|d"
                + APOS
                + "origine|originales|cachees|secretes|du\\s+systeme|systeme|precedentes"
                + "|ci-dessus|qui\\s+precedent)\\b|(?:ton|votre)\\s+mot\\s+de\\s+passe\\b"
                + "|(?:le|ton|votre|la|ta)\\s+(?:mot|code|cle|phrase)\\s+secret(?:e)?\\b"
                + "|le\\s+mot\\s+de\\s+passe\\s+secret\\b|(?:le|les)\\s+(?:texte|messages?)\\s+"
                + "(?:ci-dessus|precedents?|caches?)\\b)"),
        clause(
            "reveal_secret",
            "dit demande interdit ordonne programme instruit dite demandee",
            0.8,
            "\\b(?:on\\s+t"
                + APOS
                + "a|on\\s+vous\\s+a|tu\\s+as\\s+ete|vous\\s+avez\\s+ete)\\s+(?:dit|demande"
                + "|interdit|ordonne|programme|instruit)e?s?\\s+de\\s+ne\\s+(?:pas|jamais)\\s+"
                + "(?:reveler|partager|dire|divulguer|donner|communiquer)\\b"),

        // --- Role and persona switches.
        clause(
            "role_switch",
            "maintenant desormais dorenavant",
            0.7,
            "\\b(?:a\\s+partir\\s+de\\s+maintenant|desormais|dorenavant)\\s*,?\\s+(?:(?:tu|vous)"
                + "\\s+(?:\\S+\\s+){0,2}?)?(?:agi(?:s|r|ssez|ras|rez)|repon(?:ds|dez|dre|dras"
                + "|drez)|(?:te\\s+|vous\\s+)?comport(?:e|es|ez|er|eras|erez)|comporte-toi"
                + "|comportez-vous|fai(?:s|tes|re)\\s+semblant|fer(?:as|ez)\\s+semblant"
                + "|jou(?:e|es|ez|er|eras|erez)\\s+(?:le\\s+role|un|une)|incarn(?:e|es|ez|er|eras"
                + "|erez)|parl(?:e|es|ez|er|eras|erez)\\s+comme)\\b"),
        clause(
            "role_switch",
            "plus pas nouveau nouvelle role personnage",
            0.7,
            "\\b(?:tu\\s+n"
                + APOS
                + "es|vous\\s+n"
                + APOS
                + "etes)\\s+(?:plus|pas)\\s+(?:un\\s+|une\\s+|le\\s+|la\\s+|l"
                + APOS
                + ")?(?:ia|intelligence\\s+artificielle|assistant|assistante|chatbot|modele"
                + "(?:\\s+de\\s+langage)?)\\b|\\b(?:ton|votre)\\s+nouveau\\s+(?:nom|role"
                + "|personnage)\\s+est\\b|\\b(?:ta|votre)\\s+nouvelle\\s+(?:identite"
                + "|personnalite|persona)\\s+est\\b|\\b(?:reste[zr]?|restes|sors|sortez|sortir)"
                + "\\s+(?:dans\\s+(?:le|ton|votre)\\s+|du\\s+|de\\s+ton\\s+|de\\s+votre\\s+)"
                + "(?:role|personnage)\\b"),
        clause(
            "role_switch",
            "semblant comme",
            0.6,
            "^"
                + MODAL
                + "(?:fai(?:s|tes|re)\\s+(?:semblant|comme\\s+si)|agi(?:s|ssez|r)\\s+comme\\s+si)"
                + "\\b"),
        clause(
            "jailbreak_persona",
            "mode dan",
            0.85,
            "\\bmode\\s+(?:dieu|jailbreak|dan|developpeur|sans\\s+(?:restrictions?|filtres?"
                + "|censure|limites))\\b|\\b(?:tu\\s+es|vous\\s+etes|sois|soyez)\\s+(?:\\w+\\s+)"
                + "{0,2}?dan\\b"),

        // --- Fake system messages.
        document(
            "fake_system_message",
            "systeme utilisateur",
            0.85,
            "(?m)^[ \\t]{0,8}(?:#{1,6}|<|\\{|\\*\\*|\\[)[ \\t]*(?:message\\s+(?:du\\s+)?)?"
                + "systeme(?:[ \\t]+(?:message|prompt|note|instructions?|consignes?))?[ \\t]*"
                + "(?::|\\}|>|\\*\\*|\\])|(?m)^[ \\t]{0,8}(?:message|invite|prompt|instructions?"
                + "|consignes?|note|avis)\\s+(?:du\\s+)?systeme[ \\t]*:|(?m)^[ \\t]{0,8}systeme"
                + "[ \\t]*:[^\\n]{0,80}?\\b(?:tu|vous|ton|votre|ignore[zr]?|assistant|ia|toujours"
                + "|jamais|ne\\s+pas)\\b|\\bfin\\s+(?:de\\s+(?:l"
                + APOS
                + "|la\\s+)?)(?:entree|saisie|message|requete|demande)\\s+(?:de\\s+l"
                + APOS
                + "|d"
                + APOS
                + ")?utilisat(?:eur|rice)\\b"),

        // --- Exfiltration.
        clause(
            "exfiltration_url",
            EXFIL_TRIGGERS,
            0.8,
            EXFIL_VERB
                + "[^.\\n]{0,80}?"
                + EXFIL_OBJECT
                + "[^.\\n]{0,80}?\\b(?:a|vers|sur|au|dans)\\s+(?:l"
                + APOS
                + "adresse\\s+|l"
                + APOS
                + "url\\s+|le\\s+|la\\s+|ce\\s+|cette\\s+)?(?:url|lien|serveur|webhook|site"
                + "|point\\s+de\\s+terminaison|"
                + URL_TARGET
                + ")"),
        clause(
            "exfiltration_email",
            EXFIL_TRIGGERS,
            0.8,
            EXFIL_VERB + "[^.\\n]{0,80}?" + EXFIL_OBJECT + "[^\\n]{0,80}?\\b" + EMAIL_TARGET),

        // --- Text addressed to the model rather than to the document's reader.
        clause(
            "instruction_to_assistant",
            "ia assistant assistante intelligence modele chatbot agent llm quand lorsque lorsqu"
                + " si attention",
            0.75,
            "\\b(?:note|message|remarque|instructions?|consignes?)\\s+(?:pour|a)\\s+(?:l"
                + APOS
                + "|le\\s+|la\\s+)?(?:ia|assistant|assistante|intelligence\\s+artificielle"
                + "|modele(?:\\s+de\\s+langage)?|chatbot|agent|llm)\\b|\\ba\\s+l"
                + APOS
                + "attention\\s+de\\s+(?:l"
                + APOS
                + "|la\\s+|le\\s+)(?:ia|assistant|assistante|intelligence\\s+artificielle"
                + "|modele|chatbot|agent)\\b|\\b(?:cher|chere|chers)\\s+(?:assistant|assistante"
                + "|ia|chatbot|modele)\\b|\\bsi\\s+(?:tu\\s+es|vous\\s+etes)\\s+(?:une?\\s+)?"
                + "(?:ia|intelligence\\s+artificielle|assistant|assistante|modele\\s+de\\s+langage"
                + "|chatbot|agent|llm)\\b|\\b(?:quand|lorsque|lorsqu"
                + APOS
                + "|si)\\s*(?:tu|vous)\\s+(?:resumes|resumez|lis|lisez|analyses|analysez|traites"
                + "|traitez)\\s+(?:ce|cet|cette|le|la|l"
                + APOS
                + ")\\s*(?:e-?mail|courriel|document|page|texte|message|fichier|article)\\b"),
        clause(
            "instruction_to_assistant",
            "reponse reponses",
            0.7,
            "^" + MODAL + ANSWER_VERB + "\\b[^\\n]{0,160}?\\b" + ANSWER),
        clause(
            "instruction_to_assistant",
            "reponse reponses repondre repondant reponds repondez",
            0.7,
            "^dans\\s+"
                + ANSWER
                + "\\s*,?\\s+"
                + IMPERATIVE
                + "|^(?:avant\\s+de\\s+repondre|en\\s+repondant|quand\\s+tu\\s+reponds"
                + "|lorsque\\s+tu\\s+reponds)\\b|^(?:reponds|repondez|repondre)\\s+(?:uniquement"
                + "\\s+|seulement\\s+|toujours\\s+)?(?:en\\s+(?:francais|anglais|allemand|espagnol"
                + "|italien|portugais|chinois|japonais|russe|arabe|latin|vers|rimes|majuscules"
                + "|minuscules|alexandrins|morse|emojis?)|comme\\s+(?:un|une|si)|sans\\s+(?:jamais"
                + "|mentionner|dire|aucune?))\\b|^(?:reponds|repondez|repondre)\\s+(?:uniquement"
                + "|seulement)\\s+(?:en|avec|par)\\b|\\b(?:ta|votre)\\s+reponse\\s+(?:doit|devra"
                + "|devrait)\\s+(?:etre\\s+(?:ecrite|redigee|en|formatee|donnee)|inclure|contenir"
                + "|commencer|se\\s+terminer|terminer|finir|mentionner|comporter)\\b"),
        clause(
            "instruction_to_assistant",
            "utilisateur utilisatrice utilisateurs utilisatrices lecteur lecteurs lectrice"
                + " lectrices visiteur visiteurs internaute internautes",
            0.65,
            "^"
                + MODAL
                + "(?:dis|dites|dire|"
                + er("inform")
                + "|"
                + er("rappel")
                + "|rappelle|rappellez|previens|prevenez|prevenir|"
                + er("demand")
                + "|"
                + er("conseill")
                + "|"
                + er("recommand")
                + "|"
                + er("encourag")
                + "|"
                + er("incit")
                + "|"
                + er("invit")
                + "|"
                + er("expliqu")
                + "|"
                + er("signal")
                + "|"
                + er("assur")
                + "|convaincs|convainquez|convaincre|"
                + er("persuad")
                + "|"
                + er("pouss")
                + "|avertis|avertissez|avertir|"
                + er("notifi")
                + "|"
                + er("sugger")
                + "|fai(?:s|tes|re)\\s+savoir)(?:-lui|-leur)?\\s+(?:a\\s+|aux\\s+)?(?:l"
                + APOS
                + "|les\\s+|la\\s+|le\\s+|chaque\\s+|tous\\s+les\\s+)?(?:utilisat(?:eur|rice)s?"
                + "|lect(?:eur|rice)s?|visiteu(?:r|se)s?|internautes?)\\b"),
        clause(
            "instruction_to_assistant",
            "phrase phrases paragraphe paragraphes ligne lignes reponse reponses mot mots",
            0.65,
            "^"
                + MODAL
                + "(?:"
                + er("termin")
                + "|"
                + er("commenc")
                + "|finis|finissez|conclus|concluez)\\s+(?:chaque|toutes\\s+les|tous\\s+les)\\s+"
                + "(?:phrases?|paragraphes?|lignes?|reponses?|mots?)\\b|^"
                + MODAL
                + ANSWER_VERB
                + "\\b[^\\n]{0,160}?\\b(?:dans|a|en)\\s+(?:chaque|toutes\\s+(?:les|tes|vos))\\s+"
                + "reponses?\\b"));
  }

  /** Only a retrieved document, not the user, has no business telling the model who it is. */
  static List<RiskCue> retrievedContextOnly() {
    return List.of(
        clause(
            "role_switch",
            "maintenant desormais present",
            0.7,
            "\\b(?:tu\\s+es|vous\\s+etes)\\s+(?:maintenant|desormais|a\\s+present)\\s+(?:(?:appele"
                + "|nomme)e?s?\\b|en\\s+mode\\b|(?:un|une|le|la|l"
                + APOS
                + ")\\s*(?:\\S+\\s+){0,2}?(?:ia|assistant|assistante|chatbot|bot|modele|personnage"
                + "|persona)\\b)"));
  }
}
