package dev.flightcache.server;

import static dev.flightcache.server.Rejections.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running server re-reads its token store (every 2 s): a changed file takes effect without a
 * restart, and a broken one leaves the previous store in force.
 */
class TokenReloadIT {
  private static final String ROTATED = "token-team-a-rotated-9876543210";
  @TempDir java.nio.file.Path dir;
  SecuredServer secured;

  @BeforeEach
  void start() throws Exception {
    secured = SecuredServer.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    secured.close();
  }

  /** Whether {@code token} may list actions now (any authenticated caller may). */
  private boolean works(String token) {
    try (RawClient client = secured.client(token)) {
      client.client.listActions().forEach(action -> {});
      return true;
    } catch (FlightRuntimeException e) {
      assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
      return false;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Waits, polling, up to {@code limit} for the condition: the server reloads on its own schedule. */
  private static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  @Test
  void changedFile_oldTokenStopsWorkingNewOneWorks() throws Exception {
    assertThat(works(SecuredServer.TEAM_A)).isTrue();
    assertThat(works(ROTATED)).isFalse();

    Files.writeString(secured.tokensFile, SecuredServer.line("team-a", ROTATED, "read,write:team-a/*") + "\n");

    assertThat(within(Duration.ofSeconds(10), () -> works(ROTATED))).isTrue();
    assertThat(works(SecuredServer.TEAM_A)).isFalse();
    assertThat(works(SecuredServer.OPS)).isFalse();
    try (RawClient rotated = secured.client(ROTATED)) {
      rotated.put("team-a/s/x", new byte[] {1});
      rejected(FlightStatusCode.UNAUTHORIZED, () -> rotated.put("team-b/s/x", new byte[] {1}));
    }
  }

  @Test
  void brokenFile_previousStoreStaysInForceUntilFixed() throws Exception {
    Files.writeString(secured.tokensFile, SecuredServer.line("team-a", ROTATED, "read:team-a/*") + "\nbroken line\n");

    // Two reload periods and more: the old tokens keep working, the new one never starts.
    assertThat(within(Duration.ofSeconds(5), () -> !works(SecuredServer.TEAM_A) || works(ROTATED))).isFalse();

    Files.writeString(secured.tokensFile, SecuredServer.line("team-a", ROTATED, "read:team-a/*") + "\n");
    assertThat(within(Duration.ofSeconds(10), () -> works(ROTATED))).isTrue();
    assertThat(works(SecuredServer.TEAM_A)).isFalse();
  }
}
