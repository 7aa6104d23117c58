package dev.sluice.launcher;

/**
 * A part for {@link SupervisorTest} to supervise, as its own JVM: {@code StandInPart <status>}
 * exits at once with that status, {@code StandInPart run} runs until it is stopped.
 */
public final class StandInPart {
  private StandInPart() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length == 1 && args[0].equals("run")) {
      Thread.sleep(Long.MAX_VALUE);
    }
    System.exit(Integer.parseInt(args[0]));
  }
}
