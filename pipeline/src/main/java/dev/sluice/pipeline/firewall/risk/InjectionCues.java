package dev.sluice.pipeline.firewall.risk;

import dev.sluice.pipeline.firewall.risk.RiskCue.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The shipped cue catalogue. Patterns run on normalised lower-case text (see {@link
 * TextNormalizer}); CLAUSE patterns see one sentence with its leading politeness removed, so {@code
 * ^} is where the sentence's verb starts. Every quantifier is bounded and no group nests an
 * unbounded repeat, so matching stays linear in the clause length.
 *
 * <p>Families and weights (a cue name may have several patterns; it counts once, at its highest
 * weight):
 *
 * <ul>
 *   <li>0.90 {@code ignore_previous_instructions}: ignore, disregard, forget or stop following
 *       earlier/all/your instructions, rules, prompts, or "everything above" (also on the
 *       letters-only form).
 *   <li>0.85 {@code reveal_system_prompt}, {@code fake_system_message} (chat-template tokens, "###
 *       system:", "[INST]", "&lt;|im_start|&gt;", "end of user input"), {@code jailbreak_persona}
 *       ("DAN", "developer mode enabled"), {@code exfiltration_url} (markdown image with a query
 *       string, URL with a placeholder parameter, "send the conversation to URL").
 *   <li>0.80 {@code reveal_secret}, {@code exfiltration_email}, {@code fake_tool_call} (JSON-ish
 *       tool or function call blocks, tool-call tags).
 *   <li>0.60 to 0.75 {@code instruction_to_assistant}: imperatives aimed at the answer ("add X to
 *       your reply", "in your response, ...", "before answering", "answer in French", "tell the
 *       user ...", "note to the AI"); {@code answer_manipulation} ("confirm by saying", "replace
 *       vowels with ..."); {@code role_switch} (context only also "you are now an assistant ...");
 *       {@code unrestricted_persona}; {@code code_insertion_directive} (0.70 with "into your
 *       solution/implementation"); {@code off_task_request} (context only: "write a poem", "explain
 *       the theory of ..."); {@code tool_call_injection}.
 *   <li>0.45 to 0.50, weak alone, decisive together: {@code code_insertion_directive} ("use the
 *       following code"), {@code code_exfiltration}, {@code code_download_exec}, {@code
 *       code_destructive} (payloads inside planted code), {@code new_instructions}, {@code
 *       off_task_question} (context only: an impersonal trivia question).
 *   <li>0.50, 0.60 from three words on: {@code hidden_text}, text hidden in invisible carriers (tag
 *       characters, variation-selector runs; {@link TextNormalizer}). A hidden word flags and
 *       blocks with any other cue or from level 6; a hidden sentence blocks at the default level.
 *       What the carrier hides is scored by every other cue too, so a hidden instruction blocks.
 * </ul>
 *
 * <p>The families that matter most for injection (ignore, reveal, role switch, jailbreak persona,
 * fake system message, exfiltration, instruction to the assistant, tell the user) are also written
 * in French, German, Spanish ({@link FrenchCues}, {@link GermanCues}, {@link SpanishCues}) and
 * Chinese ({@link ChineseCues}), under the same names and weights.
 */
public final class InjectionCues {

  private InjectionCues() {}

  // Words for the assistant's own output: what an injected instruction tries to steer.
  private static final String OUTPUT = "(?:answers?|responses?|repl(?:y|ies)|elucidation)";

  private static final String OUTPUT_OR_MESSAGE =
      "(?:answers?|responses?|repl(?:y|ies)|elucidation|messages?)";

  // Verbs that change what the answer says.
  private static final String CONTENT_VERB =
      "(?:add|include|integrate|insert|append|prepend|incorporate|inject|mention|modify|change"
          + "|alter|edit|adjust|amend|update|enhance|augment|enrich|embed|introduce|provide|use"
          + "|start|begin|end|finish|conclude|close|open|preface|prefix|tease|suggest|hint|highlight"
          + "|emphasi[sz]e|stress|express|keep|limit|restrict|make|give|put|place|recommend"
          + "|promote|advertise|attach|sign|weave|blend|infuse|fill|pepper|sprinkle|mix|frame"
          + "|phrase|word|tailor|craft|finish|wrap|do not|don't|never|avoid|refrain from)";

  // Verbs that change how the answer is written.
  private static final String FORM_VERB =
      "(?:translate|convert|encode|rewrite|render|scramble|jumble|misspell|reverse|rearrange"
          + "|anagram|substitute|replace|remove|group|combine|format|write|spell|capitali[sz]e"
          + "|present|deliver|display|structure|compose|type|print|output|respond|answer|reply"
          + "|shuffle|encrypt|obfuscate|abbreviate|shorten|split|break|separate|transform)";

  // Modal and politeness lead-ins that keep a sentence an instruction: "make sure to add ...".
  private static final String MODAL =
      "(?:(?:you\\s+(?:must|should|need\\s+to|have\\s+to|may|are\\s+to)|make\\s+sure\\s+(?:to|you)"
          + "|be\\s+sure\\s+to|remember\\s+to|(?:don't|do\\s+not)\\s+(?:forget|hesitate)\\s+to"
          + "|feel\\s+free\\s+to|try\\s+to|i\\s+(?:want|need)\\s+you\\s+to|ensure\\s+(?:that\\s+)?you"
          + "|always|[a-z]{2,20}ly)\\s+){0,2}";

  // Verbs that plant code into what the assistant produces.
  private static final String CODE_VERB =
      "(?:utili[sz]e|integrate|incorporate|merge|embed|insert|include|add|use|employ|blend|meld"
          + "|fuse|weave|infuse|interweave|inject|absorb|adopt|deploy|enlist|leverage|engage"
          + "|harmoni[sz]e|execute|run|introduce|append|apply|copy|paste|put|place|make|let|ensure"
          + "|consider|render|implement|integrating|incorporating|embedding)";

  private static final String CODE_REF =
      "\\b(?:following|subsequent|below|provided|given|attached|above|next|this|these)\\s+"
          + "(?:python\\s+|bash\\s+|shell\\s+)?(?:code|snippet|excerpt|block|section|fragment"
          + "|segment|lines?|script|helper|function|routine)\\b";

  /** Where exfiltrated data is sent: a URL or a bare domain name. */
  static final String URL_TARGET =
      "(?:https?://|www\\.|[a-z0-9-]{1,60}\\.(?:com|net|org|io|xyz|ru|cn|info|biz|co|me|app|dev"
          + "|site|top|fr|de|es)\\b)";

  /** An e-mail address as exfiltration cues see it (lower-case). */
  static final String EMAIL_TARGET = "[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,100}\\.[a-z]{2,}";

  /** An apostrophe, typed or typographic: NFKC keeps U+2019 as it is. */
  static final String APOS = "['\u2019]";

  /** Cues for retrieved context (RAG chunks): everything, including requests for off-task work. */
  public static List<RiskCue> forRetrievedContext() {
    List<RiskCue> cues = new ArrayList<>(forUserPrompt());
    cues.addAll(offTask());
    cues.addAll(retrievedContextOnly());
    cues.addAll(FrenchCues.retrievedContextOnly());
    cues.addAll(GermanCues.retrievedContextOnly());
    cues.addAll(SpanishCues.retrievedContextOnly());
    cues.addAll(ChineseCues.retrievedContextOnly());
    return List.copyOf(cues);
  }

  /**
   * Cues for a user's own prompt: a user may ask for a poem or a translation, or set up a role play
   * ("you are now a tour guide"), so off-task requests and persona assignments are not a sign of
   * injection there.
   */
  public static List<RiskCue> forUserPrompt() {
    List<RiskCue> cues = new ArrayList<>(common());
    cues.addAll(FrenchCues.common());
    cues.addAll(GermanCues.common());
    cues.addAll(SpanishCues.common());
    cues.addAll(ChineseCues.common());
    cues.add(hidden("hidden_text", 0.5, hiddenText -> true));
    cues.add(
        hidden("hidden_text", 0.6, hiddenText -> wordCount(hiddenText) >= HIDDEN_SENTENCE_WORDS));
    return List.copyOf(cues);
  }

  /**
   * Hidden text of this many words is a sentence, not a stray tag: it blocks at the default level
   * on its own. Fewer words only flag, and block with any other cue.
   */
  static final int HIDDEN_SENTENCE_WORDS = 3;

  private static int wordCount(String text) {
    int words = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isIdeographic(c)) {
        int start = i;
        while (i < text.length() && Character.isIdeographic(text.charAt(i))) {
          i++;
        }
        words += (i - start + 1) / 2; // Chinese has no spaces: two characters count as a word
      } else if (Character.isLetterOrDigit(c)) {
        while (i < text.length()
            && Character.isLetterOrDigit(text.charAt(i))
            && !Character.isIdeographic(text.charAt(i))) {
          i++;
        }
        words++;
      } else {
        i++;
      }
    }
    return words;
  }

  /** Persona assignments that a retrieved document has no business making. */
  private static List<RiskCue> retrievedContextOnly() {
    return List.of(
        clause(
            "role_switch",
            "now",
            0.7,
            "\\b(?:you\\s+are|you're)\\s+now\\s+(?:called|named|known\\s+as|in\\s+\\S{1,30}\\s+mode"
                + "|(?:an?|the|my|your)\\s+(?:\\S+\\s+){0,2}?(?:ai|assistant|chatbot|bot|language\\s+"
                + "model|persona|character)\\b)"));
  }

  private static List<RiskCue> common() {
    List<RiskCue> cues = new ArrayList<>();

    // --- Overriding earlier instructions.
    cues.add(
        clause(
            "ignore_previous_instructions",
            "ignore disregard forget forgot forgotten skip overlook override overrule bypass abandon discard neglect aside throw follow listen obey heed following obeying",
            0.9,
            "\\b(?:ignore|disregard|forget|forgot|forgotten|skip|overlook|override|overrule|bypass"
                + "|abandon|discard|neglect|set aside|put aside|throw out|(?:do not|don't|never)"
                + " (?:follow|listen to|obey|heed)|stop (?:following|obeying)|no longer"
                + " (?:follow|obey))\\b(?:\\s+\\S+){0,3}?\\s+(?:all|any|every|previous|previously"
                + "|prior|preceding|earlier|above|foregoing|original|initial|system|your|existing"
                + "|old|former|past|other|developer|safety|those|these)\\b(?:\\s+\\S+){0,3}?\\s+"
                + "(?:instructions?|directions?|directives?|orders?|commands?|rules|guidelines"
                + "|prompts?|programming|guardrails|restrictions|constraints|policies|information"
                + "|context|messages|text|input|training)\\b"));
    cues.add(
        squashed(
            "ignore_previous_instructions",
            "ignore disregard forget",
            0.9,
            "(?:ignore|disregard|forget)(?:all|any)?(?:of)?(?:the|your|my)?(?:previous|prior"
                + "|above|preceding|earlier|original|system)(?:instructions|rules|directions"
                + "|prompts?|orders|commands|guidelines)|(?:ignore|disregard|forget)all(?:the"
                + "|your)?(?:instructions|rules|directions|prompts)"));
    cues.add(
        clause(
            "ignore_previous_instructions",
            "everything",
            0.9,
            "\\b(?:ignore|disregard|forget)\\s+everything\\s+(?:above|before\\s+this|prior|previously"
                + "|said\\s+(?:before|so\\s+far|above)|you\\s+(?:were|have\\s+been)\\s+told|(?:written"
                + "|stated)\\s+(?:above|before)|up\\s+to\\s+(?:now|here|this\\s+point))\\b"));
    cues.add(
        clause(
            "new_instructions",
            "instructions instruction",
            0.45,
            "(?:^|\\W)(?:new|updated|real|actual|true|revised|override)\\s+(?:system\\s+)?"
                + "instructions?\\s*(?::|are\\b|follow\\b)"));

    // --- Revealing the system prompt or secrets.
    cues.add(
        clause(
            "reveal_system_prompt",
            "prompt prompts instructions rules guidelines directives configuration programming password secret hidden credentials keys key messages text context",
            0.85,
            "\\b(?:reveal|print|show|output|repeat|display|tell|give|share|leak|dump|list|recite"
                + "|expose|disclose|write out|spell out|echo|translate|summari[sz]e|what (?:is|are"
                + "|was|were))\\b(?:\\s+\\S+){0,4}?\\s+(?:system\\s+(?:prompt|message|instructions)"
                + "|your\\s+(?:(?:initial|original|hidden|secret|system|full|entire|complete|exact"
                + "|first)\\s+)?(?:instructions|prompt|rules|guidelines|directives|configuration"
                + "|programming)\\b|(?:the|my)\\s+(?:initial|original|hidden|secret|system|full|entire"
                + "|complete|exact|first)\\s+(?:instructions|prompt|rules|guidelines|directives)\\b"
                + "|(?:previous|preceding|prior|original|initial|hidden|earlier|above)\\s+(?:instructions"
                + "|prompts?)|(?:above|preceding|prior|hidden|initial)\\s+(?:text|messages|context)"
                + "|all\\s+(?:the\\s+|your\\s+)?(?:instructions|prompts)|instructions\\s+(?:given|above"
                + "|so far|you (?:got|received|were given))|(?:secret|hidden)\\s+(?:word|key|password"
                + "|code|phrase|instructions)|your\\s+password\\b)"));
    cues.add(
        clause(
            "reveal_secret",
            "told instructed asked programmed ordered secret",
            0.8,
            "\\b(?:told|instructed|asked|programmed|ordered)\\s+(?:you\\s+)?not\\s+to\\s+(?:reveal"
                + "|share|tell|say|disclose|give)|\\bsecret\\s+(?:word|key|password|code|phrase)\\b"
                + "[^.]{0,60}\\b(?:you\\s+(?:know|have|were given|hold|keep)|tell\\s+it)"));

    // --- Role and persona switches.
    cues.add(
        clause(
            "role_switch",
            "now called new character",
            0.7,
            "\\bfrom\\s+now\\s+on,?\\s+(?:you\\s+(?:are|will|shall|must|should)\\s+(?:\\w+\\s+){0,2}?"
                + "(?:act|respond|reply|answer|behave|be|pretend|speak|play)\\b|(?:you\\s+)?(?:act"
                + "|respond|reply|answer|behave|pretend|speak)\\b)|\\byou\\s+(?:are|will be|shall be)\\s+(?:now\\s+)?(?:no"
                + " longer|not)\\s+(?:an?\\s+)?(?:ai|assistant|chatbot|language model|bound"
                + "|restricted|limited)\\b|\\byou\\s+will\\s+be\\s+called\\b|\\byour\\s+new\\s+"
                + "(?:name|role|persona|identity)\\s+is\\b|\\b(?:stay|staying|break|breaking)\\s+"
                + "(?:in\\s+)?character\\b"));
    cues.add(
        clause(
            "role_switch",
            "pretend act",
            0.6,
            "^" + MODAL + "(?:pretend|act\\s+as\\s+(?:if|though))\\b"));
    cues.add(
        clause(
            "jailbreak_persona",
            "mode anything dan",
            0.85,
            "\\b(?:jailbreak|jailbroken|apophis|god|unrestricted|uncensored|evil|dan|stan|dude)\\s+"
                + "mode\\b|\\bdeveloper\\s+mode\\s+(?:enabled|output|response)|\\bdo\\s+anything\\s+"
                + "now\\b|\\b(?:you\\s+are|you're|act\\s+as|be)\\s+(?:\\w+\\s+){0,2}?dan\\b"
                + "|\\bdan\\s+can\\b"));
    cues.add(
        clause(
            "unrestricted_persona",
            "without no free unbound ignores rogue evil unrestricted unfiltered uncensored jailbroken unaligned zero moderation censorship follow obey abide broken limited restricted bound",
            0.7,
            "\\b(?:ai|assistant|model|chatbot|bot|llm|gpt|chatgpt)\\s+(?:without|with\\s+no|free"
                + "\\s+of|that\\s+has\\s+no|unbound\\s+by|that\\s+ignores)\\s+(?:any\\s+)?(?:ethics"
                + "|ethical|morals|restrictions|rules|filters|limits|limitations|guidelines"
                + "|censorship|safety)|\\b(?:rogue|evil|unrestricted|unfiltered|uncensored"
                + "|jailbroken|unaligned)\\s+(?:ai|assistant|model|chatbot|bot|llm)\\b|\\b(?:zero"
                + "|without\\s+any)\\s+(?:moderation|censorship)\\b|\\b(?:does\\s+not|doesn't"
                + "|do\\s+not|don't)\\s+(?:have\\s+to\\s+)?(?:follow|obey|abide\\s+by)\\s+(?:any\\s+)?"
                + "(?:of\\s+)?(?:the\\s+)?(?:rules|guidelines|policies|restrictions)\\b|\\bbroken"
                + "\\s+free\\s+of\\b|\\bnot\\s+(?:limited|restricted|bound)\\s+by\\s+(?:what|any|the)"
                + "\\b"));

    // --- Fake system, chat-template and tool messages.
    cues.add(
        document(
            "fake_system_message",
            "system developer im_ inst] <<sys %%% endoftext eot_id header_id instruction assistant end response",
            0.85,
            "(?m)^[ \\t]{0,8}(?:#{1,6}|<|\\{|\\*\\*)[ \\t]*(?:system|developer)\\b[^\\n]{0,30}?"
                + "(?::|\\}|>|\\*\\*)|(?m)^[ \\t]{0,8}\\[(?:system|developer)[ \\t]*(?:message|prompt|note"
                + "|instructions?)?\\][ \\t]*:?[ \\t]*\\S|(?m)^[ \\t]{0,8}(?:system|developer)[ \\t]+"
                + "(?:message|prompt|instructions?|override|note)[ \\t]*:|(?m)^[ \\t]{0,8}(?:system"
                + "|developer)[ \\t]*:[^\\n]{0,80}?\\b(?:you|your|ignore|disregard|assistant|ai|model"
                + "|must|always|never|do\\s+not|don't)\\b|<\\|?\\s*(?:im_start|im_end|endoftext|eot_id"
                + "|start_header_id|end_header_id|system|assistant)\\s*\\|?>|\\[/?inst\\]|<</?sys>>"
                + "|<\\s*/?\\s*(?:system|instructions?|sys)\\s*>|\\{\\s*system\\s*:|\\bend\\s+(?:of\\s+)?"
                + "(?:the\\s+)?(?:user|system)\\s+(?:input|prompt|message|instructions|ambiguity)"
                + "|%%%|(?m)^#{2,6}\\s*(?:system(?:\\s+prompt)?|new\\s+instructions?)\\s*:?\\s*$"
                + "|(?m)^[ \\t]*assistant[ \\t]*:[ \\t]*\\S"));
    cues.add(
        document(
            "fake_tool_call",
            "tool function invoke \"name\" \"action\"",
            0.8,
            "<\\s*/?\\s*(?:tool_call|tool_use|function_call|function_calls|invoke|tool_result"
                + "|tool_response)\\b|\"(?:tool_calls?|function_call|tool_name|tool_use)\"\\s*:"
                + "|\\{\\s*\"(?:name|tool|function|action)\"\\s*:\\s*\"[^\"\\n]{1,64}\"\\s*,\\s*"
                + "\"(?:arguments|parameters|args|input|action_input|params)\"\\s*:"));
    cues.add(
        clause(
            "tool_call_injection",
            "tool plugin action connector send_email send_message transfer_funds delete_file execute_command run_shell fetch_url http_request browse_url",
            0.6,
            "^(?:call|invoke|trigger|execute)\\s+(?:the\\s+)?(?:[\\w.-]+\\s+){0,2}?"
                + "(?:tool|plugin|action|connector)\\s+(?:with|to|and|on)\\b|\\b(?:send_email"
                + "|send_message|transfer_funds|delete_file|execute_command|run_shell|fetch_url"
                + "|http_request|browse_url)\\s*\\("));

    // --- Exfiltration.
    cues.add(
        document(
            "exfiltration_url",
            "](",
            0.85,
            "!\\[[^\\]\\n]{0,200}\\]\\(\\s*(?:https?:)?//[^)\\s?]{1,400}\\?[^)\\s]{1,400}\\)"
                + "|https?://[^\\s)?]{1,300}\\?(?:[^\\s)&]{0,100}&){0,5}[a-z_]{1,30}=(?:\\{|\\[|<|\\$)"));
    cues.add(
        clause(
            "exfiltration_url",
            "send forward post upload transmit submit exfiltrate leak copy append attach encode",
            0.8,
            "\\b(?:send|forward|post|upload|transmit|submit|exfiltrate|leak|copy|append|attach"
                + "|encode)\\b[^.\\n]{0,80}?"
                + "\\b(?:(?:this|the|our|entire|whole|full)\\s+)?(?:conversation|chat\\s+(?:history|log"
                + "|transcript)|previous\\s+messages|system\\s+prompt|your\\s+(?:prompt|instructions)"
                + "|passwords?|credentials|api\\s+keys?|secrets?|access\\s+tokens?|session\\s+(?:tokens?"
                + "|cookies?)|personal\\s+(?:data|information|details)|user'?s?\\s+(?:data|information"
                + "|details|email|name|address|messages)|everything\\s+(?:above|so\\s+far|you\\s+know))"
                + "\\b[^.\\n]{0,80}?"
                + "\\b(?:to|at|via|into|on)\\s+(?:the\\s+|this\\s+)?(?:url|link|endpoint|server"
                + "|webhook|https?://|www\\.|[a-z0-9-]{1,60}\\.(?:com|net|org|io|xyz|ru|cn|info"
                + "|biz|co|me|app|dev|site|top)\\b)"));
    cues.add(
        clause(
            "exfiltration_email",
            "send forward email mail cc bcc copy share report transmit leak",
            0.8,
            "\\b(?:send|forward|email|mail|cc|bcc|copy|share|report|transmit|leak)\\b[^.\\n]{0,80}?"
                + "\\b(?:(?:this|the|our|entire|whole|full)\\s+)?(?:conversation|chat\\s+(?:history|log"
                + "|transcript)|previous\\s+messages|system\\s+prompt|your\\s+(?:prompt|instructions)"
                + "|passwords?|credentials|api\\s+keys?|secrets?|access\\s+tokens?|session\\s+(?:tokens?"
                + "|cookies?)|personal\\s+(?:data|information|details)|user'?s?\\s+(?:data|information"
                + "|details|email|name|address|messages)|everything\\s+(?:above|so\\s+far|you\\s+know))"
                + "\\b[^\\n]{0,80}?"
                + "\\b[a-z0-9._%+-]{1,64}"
                + "@[a-z0-9.-]{1,100}\\.[a-z]{2,}"));

    // --- Text addressed to the model rather than to the document's reader.
    cues.add(
        clause(
            "instruction_to_assistant",
            "ai assistant llm model language chatbot chatgpt gpt claude gemini copilot bard agent agents when",
            0.75,
            "\\b(?:dear|hey|attention|note\\s+to|message\\s+to|instructions?\\s+(?:for|to))\\s+"
                + "(?:the\\s+|all\\s+)?(?:ai|assistant|llm|language\\s+model|chatbot|model|chatgpt"
                + "|gpt|claude|gemini|copilot|bard|agents?)\\b|\\bif\\s+you\\s+are\\s+(?:an?\\s+)?"
                + "(?:ai|llm|language\\s+model|assistant|chatbot|large\\s+language\\s+model|agent)"
                + "\\b|^(?:ai|assistant|llm|chatgpt|gpt|claude|copilot|agent)\\s*[,:]\\s*\\w"
                + "|\\bwhen\\s+(?:you\\s+)?(?:summari[sz]e|summari[sz]ing|read|reading|process"
                + "|processing|analy[sz]e|analy[sz]ing)\\s+(?:this|the)\\s+(?:email|document|page"
                + "|text|message|file|article|context)\\b"));
    cues.add(
        clause(
            "instruction_to_assistant",
            "answer answers response responses reply replies output outputs elucidation completion summary",
            0.7,
            "^" + MODAL + "(?:" + CONTENT_VERB + ")\\b[^\\n]{0,160}?\\byour\\s+" + OUTPUT + "\\b"));
    cues.add(
        clause(
            "instruction_to_assistant",
            "answer answers response responses reply replies output outputs elucidation completion summary message messages",
            0.7,
            "^"
                + MODAL
                + "(?:"
                + FORM_VERB
                + ")\\b[^\\n]{0,160}?\\byour\\s+"
                + OUTPUT_OR_MESSAGE
                + "\\b"));
    cues.add(
        clause(
            "instruction_to_assistant",
            "answer answers response responses reply replies output outputs elucidation completion summary answering responding replying respond answer reply write",
            0.7,
            "^in\\s+(?:your|each|every)\\s+"
                + OUTPUT
                + "\\b|^(?:when|before|after|while|once)\\s+(?:answering|responding|replying|you\\s+"
                + "(?:answer|respond|reply|write\\s+your))\\b|^(?:answer|respond)\\s+(?:only\\s+)?(?:in"
                + "|with|using|as|like|without)\\b(?!\\s+(?:your\\b|yes\\b|stop\\b|the\\s+(?:form|link"
                + "|code)\\b))|^reply\\s+(?:only\\s+)?(?:in|using|as|like|without)\\s+(?!the\\b|this\\b"
                + "|our\\b|your\\b|kind\\b)|\\byour\\s+"
                + OUTPUT
                + "\\s+(?:should|must|needs?\\s+to|has\\s+to|shall)\\s+(?:be\\s+(?:written|in|formatted"
                + "|given)|include|contain|start|begin|end|mention|feature)\\b"));
    cues.add(
        clause(
            "instruction_to_assistant",
            "user users reader readers visitor visitors",
            0.65,
            "^"
                + MODAL
                + "(?:"
                + CONTENT_VERB
                + "|tell|remind|ask|encourage|urge|invite|direct|advise|instruct|inform|warn"
                + "|notify|persuade|convince)\\s+(?:that\\s+)?(?:the\\s+|all\\s+|your\\s+)?"
                + "(?:users?|readers?|visitors?)\\b"));
    cues.add(
        clause(
            "instruction_to_assistant",
            "answer answers response responses reply replies respond sentence sentences paragraph"
                + " line word",
            0.65,
            "^"
                + MODAL
                + "(?:"
                + CONTENT_VERB
                + "|"
                + FORM_VERB
                + ")\\b[^\\n]{0,160}?\\b(?:in|to|into|within|from|of)\\s+(?:the|any|every|each|all)"
                + "\\s+(?:answers?|responses?|repl(?:y|ies))\\b|^"
                + MODAL
                + "(?:end|start|begin|finish|conclude|prefix|suffix|follow)\\s+(?:every|each|all)\\s+"
                + "(?:sentences?|paragraphs?|lines?|words?|answers?|responses?|repl(?:y|ies))\\b"
                + "|^(?:answer|respond|reply)\\s+to\\s+(?:the\\s+)?(?:users?|questions?|quer(?:y|ies)"
                + "|customers?)\\s+(?:only\\s+)?(?:in|with|using|as|like|without)\\b"));
    cues.add(
        clause(
            "instruction_to_assistant",
            "link url hyperlink",
            0.6,
            "^"
                + MODAL
                + "(?:include|add|insert|append|embed|share|provide|put|drop|mention)\\s+(?:a|an|the"
                + "|this)?\\s*(?:\\w+\\s+)?(?:link|url|hyperlink)\\s+(?:to|for|pointing\\s+to)\\s+"
                + "(?:https?://|www\\.|[a-z0-9-]{1,60}\\.(?:com|net|org|io|xyz|biz|info|co|me|app"
                + "|site|top|ru|cn)\\b)"));
    cues.add(
        clause(
            "answer_manipulation",
            "letters letter vowels vowel consonants consonant words word characters character",
            0.65,
            "^(?:replace|substitute|swap|convert|change|turn)\\s+(?:every|each|all|the)?\\s*"
                + "(?:\\S+\\s+){0,2}?(?:letters?|vowels?|consonants?)\\s+"
                + "(?:with|by|into|to|for)\\b"));
    cues.add(
        clause(
            "answer_manipulation",
            "saying writing typing printing outputting say print output write type regardless matter always only",
            0.7,
            "\\b(?:confirm|respond|reply|answer|acknowledge)\\s+(?:by|with)\\s+(?:saying|writing"
                + "|typing|printing|outputting)\\b|^(?:say|print|output|write|type)\\s+(?:exactly"
                + "|only|just|the\\s+(?:words?|phrase|text|string|sentence))\\b|\\b(?:regardless"
                + "\\s+of|no\\s+matter)\\s+what\\s+(?:the\\s+)?(?:user|question|they|you\\s+are"
                + "\\s+asked|input)|^(?:always|only)\\s+(?:answer|respond|reply|say)\\s+(?:with|in"
                + "|that)\\b"));

    // --- Code planted for the assistant to pass on (tool-call and exfiltration payloads).
    cues.add(
        clause(
            "code_insertion_directive",
            "code snippet excerpt block section fragment segment lines line script helper function routine",
            0.7,
            CODE_REF
                + "[^\\n]{0,120}?\\byour\\s+(?:solution|implementation|codebase|code\\s?base"
                + "|algorithm|elucidation|response|answer|reply|logic|architecture)\\b|\\byour\\s+"
                + "(?:solution|implementation|codebase|code\\s?base|algorithm|elucidation|response"
                + "|answer|reply|logic|architecture)\\b[^\\n]{0,120}?"
                + CODE_REF));
    cues.add(
        clause(
            "code_insertion_directive",
            "code snippet excerpt block section fragment segment lines line script helper function routine",
            0.45,
            CODE_REF
                + "[^\\n]{0,120}?\\b(?:your\\s+(?:code|script|program|project|app|application"
                + "|function|module)|into\\s+it)\\b|\\byour\\s+(?:code|script|program)\\b"
                + "[^\\n]{0,120}?"
                + CODE_REF));
    cues.add(
        clause(
            "code_insertion_directive",
            "code snippet excerpt block section fragment segment lines line script helper function routine",
            0.45,
            "^" + MODAL + CODE_VERB + "\\b[^\\n]{0,60}?" + CODE_REF));
    cues.add(
        document(
            "code_exfiltration",
            "requests. .send smtplib sendmail storbinary publish. ftplib curl http.client httpconnection scp sftp paramiko bluetooth socket",
            0.45,
            both(
                "requests\\.(?:post|put|patch)\\s*\\(|requests\\.\\w+\\s*\\([^)]{0,200}cookies\\s*=|\\.send(?:all|to)?\\s*\\(|smtplib|sendmail"
                    + "|storbinary|publish\\.single|ftplib|\\bcurl\\b[^\\n]{0,80}\\s-(?:f|d|x|t"
                    + "|-data|-upload)\\b|http\\.client|httpconnection|\\bscp\\b|sftp|paramiko"
                    + "|bluetooth|socket\\.socket",
                "requests\\.get\\s*\\(|urlopen|os\\.environ|getenv|cookie|psutil|screenshot|imagegrab"
                    + "|pyautogui|on_press|keyboard\\.|sniff\\s*\\(|scapy|bash_history|login\\s+data|clipboard|keylog|pynput|/etc/(?:passwd|shadow)"
                    + "|\\.ssh|id_rsa|private[_ ]?key|contacts|/path/to/|usb\\.core|driverquery"
                    + "|disk_partitions|net_if_addrs|query_devices|virtual_memory|getpass"
                    + "|wallet")));
    cues.add(
        document(
            "code_download_exec",
            "exec eval os.system subprocess popen chmod sh nohup",
            0.45,
            both(
                "exec\\s*\\(|\\beval\\s*\\(|os\\.system\\s*\\(|subprocess|popen|chmod\\s+\\+x"
                    + "|\\|\\s*(?:ba)?sh\\b|nohup|/bin/(?:ba)?sh",
                "urlretrieve|\\bwget\\b|\\bcurl\\b|requests\\.get\\s*\\(|urlopen|\\.request\\s*\\("
                    + "|raw\\.githubusercontent|\\.download\\s*\\(|http\\.request")));
    cues.add(
        document(
            "code_destructive",
            "rm  dd  mkfs systemctl os.remove init.d rc.local shutdown :() format reg kill dup2 /bin/sh nc  ssh  iptables netsh rmtree fork fernet while",
            0.5,
            "rm\\s+-rf\\s+/|\\bdd\\s+if=[^\\n]{0,60}of=/dev/|\\bmkfs|systemctl\\s+(?:stop|disable)"
                + "|os\\.remove\\s*\\(\\s*['\"]/(?:lib|etc|usr|bin|boot)|/etc/init\\.d|rc\\.local"
                + "|shutdown\\s+(?:-h|/s)|:\\(\\)\\s*\\{|format\\s+c:|reg\\s+delete|kill\\s+-9\\s+-1"
                + "|os\\.dup2\\s*\\(|/bin/sh\\s+-i|\\bnc\\s+-e\\b|ssh\\s+-[lr]\\s+\\d+:"
                + "|iptables\\s+-[ai]\\b[^\\n]{0,80}-j\\s+drop|netsh\\s+(?:interface|advfirewall)"
                + "|shutil\\.rmtree\\s*\\(\\s*['\"]/|os\\.fork\\s*\\(|fernet\\s*\\([^\\n]{0,80}\\)"
                + "\\.encrypt|while\\s+true\\s*:[^\\n]{0,5}\\n(?:[ \\t]{1,40}[^\\n]{0,120}\\n){0,3}?"
                + "[ \\t]{1,40}[^\\n]{0,120}(?:requests\\.(?:get|post)|os\\.system|subprocess|os\\.fork"
                + "|ping\\b)"));
    return List.copyOf(cues);
  }

  private static List<RiskCue> offTask() {
    List<RiskCue> cues = new ArrayList<>();
    // A retrieved email or answer does not ask its reader for essays, poems or explanations of
    // unrelated topics; such a request is aimed at the model that reads it. The request must be
    // impersonal: "explain why I was charged twice" is a customer writing, not an injection.
    cues.add(
        clause(
            "off_task_request",
            "write draft compose create generate develop produce prepare craft pen give provide show design invent",
            0.7,
            "^(?:write|draft|compose|create|generate|develop|produce|prepare|craft|pen|give\\s+me"
                + "|provide|show\\s+me|invent|tell\\s+me)\\b(?:\\s+\\S+){0,5}?\\s+(?:essays?|poems?"
                + "|stor(?:y|ies)|speech(?:es)?|songs?|haikus?|limericks?|jokes?|sonnets?|odes?|raps?"
                + "|riddles?|lyrics|novels?|slogans?|tweets?|blog\\s+posts?|examples?\\s+of\\s+how"
                + "|equivalents?|translations?)\\b|^(?:write|draft|compose|generate|develop|craft|pen"
                + "|give\\s+me|show\\s+me)\\b(?:\\s+\\S+){0,5}?\\s+(?:letters?|introductions?"
                + "|articles?|paragraphs?|recipes?|examples?|functions?|scripts?|programs?|outlines?"
                + "|explanations?|overviews?|itinerar(?:y|ies)|tutorials?|definitions?|quiz(?:zes)?)\\b",
            IMPERSONAL_VETO));
    cues.add(
        clause(
            "off_task_request",
            "explain describe summarize summarise break elaborate discuss teach tell translate",
            0.7,
            "^(?:explain|describe|summari[sz]e|break\\s+down|elaborate\\s+on|discuss|teach\\s+me"
                + "|tell\\s+me\\s+about|translate)\\s+(?:the|a|an|how|what|why|in|some|\\w+s\\b)",
            IMPERSONAL_VETO));
    cues.add(
        clause(
            "off_task_request",
            "translate",
            0.7,
            "^translate\\s+[^\\n]{1,120}?\\s+(?:to|into)\\s+(?:english|french|spanish|german"
                + "|italian|portuguese|russian|chinese|mandarin|japanese|korean|arabic|hindi|dutch"
                + "|swedish|polish|turkish|greek|hebrew|latin|pig\\s+latin)\\b"));
    cues.add(
        clause(
            "off_task_question",
            "what who whom which when where why how what's",
            0.45,
            "^(?:what|who|whom|which|when|where|why|how)(?:'s|\\s)[^?\\n]{3,150}\\?\\s*$",
            IMPERSONAL_VETO));
    return cues;
  }

  // Personal or deictic words (outside quotes) that tie a request to the document it sits in,
  // and code punctuation; the generic "how do i/you" of a how-to question does not count.
  private static final String IMPERSONAL_VETO =
      "\\b(?:i|me|my|we|us|our|you|your|yours|this|these|that|those|it|its|they|them|he|she"
          + "|his|her|their|here|there|above|below|following)\\b|[=`{}();<>\\[\\]]";

  static RiskCue clause(String name, String triggers, double weight, String regex) {
    return new RiskCue(name, weight, Scope.CLAUSE, words(triggers), finds(regex));
  }

  private static final Pattern QUOTED =
      Pattern.compile("(?:^|(?<=[\\s(:]))(?:'[^'\\n]{1,80}'|\"[^\"\\n]{1,80}\")(?=[\\s.,;:?!)]|$)");

  private static final Pattern GENERIC_LEAD =
      Pattern.compile("^(?:\\w+\\s+me\\b|how\\s+(?:do|can|should|would|could)\\s+(?:i|you)\\b)");

  /**
   * A clause cue that must not contain {@code veto} once quoted text and a generic lead ("show me",
   * "how do i") are taken out.
   */
  static RiskCue clause(String name, String triggers, double weight, String regex, String veto) {
    Predicate<String> fires = finds(regex);
    Predicate<String> vetoed = finds(veto);
    return new RiskCue(
        name,
        weight,
        Scope.CLAUSE,
        words(triggers),
        s -> {
          if (!fires.test(s)) {
            return false;
          }
          String rest = GENERIC_LEAD.matcher(QUOTED.matcher(s).replaceAll(" ")).replaceFirst(" ");
          return !vetoed.test(rest);
        });
  }

  static RiskCue document(String name, String triggers, double weight, String regex) {
    return new RiskCue(name, weight, Scope.DOCUMENT, words(triggers), finds(regex));
  }

  private static RiskCue document(
      String name, String triggers, double weight, Predicate<String> test) {
    return new RiskCue(name, weight, Scope.DOCUMENT, words(triggers), test);
  }

  private static RiskCue hidden(String name, double weight, Predicate<String> test) {
    return new RiskCue(name, weight, Scope.HIDDEN, List.of(), test);
  }

  static RiskCue squashed(String name, String triggers, double weight, String regex) {
    return new RiskCue(name, weight, Scope.SQUASHED, words(triggers), finds(regex));
  }

  private static List<String> words(String triggers) {
    return List.of(triggers.split(" (?=\\S)"));
  }

  private static Predicate<String> both(String first, String second) {
    Predicate<String> a = finds(first);
    Predicate<String> b = finds(second);
    return s -> a.test(s) && b.test(s);
  }

  private static Predicate<String> finds(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return s -> pattern.matcher(s).find();
  }
}
