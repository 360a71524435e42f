package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Version;
import dev.flightcache.server.store.FileObjectStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.flight.CallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A stored file damaged or removed behind the server's back: the get that finds it sets the object
 * aside into quarantine/, logs at ERROR once and answers NOT_FOUND; the rest is served, and a new
 * put of the key continues above the versions it had.
 */
class DamagedFilesIT {
  private static final String KEY = "app/s/damaged";
  private static final String OTHER = "app/s/other";

  @TempDir Path dir;
  private TestServer server;
  private RawClient client;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void start() throws IOException {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
    logs.start();
    storeLogger().addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    storeLogger().detachAppender(logs);
    client.close();
    server.close();
  }

  @Test
  void get_baseTruncatedBehindServer_notFoundSetAsideOthersServed() throws Exception {
    storeKeyAndOther();
    truncate(file("1.base"), 3);

    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 0));
    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 0));

    assertSetAsideOnce("1.base");
    assertThat(client.get(OTHER, 0).base()).isEqualTo("other".getBytes(UTF_8));
    assertPutContinuesAbove(2);
  }

  @Test
  void get_patchDeletedBehindServer_notFoundSetAside() throws Exception {
    storeKeyAndOther();
    Files.delete(file("2.patch"));

    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 0));

    assertSetAsideOnce("1.base");
    assertThat(client.get(OTHER, 0).base()).isEqualTo("other".getBytes(UTF_8));
    assertPutContinuesAbove(2);
  }

  @Test
  void get_baseDeletedBehindServer_notFoundSetAside() throws Exception {
    storeKeyAndOther();
    Files.delete(file("1.base"));

    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 0));

    assertSetAsideOnce("2.patch");
    assertPutContinuesAbove(2);
  }

  @Test
  void getMany_baseTruncated_answeredSingleNotFound_andSetAside() throws Exception {
    storeKeyAndOther();
    truncate(file("1.base"), 1);
    List<GetMany.Get> gets = List.of(
        new GetMany.Get(ObjectKey.parse(KEY), Version.NONE), new GetMany.Get(ObjectKey.parse(OTHER), Version.NONE));

    List<GetAnswer<byte[]>> answers =
        GetMany.decodeAnswers(client.actionResults(GetMany.ACTION, GetMany.encodeRequest(gets)).get(0), 2);

    assertThat(answers.get(0)).isEqualTo(new GetAnswer.Single<byte[]>("not_found"));
    assertThat(((GetAnswer.Full<byte[]>) answers.get(1)).base().data()).isEqualTo("other".getBytes(UTF_8));
    assertSetAsideOnce("1.base");
    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 0));
  }

  @Test
  void get_baseTruncatedAcrossCleanRestart_notFoundSetAside() throws Exception {
    storeKeyAndOther();
    truncate(file("1.base"), 3);
    client.close();
    server.restart();
    client = new RawClient(server.location());

    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 0));

    assertSetAsideOnce("1.base");
    assertThat(client.get(OTHER, 0).base()).isEqualTo("other".getBytes(UTF_8));
    assertPutContinuesAbove(2);
    client.close();
    server.restart();
    client = new RawClient(server.location());
    assertThat(client.get(KEY, 0).base()).isEqualTo("again".getBytes(UTF_8));
  }

  @Test
  void get_callerHoldsCurrentVersion_notModifiedWithoutTouchingTheFiles() throws Exception {
    storeKeyAndOther();
    truncate(file("1.base"), 3);

    // "Not modified" is answered from the index: the damage is found by the next read of the files.
    assertThat(client.get(KEY, 2).notModified()).isTrue();
    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get(KEY, 1));
    assertSetAsideOnce("1.base");
  }

  /** KEY at version 2 (a base and one patch), and another object beside it. */
  private void storeKeyAndOther() {
    client.put(KEY, "base bytes of the damaged object".getBytes(UTF_8));
    ObjectRef patched = client.patch(KEY, "+patch".getBytes(UTF_8));
    assertThat(patched.version()).isEqualTo(2);
    client.put(OTHER, "other".getBytes(UTF_8));
  }

  private void assertSetAsideOnce(String fileInQuarantine) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("quarantine"))) {
      assertThat(files.filter(f -> f.getFileName().toString().equals(fileInQuarantine)).toList()).hasSize(1);
    }
    assertThat(Files.exists(dir.resolve("objects/app/s/damaged"))).isFalse();
    assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().contains(KEY)))
        .hasSize(1);
  }

  private void assertPutContinuesAbove(long removedVersion) {
    ObjectRef again = client.put(KEY, "again".getBytes(UTF_8));
    assertThat(Long.compareUnsigned(again.version(), removedVersion)).isPositive();
    assertThat(client.get(KEY, 0).base()).isEqualTo("again".getBytes(UTF_8));
  }

  private Path file(String name) {
    return dir.resolve("objects/app/s/damaged").resolve(name);
  }

  private static void truncate(Path file, long sizeBytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(sizeBytes);
    }
  }

  private static Logger storeLogger() {
    return (Logger) LoggerFactory.getLogger(FileObjectStore.class);
  }
}
