package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md and the code agree on the variables: every variable a main source reads is
 * in one of the page's tables, every variable in a table is read, and each is read in one source
 * file only (its settings record). A variable cannot be added, renamed or dropped without the page.
 *
 * <p>Reads are found by scanning every module's {@code src/main}: {@link Env}'s getters with a
 * literal name or a constant of the same file, {@code ApiKeys.read(env, "P")} (which reads {@code
 * P_API_KEY} and {@code P_API_KEY_FILE}), any other helper called as {@code helper(env, "NAME")},
 * prefix families (a {@code *_} constant matched against {@code env.asMap()}, such as {@code
 * KAFKA_CLIENT_<NAME>}), and {@code ${NAME:-default}} in logback files. A read whose name the scan
 * cannot see fails the test rather than slip past it.
 */
class ConfigurationDocTest {
  // Surefire runs in the module directory; the other modules and docs/ sit beside it.
  private static final Path ROOT = Path.of("..");
  private static final Path DOC = ROOT.resolve("docs").resolve("configuration.md");

  private static final String NAME = "[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z][A-Z0-9]+";
  private static final Pattern LITERAL_READ =
      Pattern.compile("\\.(?:get|getInt|getLong|getBoolean)\\(\\s*\"(" + NAME + ")\"");
  private static final Pattern CONSTANT_READ =
      Pattern.compile("\\.(?:get|getInt|getLong|getBoolean)\\(\\s*([A-Z][A-Z0-9_]*)\\s*[,)]");
  private static final Pattern COMPUTED_READ =
      Pattern.compile("\\benv\\.(?:get|getInt|getLong|getBoolean)\\(\\s*[a-z]");
  private static final Pattern HELPER_READ =
      Pattern.compile("([A-Za-z_][\\w.]*)\\(\\s*env\\s*,\\s*\"(" + NAME + ")\"");
  private static final Pattern PREFIX_MATCH =
      Pattern.compile("\\.startsWith\\(\\s*([A-Z][A-Z0-9_]*)\\s*\\)");
  private static final Pattern LOGBACK_READ = Pattern.compile("\\$\\{(" + NAME + "):-");
  private static final Pattern DOCUMENTED = Pattern.compile("`(" + NAME + ")(_<NAME>)?`");

  /** The helper that composes names at run time, and what each call of it reads. */
  private static final String API_KEYS_HELPER = "ApiKeys.read";

  private static final String API_KEYS_FILE = "ApiKeys.java";

  /** Variable (or family, as {@code PREFIX_<NAME>}) to the main files that read it. */
  private static final Map<String, Set<String>> READS = new TreeMap<>();

  private static final List<String> UNSEEN = new ArrayList<>();

  @BeforeAll
  static void scan() throws IOException {
    assumeTrue(Files.isRegularFile(DOC), "docs/configuration.md is not beside this module");
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
        scanSources(module.resolve("src/main/java"));
        scanLogback(module.resolve("src/main/resources"));
      }
    }
  }

  @Test
  void everyVariableReadIsDocumented() throws IOException {
    assertThat(READS).as("the scan found the gateway's variables").containsKey("ALLOWED_MODELS");
    assertThat(READS.keySet()).isSubsetOf(documented());
  }

  @Test
  void everyDocumentedVariableIsRead() throws IOException {
    assertThat(documented()).isSubsetOf(READS.keySet());
  }

  @Test
  void everyVariableIsReadInOneSourceFile() {
    Map<String, Set<String>> shared = new TreeMap<>();
    READS.forEach(
        (name, files) -> {
          if (files.size() > 1) {
            shared.put(name, files);
          }
        });
    assertThat(shared).as("variables read in more than one file").isEmpty();
  }

  @Test
  void everyReadNamesItsVariableWhereTheScanCanSeeIt() {
    assertThat(UNSEEN).isEmpty();
  }

  /** The first cell of every table row: the variables each row documents. */
  private static Set<String> documented() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(DOC)) {
      if (!line.startsWith("|") || line.startsWith("| ---")) {
        continue;
      }
      String firstCell = line.substring(1, Math.max(1, line.indexOf('|', 1)));
      Matcher name = DOCUMENTED.matcher(firstCell);
      while (name.find()) {
        names.add(name.group(1) + (name.group(2) == null ? "" : name.group(2)));
      }
    }
    return names;
  }

  private static void scanSources(Path sources) throws IOException {
    if (!Files.isDirectory(sources)) {
      return;
    }
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        scanSource(ROOT.relativize(file).toString(), withoutComments(Files.readString(file)));
      }
    }
  }

  private static void scanSource(String file, String code) {
    Matcher literal = LITERAL_READ.matcher(code);
    while (literal.find()) {
      read(literal.group(1), file);
    }
    Matcher constant = CONSTANT_READ.matcher(code);
    while (constant.find()) {
      String value = constantValue(code, constant.group(1));
      if (value == null) {
        UNSEEN.add(file + ": a getter reads the constant " + constant.group(1));
      } else if (value.matches(NAME)) {
        read(value, file);
      }
      // Any other value is not a variable name: a Kafka config key read from a Config, say.
    }
    Matcher helper = HELPER_READ.matcher(code);
    while (helper.find()) {
      String callee = helper.group(1);
      String name = helper.group(2);
      if (callee.equals(API_KEYS_HELPER) || callee.endsWith("." + API_KEYS_HELPER)) {
        read(name + "_API_KEY", file);
        read(name + "_API_KEY_FILE", file);
      } else {
        read(name, file);
      }
    }
    if (COMPUTED_READ.matcher(code).find() && !file.endsWith(API_KEYS_FILE)) {
      UNSEEN.add(file + ": reads a variable whose name is computed at run time");
    }
    if (code.contains("env.asMap()")) {
      Matcher prefix = PREFIX_MATCH.matcher(code);
      while (prefix.find()) {
        String value = constantValue(code, prefix.group(1));
        if (value != null && value.endsWith("_")) {
          read(value + "<NAME>", file);
        }
      }
    }
  }

  private static void scanLogback(Path resources) throws IOException {
    if (!Files.isDirectory(resources)) {
      return;
    }
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
        Matcher name = LOGBACK_READ.matcher(Files.readString(file));
        while (name.find()) {
          read(name.group(1), ROOT.relativize(file).toString());
        }
      }
    }
  }

  private static void read(String name, String file) {
    READS.computeIfAbsent(name, n -> new TreeSet<>()).add(file);
  }

  /** The value of {@code NAME = "..."} in the same file, or null. */
  private static String constantValue(String code, String constant) {
    Matcher value =
        Pattern.compile("\\b" + Pattern.quote(constant) + "\\s*=\\s*\"([^\"]*)\"").matcher(code);
    return value.find() ? value.group(1) : null;
  }

  /** Block comments and whole-line comments (javadoc may show a read; it is not one). */
  private static String withoutComments(String code) {
    return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", "");
  }
}
