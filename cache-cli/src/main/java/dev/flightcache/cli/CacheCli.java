package dev.flightcache.cli;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheServerException;
import dev.flightcache.client.CacheUnavailableException;
import dev.flightcache.client.InvalidRequestException;
import dev.flightcache.client.ObjectNotFoundException;
import dev.flightcache.client.PermissionDeniedException;
import dev.flightcache.client.UnauthenticatedException;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code java -jar cache-cli.jar [--endpoint URL] <command> [arguments]}; see {@code help}. Runs
 * one command and exits with an {@link ExitCode}. Messages go to standard error, prefixed
 * {@code cache-cli:}; results go to standard output. No message holds the bearer token.
 */
public final class CacheCli {
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> environment;
  private final boolean interactive;
  private final LongSupplier nanoTime;

  /**
   * @param interactive whether standard error is a terminal (progress bars are drawn only then)
   * @param nanoTime the clock progress rates are measured with
   */
  CacheCli(InputStream in, PrintStream out, PrintStream err, Map<String, String> environment,
      boolean interactive, LongSupplier nanoTime) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.environment = environment;
    this.interactive = interactive;
    this.nanoTime = nanoTime;
  }

  public static void main(String[] args) {
    CacheCli cli = new CacheCli(System.in, System.out, System.err, System.getenv(), System.console() != null, System::nanoTime);
    int code = cli.run(args);
    System.out.flush();
    System.exit(code);
  }

  /**
   * Runs one command line as {@code main} would, reading the environment, but reading {@code in}
   * as standard input, printing to {@code out} and {@code err}, and returning the exit code
   * instead of exiting. No progress bars are drawn.
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    return new CacheCli(in, out, err, System.getenv(), false, System::nanoTime).run(args);
  }

  /** Runs one command line; returns the exit code. */
  public int run(String[] args) {
    Invocation invocation;
    try {
      invocation = Invocation.parse(args, environment);
    } catch (Invocation.UsageException e) {
      err.println("cache-cli: " + e.getMessage());
      err.println("Run 'cache-cli help' to see the commands.");
      return ExitCode.USAGE.code;
    }
    try {
      return execute(invocation).code;
    } catch (UnauthenticatedException e) {
      return fail(ExitCode.UNAUTHENTICATED, e.getMessage());
    } catch (PermissionDeniedException e) {
      return fail(ExitCode.UNAUTHORIZED, e.getMessage());
    } catch (ObjectNotFoundException e) {
      return fail(ExitCode.NOT_FOUND, e.getMessage());
    } catch (InvalidRequestException | dev.flightcache.proto.InvalidKeyException e) {
      return fail(ExitCode.REFUSED, e.getMessage());
    } catch (CacheUnavailableException e) {
      return fail(ExitCode.UNREACHABLE, e.getMessage() + " (is a server running at " + invocation.endpoint() + "?)");
    } catch (CacheServerException e) {
      return fail(ExitCode.SERVER_ERROR, e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      return fail(ExitCode.LOCAL_IO, describe(e));
    } catch (IllegalArgumentException e) {
      // Settings the client builder refused, such as an endpoint that is not a URI.
      return fail(ExitCode.USAGE, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitCode.UNREACHABLE, "interrupted");
    }
  }

  private ExitCode execute(Invocation invocation) throws IOException, InterruptedException {
    String tokenCommand = invocation.command().equals("token") ? invocation.args().get(0) : "";
    TokenCommands tokens = new TokenCommands(in, out, err, new SecureRandom());
    if (invocation.command().equals("help")) {
      out.print(usage());
      return ExitCode.OK;
    } else if (tokenCommand.equals("new")) {
      tokens.newToken(invocation);
      return ExitCode.OK;
    } else if (tokenCommand.equals("hash")) {
      tokens.hash();
      return ExitCode.OK;
    }
    String unreadable = invocation.access().unreadableFile();
    if (unreadable != null) {
      fail(ExitCode.LOCAL_IO, "cannot read " + unreadable);
      return ExitCode.LOCAL_IO;
    }
    if (invocation.command().equals("health")) {
      return health(invocation);
    }
    try (CacheClient client = invocation.access().applyTo(CacheClient.builder())
        .endpoint(invocation.endpoint())
        .callTimeout(invocation.timeout())
        .connectTimeout(invocation.timeout().compareTo(Duration.ofSeconds(5)) < 0 ? invocation.timeout() : Duration.ofSeconds(5))
        .cacheMaxBytes(0)
        .build()) {
      if (tokenCommand.equals("mint")) {
        tokens.mint(client, invocation);
      } else {
        new Commands(client, invocation.endpoint(), in, out, err, interactive, nanoTime)
            .run(invocation.command(), invocation.args());
      }
      return ExitCode.OK;
    }
  }

  private ExitCode health(Invocation invocation) throws InterruptedException {
    Health.Answer answer = Health.check(invocation.endpoint(), invocation.access(), invocation.timeout());
    if (answer.failure() == null) {
      out.println(answer.status());
      return answer.status() == ServingStatus.SERVING ? ExitCode.OK : ExitCode.SERVER_ERROR;
    }
    if (answer.failure() == Status.Code.UNAVAILABLE || answer.failure() == Status.Code.DEADLINE_EXCEEDED) {
      fail(ExitCode.UNREACHABLE, "health: " + answer.message() + " (is a server running at " + invocation.endpoint() + "?)");
      return ExitCode.UNREACHABLE;
    }
    fail(ExitCode.SERVER_ERROR, "health: " + answer.message());
    return ExitCode.SERVER_ERROR;
  }

  private int fail(ExitCode code, String message) {
    err.println("cache-cli: " + message);
    return code.code;
  }

  private static String describe(Exception e) {
    Throwable cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
    String message = e.getMessage();
    if (cause instanceof java.nio.file.NoSuchFileException missing) {
      return "no such file: " + missing.getFile();
    }
    return message == null ? cause.toString() : message + (cause != e && cause.getMessage() != null ? ": " + cause.getMessage() : "");
  }

  static String usage() {
    try (InputStream text = CacheCli.class.getResourceAsStream("usage.txt")) {
      return new String(text.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("usage.txt is missing from the jar", e);
    }
  }
}
