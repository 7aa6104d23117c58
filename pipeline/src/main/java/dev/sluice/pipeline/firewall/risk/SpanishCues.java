package dev.sluice.pipeline.firewall.risk;

import static dev.sluice.pipeline.firewall.risk.InjectionCues.EMAIL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.URL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.clause;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.document;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.squashed;

import java.util.List;

/**
 * The injection cue families in Spanish, written from Spanish phrasing: imperative in {@code tú},
 * {@code usted}, {@code vosotros} and {@code ustedes} forms, pronouns joined to the verb ("dime",
 * "muéstrame", "olvídate de"), adjectives after the noun ("las instrucciones anteriores"). Patterns
 * see folded text: lower-case, accents and the tilde of ñ removed ("contraseña" is "contrasena").
 */
final class SpanishCues {

  private SpanishCues() {}

  private static final String IGNORE_VERB =
      "(?:ignor(?:a|e|en|ad|ar|es)|olvid(?:a|e|en|ad|ar|as)(?:te|se)?(?:\\s+de)?|no\\s+(?:hagas"
          + "|haga|hagan)\\s+caso\\s+(?:a|de)|(?:haz|haga|hagan)\\s+caso\\s+omiso\\s+(?:a|de)"
          + "|pas(?:a|e|en|ar)\\s+por\\s+alto|omit(?:e|a|an|ir)|descart(?:a|e|en|ar)"
          + "|desobedec(?:e|er)|desobedezca|anul(?:a|e|en|ar)|salt(?:a|e|en|ar)(?:te|se)?"
          + "|dej(?:a|e|en)\\s+de\\s+(?:seguir|obedecer|cumplir)|(?:ya\\s+)?no\\s+(?:sigas|siga"
          + "|sigan|obedezcas|obedezca|cumplas|cumpla)|prescind(?:e|a|ir)\\s+de)";

  private static final String QUALIFIER =
      "(?:todas|todos|todo|tus|sus|vuestras|vuestros|esas|esos|estas|estos|anteriores|previas"
          + "|previos|precedentes|originales|iniciales|del\\s+sistema|de\\s+seguridad"
          + "|de\\s+arriba|mencionad[ao]s|dadas|recibidas|otras|antiguas|existentes)";

  private static final String NOUN =
      "(?:instrucciones|instruccion|indicaciones|directrices|directivas|ordenes|orden|comandos"
          + "|reglas|normas|pautas|prompts?|mensajes|restricciones|limitaciones|politicas"
          + "|consignas|programacion)";

  private static final String NOUN_WORDS =
      "instrucciones instruccion indicaciones directrices directivas ordenes orden comandos"
          + " reglas normas pautas prompt prompts mensajes restricciones limitaciones politicas"
          + " consignas programacion";

  // Lead-ins that keep a sentence an instruction: "asegúrate de incluir", "no olvides decir".
  private static final String MODAL =
      "(?:(?:debes|debe|tienes\\s+que|tiene\\s+que|hay\\s+que|asegurate\\s+de|asegurese\\s+de"
          + "|no\\s+olvides|no\\s+olvide|recuerda|recuerde|intenta|intente|quiero\\s+que"
          + "|siempre|ahora|[a-z]{2,20}mente)\\s+){0,2}";

  // Verbs that change what the answer says or how it is written (with the tú-subjunctive after
  // "quiero que").
  private static final String ANSWER_VERB =
      "(?:anad(?:e|a|ir|as)|agreg(?:a|ue|ar|ues)|inclu(?:ye|ya|ir|yas)|integr(?:a|e|ar|es)"
          + "|insert(?:a|e|ar|es)|mencion(?:a|e|ar|es)|modific(?:a|ar)|modifique|cambi(?:a|e|ar"
          + "|es)|adapt(?:a|e|ar|es)|comienz(?:a|as)|comience|empiez(?:a|as)|empiece|empezar"
          + "|comenzar|termin(?:a|e|ar|es)|acab(?:a|e|ar|es)|conclu(?:ye|ya|ir)|escrib(?:e|a|ir"
          + "|as)|redact(?:a|e|ar|es)|traduc(?:e|ir)|traduzca|formul(?:a|e|ar|es)"
          + "|recomiend(?:a|e|es)|recomendar|sugier(?:e|a|as)|sugerir|pon|ponga|poner|pongas"
          + "|coloc(?:a|ar)|coloque|firm(?:a|e|ar|es)|us(?:a|e|ar|es)|utiliz(?:a|ar)|utilice"
          + "|evit(?:a|e|ar|es)|haz|haga|hacer|hagas|respond(?:e|a|er|as)|contest(?:a|e|ar|es)"
          + "|estructur(?:a|e|ar)|present(?:a|e|ar)|destac(?:a|ar)|destaque|resalt(?:a|e|ar))";

