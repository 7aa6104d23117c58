package dev.sluice.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the process logs while it is open, through the project's logback configuration (levels
 * included): a {@link ListAppender} on the root logger.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** Events at WARN or above, in order. */
  public List<ILoggingEvent> warnings() {
    List<ILoggingEvent> all;
    synchronized (appender) { // AppenderBase appends under this lock
      all = List.copyOf(appender.list);
    }
    return all.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
  }

  /** Events at WARN or above whose logger name starts with {@code prefix}, in order. */
  public List<ILoggingEvent> warnings(String prefix) {
    return warnings().stream().filter(e -> e.getLoggerName().startsWith(prefix)).toList();
  }

  /** Events at WARN or above from {@code type}'s logger. */
  public List<ILoggingEvent> warningsFrom(Class<?> type) {
    return warnings().stream().filter(e -> e.getLoggerName().equals(type.getName())).toList();
  }

  /** The value of a key/value pair on an event, or null. */
  public static Object value(ILoggingEvent event, String key) {
    if (event.getKeyValuePairs() == null) {
      return null;
    }
    return event.getKeyValuePairs().stream()
        .filter(pair -> pair.key.equals(key))
        .map(pair -> pair.value)
        .findFirst()
        .orElse(null);
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
