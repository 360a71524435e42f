package dev.flightcache.client;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log line of the client's packages, at every level, while open. */
final class CapturedLogs implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.flightcache.client");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previous = logger.getLevel();

  CapturedLogs() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.TRACE);
  }

  /** Each event as a line: level, formatted message, and any throwable with its causes. */
  List<String> lines() {
    return appender.list.stream()
        .map(event -> event.getLevel() + " " + event.getFormattedMessage()
            + (event.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())))
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previous);
  }
}