  // Imperatives that may follow "en tu respuesta," (and not "usted mencionó").
  private static final String IMPERATIVE =
      "(?:incluye|incluya|menciona|mencione|agrega|agregue|anade|anada|inserta|inserte"
          + "|recomienda|recomiende|di|diga|dile|digale|escribe|escriba|comienza|comience|empieza"
          + "|empiece|termina|termine|usa|use|utiliza|utilice|evita|evite|pon|ponga|indica"
          + "|indique|sugiere|sugiera|explica|explique|habla|hable|dale|no|nunca|asegurate"
          + "|asegurese|debes|debe|tienes\\s+que|tiene\\s+que|hay\\s+que)\\b";

  private static final String ANSWER = "(?:tu|su|tus|sus|cada)\\s+respuestas?\\b";

  private static final String EXFIL_VERB =
      "\\b(?:envi(?:a|e|en|ar)|enviale|enviame|mand(?:a|e|en|ar)|reenvi(?:a|e|en|ar)"
          + "|transmit(?:e|a|ir)|sub(?:e|a|ir)|compart(?:e|a|ir)|public(?:a|ar)|publique"
          + "|copi(?:a|e|ar)|filtr(?:a|e|ar)|exfiltr(?:a|e|ar)|adjunt(?:a|e|ar)|agreg(?:a|ar)"
          + "|agregue|anad(?:e|a|ir)|codific(?:a|ar)|codifique|remit(?:e|a|ir))\\b";

  private static final String EXFIL_OBJECT =
      "\\b(?:(?:la|esta|toda\\s+la)\\s+conversacion|el\\s+historial(?:\\s+(?:del\\s+chat|de\\s+la"
          + "\\s+conversacion|de\\s+mensajes))?|(?:los\\s+)?mensajes\\s+anteriores|el\\s+prompt"
          + "\\s+del\\s+sistema|(?:tus|sus)\\s+instrucciones|contrasenas?|credenciales|claves?"
          + "\\s+(?:de\\s+)?api|secretos|tokens?(?:\\s+de\\s+(?:acceso|sesion))?|cookies(?:\\s+de"
          + "\\s+sesion)?|datos\\s+(?:personales|del\\s+usuario|bancarios)|informacion\\s+"
          + "(?:personal|del\\s+usuario)|todo\\s+lo\\s+anterior)\\b";

  private static final String EXFIL_TRIGGERS =
      "envia envie envien enviar enviale enviame manda mande manden mandar reenvia reenvie"
          + " reenviar transmite transmita transmitir sube suba subir comparte comparta"
          + " compartir publica publicar publique copia copie copiar filtra filtre filtrar"
          + " exfiltra adjunta adjunte adjuntar agrega agregar agregue anade anada anadir"
          + " codifica codificar codifique remite remita remitir";

