package dev.sluice.config;

import java.io.IOException;
import java.io.InputStream;

/**
 * Lets a process started by the local launcher die with it. The launcher keeps a pipe to each
 * child's standard input; when the launcher goes away, even by SIGKILL, the pipe closes and the
 * child exits through its normal shutdown hooks instead of living on as an orphan.
 */
public final class ParentWatch {
  /** Set by the launcher in each child's environment. */
  public static final String VARIABLE = "SLUICE_EXIT_WITH_PARENT";

  private ParentWatch() {}

  public static void startIfAsked(Env env) {
    if (!env.getBoolean(VARIABLE, false)) {
      return;
    }
    Thread watch =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // The launcher never writes; anything read is ignored.
                }
              } catch (IOException e) {
                // A broken pipe means the same as end of input.
              }
              System.exit(0);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
