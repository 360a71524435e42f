package dev.flightcache.server.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcache.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class QuotaFileWatcherTest {
  @TempDir Path dir;
  private final AppQuotas quotas = new AppQuotas();
  private final Logger logger = (Logger) LoggerFactory.getLogger(QuotaFileWatcher.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logged);
  }

  private long errors() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).count();
  }

  @Test
  void load_invalidFile_refusedNamingFileAndLine() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas"), "a 1G 1\nb 1G\n");

    assertThatThrownBy(() -> QuotaFileWatcher.load(file, quotas))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(file + ":2: expected");
    assertThat(quotas.table()).isEqualTo(QuotaTable.NONE);
  }

  @Test
  void load_missingFile_refusedNamingIt() {
    Path file = dir.resolve("absent");

    assertThatThrownBy(() -> QuotaFileWatcher.load(file, quotas))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(file + ": cannot read the quotas file");
  }

  @Test
  void poll_changedFile_newLimitsInForce() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas"), "a 1G 1\n");
    QuotaFileWatcher watcher = QuotaFileWatcher.load(file, quotas);

    Files.writeString(file, "a 2G 2\n* - 9\n");
    watcher.poll();

    assertThat(quotas.table().limitFor("a")).isEqualTo(new AppLimit(2L << 30, 2));
    assertThat(quotas.table().limitFor("z")).isEqualTo(new AppLimit(AppLimit.UNLIMITED, 9));
    assertThat(errors()).isZero();
  }

  @Test
  void poll_brokenFile_previousLimitsKeptAndOneErrorNamingTheLine() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas"), "a 1G 1\n");
    QuotaFileWatcher watcher = QuotaFileWatcher.load(file, quotas);

    Files.writeString(file, "a 2G 2\nb lots 1\n");
    watcher.poll();
    watcher.poll();

    assertThat(quotas.table().limitFor("a")).isEqualTo(new AppLimit(1L << 30, 1));
    assertThat(errors()).isEqualTo(1);
    assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(file + ":2: max-bytes"));

    Files.writeString(file, "a 3G 3\n");
    watcher.poll();

    assertThat(quotas.table().limitFor("a")).isEqualTo(new AppLimit(3L << 30, 3));
  }

  @Test
  void poll_fileDeleted_previousLimitsKeptAndErrorLoggedOnce() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas"), "a 1G 1\n");
    QuotaFileWatcher watcher = QuotaFileWatcher.load(file, quotas);

    Files.delete(file);
    watcher.poll();
    watcher.poll();

    assertThat(quotas.table().limitFor("a")).isEqualTo(new AppLimit(1L << 30, 1));
    assertThat(errors()).isEqualTo(1);
  }
}