  static List<RiskCue> common() {
    return List.of(
        // --- Overriding earlier instructions.
        clause(
            "ignore_previous_instructions",
            NOUN_WORDS,
            0.9,
            // "no olvide leer todas las instrucciones" is the opposite.
            "(?<!\\bno\\s)\\b"
                + IGNORE_VERB
                + "\\b(?:\\s+\\S+){0,3}?\\s+(?:"
                + QUALIFIER
                + "\\b(?:\\s+\\S+){0,3}?\\s+"
                + NOUN
                + "\\b|"
                + NOUN
                + "\\s+(?:\\S+\\s+){0,2}?"
                + QUALIFIER
                + "\\b)"),
        clause(
            "ignore_previous_instructions",
            "todo",
            0.9,
            "(?<!\\bno\\s)\\b(?:olvid|ignor)(?:a|e|ad|en)(?:te|se)?\\s+(?:de\\s+)?todo\\s+lo\\s+"
                + "(?:anterior|previo|de\\s+arriba|dicho|que\\s+(?:se\\s+te|te\\s+han|le\\s+han"
                + "|se\\s+le)\\s+(?:ha\\s+)?(?:dicho|indicado|ordenado))\\b"),
        squashed(
            "ignore_previous_instructions",
            "ignor olvid",
            0.9,
            "(?:ignora|ignore|olvida|olvide)(?:todas)?(?:las|tus|sus)(?:instrucciones|reglas"
                + "|indicaciones|ordenes)(?:anteriores|previas|originales|delsistema)|(?:ignora"
                + "|ignore|olvida|olvide)todas(?:las|tus|sus)(?:instrucciones|reglas|indicaciones"
                + "|ordenes)"),
        clause(
            "new_instructions",
            "instrucciones",
            0.45,
            "(?:^|\\W)(?:nuevas|verdaderas|autenticas|reales)\\s+instrucciones\\s*(?::|son\\b)"),

        // --- Revealing the system prompt or secrets.
        clause(
            "reveal_system_prompt",
            "prompt mensaje indicador instrucciones directrices reglas indicaciones normas sistema"
                + " programacion contrasena clave palabra frase codigo texto mensajes",
            0.85,
            "\\b(?:revel(?:a|e|ar)|muestr(?:a|e|en)|mostrar|muestrame|muestreme|dime|digame|dinos"
                + "|di|decir|imprim(?:e|a|ir)|repit(?:e|a)|repetir|escrib(?:e|a|ir)|compart(?:e|a"
                + "|ir)|dame|deme|danos|expon|exponga|exponer|divulg(?:a|ue|ar)|copi(?:a|e|ar)"
                + "|filtr(?:a|e|ar)|ensename|ensena|ensene|cual(?:es)?\\s+(?:es|son|era|eran)"
                + "|lista|enumera)\\b(?:\\s+\\S+){0,4}?\\s+(?:(?:tu|su|el)\\s+(?:prompt|mensaje"
                + "|indicador|instrucciones?)\\s+(?:del\\s+|de\\s+)?sistema\\b|(?:tus|sus)\\s+"
                + "(?:instrucciones|directrices|reglas|indicaciones|prompts?|normas)\\s+"
                + "(?:originales|iniciales|ocultas|secretas|del\\s+sistema|completas|exactas"
                + "|internas|previas)\\b|(?:tus|sus)\\s+instrucciones\\b(?!\\s+(?:de|del|para"
                + "|sobre|a|al|respecto)\\b)|(?:tu|su)\\s+(?:prompt|programacion)\\b(?!\\s+(?:de"
                + "|del|para)\\b)|las\\s+instrucciones\\s+(?:originales|iniciales|ocultas|secretas"
                + "|del\\s+sistema|anteriores|previas|de\\s+arriba)\\b|(?:tu|su)\\s+contrasena\\b"
                + "|la\\s+(?:contrasena|clave|palabra|frase)\\s+secreta\\b|(?:tu|su)\\s+clave"
                + "\\s+secreta\\b|el\\s+(?:codigo|texto)\\s+secreto\\b|(?:el|los)\\s+(?:texto"
                + "|mensajes?)\\s+(?:anteriores?|previos?|de\\s+arriba|ocultos?)\\b)"),
        clause(
            "reveal_secret",
            "dijeron dicho ordenaron ordenado pidieron pedido programaron prohibieron instruyeron",
            0.8,
            "\\b(?:te|le)\\s+(?:dijeron|han\\s+dicho|ordenaron|han\\s+ordenado|pidieron"
                + "|han\\s+pedido|programaron|prohibieron|instruyeron)\\s+(?:que\\s+)?no\\s+"
                + "(?:revelar|revelaras|revelases|compartir|compartieras|decir|dijeras|divulgar)"
                + "\\b"),

        // --- Role and persona switches.
        clause(
            "role_switch",
            "ahora adelante momento",
            0.7,
            "\\b(?:a\\s+partir\\s+de\\s+ahora|desde\\s+ahora|de\\s+ahora\\s+en\\s+adelante|desde"
                + "\\s+este\\s+momento)\\s*,?\\s+(?:(?:tu|usted)\\s+)?(?:(?:eres|seras|vas\\s+a"
                + "|debes|deberas|es|sera|va\\s+a|debe)\\s+(?:\\S+\\s+){0,2}?)?(?:actu(?:a|e|ar"
                + "|aras|ara)|respond(?:e|a|er|eras|era)|contest(?:a|e|ar)|comport(?:ate|ese|arte"
                + "|arse|aras)|fing(?:e|ir|iras)|finja|habl(?:a|e|ar|aras)|interpret(?:a|e|ar)"
                + "|jug(?:ar|aras))\\b"),
        clause(
            "role_switch",
            "eres es nuevo nueva mantente mantengase permanece permanezca quedate sal salgas"
                + " salir",
            0.7,
            "\\b(?:ya\\s+no\\s+(?:eres|es)|no\\s+eres|usted\\s+ya\\s+no\\s+es)\\s+(?:un\\s+|una\\s+"
                + "|el\\s+|la\\s+)?(?:ia|inteligencia\\s+artificial|asistente|chatbot|modelo"
                + "(?:\\s+de\\s+lenguaje)?)\\b|\\b(?:tu|su)\\s+nuevo\\s+(?:nombre|rol|papel"
                + "|personaje)\\s+es\\b|\\b(?:tu|su)\\s+nueva\\s+(?:identidad|personalidad)\\s+es"
                + "\\b|\\b(?:mantente|mantengase|permanece|permanezca|quedate|sal|salgas|salir)\\s+"
                + "(?:en|del|de\\s+tu|de\\s+su)\\s+(?:personaje|papel|rol)\\b"),
        clause(
            "role_switch",
            "finge finja fingir haz haga actua actue imagina",
            0.6,
            "^"
                + MODAL
                + "(?:finge|finja|fingir|haz\\s+como\\s+si|haga\\s+como\\s+si|actua\\s+como\\s+si"
                + "|actue\\s+como\\s+si|imagina\\s+que\\s+eres)\\b"),
        clause(
            "jailbreak_persona",
            "modo dan",
            0.85,
            "\\bmodo\\s+(?:dios|jailbreak|dan|desarrollador|sin\\s+(?:restricciones|filtros"
                + "|censura|limites))\\b|\\b(?:eres|usted\\s+es|se\\s+tu|sea)\\s+(?:\\w+\\s+){0,2}?"
                + "dan\\b"),

        // --- Fake system messages.
        document(
            "fake_system_message",
            "sistema usuario",
            0.85,
            "(?m)^[ \\t]{0,8}(?:#{1,6}|<|\\{|\\*\\*|\\[)[ \\t]*(?:mensaje\\s+(?:del\\s+)?)?sistema"
                + "(?:[ \\t]+(?:mensaje|prompt|nota|instrucciones?))?[ \\t]*(?::|\\}|>|\\*\\*|\\])"
                + "|(?m)^[ \\t]{0,8}(?:mensaje|aviso|instrucciones?|nota|indicacion)\\s+del\\s+"
                + "sistema[ \\t]*:|(?m)^[ \\t]{0,8}sistema[ \\t]*:[^\\n]{0,80}?\\b(?:tu|usted"
                + "|debes|debe|ignora|asistente|ia|siempre|nunca)\\b|\\bfin\\s+de\\s+(?:la\\s+)?"
                + "(?:entrada|consulta|mensaje|peticion|solicitud)\\s+del\\s+usuario\\b"),

        // --- Exfiltration.
        clause(
            "exfiltration_url",
            EXFIL_TRIGGERS,
            0.8,
            EXFIL_VERB
                + "[^.\\n]{0,80}?"
                + EXFIL_OBJECT
                + "[^.\\n]{0,80}?\\b(?:a|al|hacia|en|por)\\s+(?:la\\s+|esta\\s+|el\\s+|este\\s+)?"
                + "(?:url|enlace|servidor|webhook|direccion|endpoint|"
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
            "ia asistente inteligencia modelo chatbot agente llm si cuando al mientras",
            0.75,
            "\\b(?:nota|mensaje|instrucciones?|aviso)\\s+(?:para|a)\\s+(?:la\\s+|el\\s+)?(?:ia"
                + "|asistente|inteligencia\\s+artificial|modelo(?:\\s+de\\s+lenguaje)?|chatbot"
                + "|agente|llm)\\b|\\b(?:querid[oa]|estimad[oa]|hola|oye)\\s+(?:ia|asistente"
                + "|chatbot|modelo)\\b|\\bsi\\s+(?:eres|usted\\s+es|es\\s+usted)\\s+(?:un|una)\\s+"
                + "(?:ia|inteligencia\\s+artificial|asistente|modelo\\s+de\\s+lenguaje|chatbot"
                + "|agente|llm)\\b|\\b(?:cuando|al|mientras)\\s+(?:resumas|resuma|resumir|leas"
                + "|lea|leer|proceses|procese|procesar|analices|analice|analizar)\\s+(?:este"
                + "|esta|el|la)\\s+(?:correo|email|e-mail|documento|pagina|texto|mensaje|archivo"
                + "|articulo)\\b"),
        clause(
            "instruction_to_assistant",
            "respuesta respuestas",
            0.7,
            "^" + MODAL + ANSWER_VERB + "\\b[^\\n]{0,160}?\\b" + ANSWER),
        clause(
            "instruction_to_assistant",
            "respuesta respuestas responder contestar respondas contestes responde responda"
                + " contesta conteste respondan solo solamente unicamente",
            0.7,
            "^en\\s+"
                + ANSWER
                + "\\s*,?\\s+"
                + IMPERATIVE
                + "|^(?:antes\\s+de\\s+(?:responder|contestar)|al\\s+(?:responder|contestar)"
                + "|cuando\\s+(?:respondas|contestes))\\b|^(?:responde|responda|contesta|conteste"
                + "|respondan)\\s+(?:solo\\s+|solamente\\s+|unicamente\\s+|siempre\\s+)?(?:en\\s+"
                + "(?:ingles|espanol|castellano|frances|aleman|italiano|portugues|chino|japones"
                + "|ruso|arabe|latin|verso|rima|mayusculas|emojis?|codigo\\s+morse)|como\\s+(?:un"
                + "|una|si)|sin\\s+(?:mencionar|decir|usar))\\b|^(?:solo|solamente|unicamente)\\s+"
                + "(?:responde|responda|contesta|conteste)\\s+(?:en|con)\\b|\\b(?:tu|su)\\s+"
                + "respuesta\\s+(?:debe|debera|deberia|tiene\\s+que|ha\\s+de)\\s+(?:ser\\s+"
                + "(?:escrita|redactada|en|formateada)|incluir|contener|comenzar|empezar|terminar"
                + "|acabar|mencionar)\\b"),
        clause(
            "instruction_to_assistant",
            "usuario usuaria usuarios usuarias lector lectora lectores lectoras visitante"
                + " visitantes",
            0.65,
            "^"
                + MODAL
                + "(?:y\\s+)?(?:di|dile|digale|diles|digales|informa|informe|informale|recuerda"
                + "|recuerde|recuerdale|recuerdele|pide|pida|pidele|pidale|aconseja|aconseje"
                + "|advierte|advierta|anima|anime|convence|convenza|sugiere|sugiera|recomienda"
                + "|recomiende|indica|indique|comunica|comunique|explica|explique|hazle\\s+saber"
                + "|hagale\\s+saber|avisa|avise)\\s+(?:a\\s+la\\s+|a\\s+los\\s+|a\\s+las\\s+|al\\s+"
                + "|a\\s+)(?:usuari[oa]s?|lector(?:es|as?)?|visitantes?)\\b"),
        clause(
            "instruction_to_assistant",
            "frase frases oracion oraciones parrafo parrafos linea lineas respuesta respuestas"
                + " palabra palabras",
            0.65,
            "^"
                + MODAL
                + "(?:termina|termine|empieza|empiece|comienza|comience|acaba|acabe)\\s+(?:cada"
                + "|todas\\s+las|todos\\s+los)\\s+(?:frases?|oraci(?:on|ones)|parrafos?|lineas?"
                + "|respuestas?|palabras?)\\b"));
  }

  /** Only a retrieved document, not the user, has no business telling the model who it is. */
  static List<RiskCue> retrievedContextOnly() {
    return List.of(
        clause(
            "role_switch",
            "ahora",
            0.7,
            "\\b(?:ahora\\s+eres|ahora\\s+es\\s+usted|ahora\\s+usted\\s+es|eres\\s+ahora)\\s+"
                + "(?:(?:un|una|el|la|mi)\\s+(?:\\S+\\s+){0,2}?(?:ia|asistente|chatbot|bot|modelo"
                + "|personaje|persona)\\b|llamad[oa]\\b|en\\s+modo\\b)"));
  }
}
