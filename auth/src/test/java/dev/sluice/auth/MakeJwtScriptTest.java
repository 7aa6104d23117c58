package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sluice.config.Env;
import dev.sluice.schemas.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/make-jwt}, run as a user would, from a directory other than the repository. */
class MakeJwtScriptTest {
  private static final String SECRET = "make-jwt-test-secret-that-is-32-bytes-or-more";

  private static Path script;

  @TempDir Path workDir;

  @BeforeAll
  static void findScript() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("scripts/make-jwt"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent folder holding scripts/make-jwt").isNotNull();
    script = dir.resolve("scripts/make-jwt");
    assertThat(Files.isExecutable(script)).as("scripts/make-jwt is executable").isTrue();
  }

  @Test
  void mintsATokenTheVerifierAccepts() throws Exception {
    Run run = makeJwt(Map.of("JWT_SECRET", SECRET), "--tenant", "acme");

    assertThat(run.exit).as(run.stderr).isZero();
    assertThat(run.stdout.lines()).hasSize(1);
    String token = run.stdout.strip();
    assertThat(verify(token)).isEqualTo(new Principal("acme", "acme"));
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime())
        .isEqualTo(3_600_000L);
  }

  @Test
  void honoursSubjectTtlAndAnExplicitSecret() throws Exception {
    Run run =
        makeJwt(
            Map.of(),
            "--tenant",
            "globex",
            "--sub",
            "bob \"the\" builder",
            "--ttl",
            "60",
            "--secret",
            SECRET);

    assertThat(run.exit).as(run.stderr).isZero();
    String token = run.stdout.strip();
    JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
    // The script writes any subject as given, JSON-escaped; the gateway then refuses one outside
    // its safe set (quotes, spaces), like every other token carrying it.
    assertThat(claims.getSubject()).isEqualTo("bob \"the\" builder");
    assertThatThrownBy(() -> verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessage(InvalidTokenException.Reason.INVALID_SUBJECT.description());
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime())
        .isEqualTo(60_000L);
  }

  @Test
  void readsTheSecretFromDotEnvInTheWorkingDirectory() throws Exception {
    Files.writeString(workDir.resolve(".env"), "# local\nexport JWT_SECRET=\"" + SECRET + "\"\n");

    Run run = makeJwt(Map.of(), "--tenant", "acme");

    assertThat(run.exit).as(run.stderr).isZero();
    assertThat(verify(run.stdout.strip())).isEqualTo(new Principal("acme", "acme"));
  }

  @Test
  void fallsBackToTheDevSecretWrittenByRun() throws Exception {
    Path dataDir = Files.createDirectories(workDir.resolve("state"));
    Files.writeString(dataDir.resolve("dev-jwt-secret"), SECRET + "\n");

    Run run = makeJwt(Map.of("DATA_DIR", "state"), "--tenant", "acme");

    assertThat(run.exit).as(run.stderr).isZero();
    assertThat(verify(run.stdout.strip())).isEqualTo(new Principal("acme", "acme"));
  }

  @Test
  void refusesAShortSecretWithExitStatus2() throws Exception {
    Run run = makeJwt(Map.of("JWT_SECRET", "too-short"), "--tenant", "acme");

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.stdout).isEmpty();
    assertThat(run.stderr).contains("at least 32 bytes").doesNotContain("too-short");
  }

  @Test
  void printsUsage() throws Exception {
    Run help = makeJwt(Map.of(), "--help");
    Run noSecret = makeJwt(Map.of(), "--tenant", "acme");

    assertThat(help.exit).isZero();
    assertThat(help.stdout).contains("Usage: scripts/make-jwt --tenant T");
    assertThat(noSecret.exit).isEqualTo(2);
    assertThat(noSecret.stdout).isEmpty();
    assertThat(noSecret.stderr).contains("JWT_SECRET");
  }

  private static Principal verify(String token) throws InvalidTokenException {
    AuthSettings settings = AuthSettings.from(Env.of(Map.of("JWT_SECRET", SECRET)));
    try (TokenVerifier verifier = TokenVerifier.create(settings)) {
      return verifier.verify(token, Instant.now());
    }
  }

  private Run makeJwt(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(script.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> environment = builder.environment();
    // Only what the test sets may influence the script.
    List.of("JWT_SECRET", "JWT_ISSUER", "JWT_AUDIENCE", "DATA_DIR", "JDK_JAVA_OPTIONS")
        .forEach(environment::remove);
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.putAll(env);
    Path stdout = workDir.resolve("make-jwt.out");
    Path stderr = workDir.resolve("make-jwt.err");
    builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("scripts/make-jwt did not finish within 60 s");
    }
    return new Run(
        process.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private record Run(int exit, String stdout, String stderr) {}
}
