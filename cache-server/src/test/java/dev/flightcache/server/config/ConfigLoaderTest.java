package dev.flightcache.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Defaults, the file < environment < flags order, value syntax and validation. */
class ConfigLoaderTest {
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long GIB = 1024 * MIB;

  @TempDir Path dir;

  // ---- defaults ----

  @Test
  void load_nothingGiven_defaults() {
    ServerConfig config = load();

    assertThat(config.port()).isEqualTo(9090);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.advertiseEndpoint()).isNull();
    assertThat(config.storageDir()).isEqualTo(Path.of("./data"));
    assertThat(config.maxObjectBytes()).isEqualTo(64 * GIB);
    assertThat(config.maxPatchBytes()).isEqualTo(64 * MIB);
    assertThat(config.maxPatches()).isEqualTo(1000);
    assertThat(config.maxMessageBytes()).isEqualTo(128 * MIB);
    assertThat(config.chunkBytes()).isEqualTo(256 * KIB);
    assertThat(config.singleRowMaxBytes()).isEqualTo(64 * MIB);
    assertThat(config.callThreads()).isEqualTo(256);
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.keepAliveTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.portFile()).isNull();
    assertThat(config.logLevel()).isEqualTo("INFO");
    assertThat(config.ops()).isEqualTo(new OpsConfig(9091, "127.0.0.1", 100, Duration.ofSeconds(10), false, false));
    assertThat(config.appQuotasFile()).isNull();
    assertThat(config.auth()).isEqualTo(AuthConfig.off());
  }

  // ---- sources and their order ----

  @Test
  void load_fileEnvironmentAndFlags_flagsWinOverEnvironmentOverFile() throws IOException {
    Path file = configFile(
        "port = 1111",
        "max-patches = 5",
        "log-level = debug",
        "bind-address=0.0.0.0",
        "# a comment",
        "drain-timeout: 2m");
    Map<String, String> env = Map.of(
        "FLIGHT_CACHE_PORT", "2222",
        "FLIGHT_CACHE_MAX_PATCHES", "6",
        "FLIGHT_CACHE_CALL_THREADS", "8");

    ServerConfig config = ConfigLoader.load(new String[] {"--config", file.toString(), "--port", "3333"}, env);

    assertThat(config.port()).isEqualTo(3333);
    assertThat(config.maxPatches()).isEqualTo(6);
    assertThat(config.callThreads()).isEqualTo(8);
    assertThat(config.logLevel()).isEqualTo("DEBUG");
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.chunkBytes()).isEqualTo(256 * KIB);
  }

  @Test
  void load_configFileFromEnvironment_read() throws IOException {
    Path file = configFile("max-patches = 7");

    ServerConfig config = ConfigLoader.load(new String[0], Map.of("FLIGHT_CACHE_CONFIG", file.toString()));

    assertThat(config.maxPatches()).isEqualTo(7);
  }

  @Test
  void load_configFlag_winsOverConfigEnvironment() throws IOException {
    Path fromEnv = configFile("max-patches = 7");
    Path fromFlag = Files.writeString(dir.resolve("flag.properties"), "max-patches = 8\n");

    ServerConfig config = ConfigLoader.load(
        new String[] {"--config=" + fromFlag}, Map.of("FLIGHT_CACHE_CONFIG", fromEnv.toString()));

    assertThat(config.maxPatches()).isEqualTo(8);
  }

  @Test
  void load_emptyEnvironmentValue_ignored() throws IOException {
    Path file = configFile("port = 1111");

    ServerConfig config = ConfigLoader.load(
        new String[] {"--config", file.toString()}, Map.of("FLIGHT_CACHE_PORT", "", "FLIGHT_CACHE_LOG_LEVEL", ""));

    assertThat(config.port()).isEqualTo(1111);
    assertThat(config.logLevel()).isEqualTo("INFO");
  }

  @Test
  void load_everyOptionFromEnvironment_usesItsVariable() {
    Map<String, String> env = new HashMap<>();
    env.put("FLIGHT_CACHE_PORT", "1");
    env.put("FLIGHT_CACHE_BIND_ADDRESS", "0.0.0.0");
    env.put("FLIGHT_CACHE_ADVERTISE_ENDPOINT", "grpc://cache:1");
    env.put("FLIGHT_CACHE_STORAGE_DIR", "/srv/cache");
    env.put("FLIGHT_CACHE_MAX_OBJECT_BYTES", "1G");
    env.put("FLIGHT_CACHE_MAX_PATCH_BYTES", "1M");
    env.put("FLIGHT_CACHE_MAX_PATCHES", "2");
    env.put("FLIGHT_CACHE_MAX_MESSAGE_BYTES", "2M");
    env.put("FLIGHT_CACHE_CHUNK_BYTES", "4K");
    env.put("FLIGHT_CACHE_SINGLE_ROW_MAX_BYTES", "8K");
    env.put("FLIGHT_CACHE_CALL_THREADS", "4");
    env.put("FLIGHT_CACHE_DRAIN_TIMEOUT", "500ms");
    env.put("FLIGHT_CACHE_KEEPALIVE_TIME", "45s");
    env.put("FLIGHT_CACHE_KEEPALIVE_TIMEOUT", "5s");
    env.put("FLIGHT_CACHE_PORT_FILE", "/run/port");
    env.put("FLIGHT_CACHE_LOG_LEVEL", "warn");
    env.put("FLIGHT_CACHE_TLS_CERT_FILE", "/etc/cache/cert.pem");
    env.put("FLIGHT_CACHE_TLS_KEY_FILE", "/etc/cache/key.pem");
    env.put("FLIGHT_CACHE_BUDGET_BYTES", "10G");
    env.put("FLIGHT_CACHE_HIGH_WATERMARK", "0.9");
    env.put("FLIGHT_CACHE_LOW_WATERMARK", "0.5");
    env.put("FLIGHT_CACHE_HARD_LIMIT_BYTES", "80%");
    env.put("FLIGHT_CACHE_MIN_FREE_BYTES", "1G");
    env.put("FLIGHT_CACHE_IDLE_TTL", "2h");
    env.put("FLIGHT_CACHE_METRICS_PORT", "2");
    env.put("FLIGHT_CACHE_METRICS_BIND_ADDRESS", "0.0.0.0");
    env.put("FLIGHT_CACHE_METRICS_MAX_APPS", "3");
    env.put("FLIGHT_CACHE_METRICS_SAMPLE_INTERVAL", "1m");
    env.put("FLIGHT_CACHE_ACCESS_LOG", "TRUE");
    env.put("FLIGHT_CACHE_APP_QUOTAS_FILE", "/etc/cache/quotas");
    env.put("FLIGHT_CACHE_METRICS_TLS", "true");
    env.put("FLIGHT_CACHE_TLS_CLIENT_CA_FILE", "/etc/cache/ca.pem");
    env.put("FLIGHT_CACHE_AUTH_TOKENS_FILE", "/etc/cache/tokens");
    env.put("FLIGHT_CACHE_AUTH_SIGNING_KEY_FILE", "/etc/cache/signing-key");
    env.put("FLIGHT_CACHE_AUTH_MAX_TOKEN_TTL", "2h");
    env.put("FLIGHT_CACHE_INSECURE", "false");

    ServerConfig config = ConfigLoader.load(new String[0], env);

    assertThat(config).isEqualTo(new ServerConfig(
        1, "0.0.0.0", "grpc://cache:1", Path.of("/srv/cache"), Path.of("/etc/cache/cert.pem"), Path.of("/etc/cache/key.pem"),
        new Capacity(10 * GIB, -1), 0.9, 0.5, new Capacity(-1, 80), new Capacity(GIB, -1), Duration.ofHours(2), GIB, MIB, 2, 2 * MIB, (int) (4 * KIB), 8 * KIB, 4,
        Duration.ofMillis(500), Duration.ofSeconds(45), Duration.ofSeconds(5), Path.of("/run/port"), "WARN",
        new OpsConfig(2, "0.0.0.0", 3, Duration.ofMinutes(1), true, true), Path.of("/etc/cache/quotas"),
        new AuthConfig(Path.of("/etc/cache/tokens"), Path.of("/etc/cache/signing-key"), Duration.ofHours(2),
            Path.of("/etc/cache/ca.pem"), false)));
    assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(
        java.util.Arrays.stream(Option.values()).filter(o -> o != Option.CONFIG).map(Option::environmentName).toList());
  }

  @Test
  void load_appQuotasFile_fromFlagOrConfigFile() throws IOException {
    assertThat(ConfigLoader.load(new String[] {"--app-quotas-file", "/etc/q"}, Map.of()).appQuotasFile()).isEqualTo(Path.of("/etc/q"));
    Path file = configFile("app-quotas-file = /etc/cache/quotas");
    assertThat(ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of()).appQuotasFile())
        .isEqualTo(Path.of("/etc/cache/quotas"));
  }

  @Test
  void load_tlsCertWithoutKey_rejectedNamingTheMissingOne() {
    assertThatThrownBy(() -> load("--tls-cert-file", "/c.pem"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'tls-key-file'");
    assertThatThrownBy(() -> load("--tls-key-file", "/k.pem"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'tls-cert-file'");
    assertThat(load().tls()).isFalse();
  }

  @Test
  void budgetSettings_percentages_resolveAgainstTheVolume() {
    ServerConfig config = load("--budget-bytes", "50%", "--min-free-bytes", "10%", "--hard-limit-bytes", "60%");
    var settings = config.budgetSettings(1000 * MIB, 4096);
    assertThat(settings.budgetBytes()).isEqualTo(500 * MIB);
    assertThat(settings.hardLimitBytes()).isEqualTo(600 * MIB);
    assertThat(settings.minFreeBytes()).isEqualTo(100 * MIB);
    assertThat(settings.idleTtl()).isNull();
    assertThat(load().budgetSettings(1000 * MIB, 4096).hardLimitBytes()).as("default: the budget").isEqualTo(500 * MIB);
  }

  @Test
  void budgetSettings_invalidCombinations_rejectedNamingTheOption() {
    assertThatThrownBy(() -> load("--budget-bytes", "10G", "--hard-limit-bytes", "5G").budgetSettings(100 * GIB, 4096))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'hard-limit-bytes'");
    assertThatThrownBy(() -> load("--budget-bytes", "0%")).isInstanceOf(ConfigException.class).hasMessageContaining("'budget-bytes'");
    assertThatThrownBy(() -> load("--budget-bytes", "150%")).isInstanceOf(ConfigException.class).hasMessageContaining("percentage");
    assertThatThrownBy(() -> load("--low-watermark", "0.99")).isInstanceOf(ConfigException.class).hasMessageContaining("'low-watermark'");
    assertThatThrownBy(() -> load("--high-watermark", "x")).isInstanceOf(ConfigException.class).hasMessageContaining("'high-watermark'");
  }

  // ---- flag syntax ----

  @Test
  void load_flagWithEqualsOrSeparateValue_same() {
    ServerConfig joined = load("--port=1234", "--storage-dir=/a b", "--log-level=TRACE");
    ServerConfig separate = load("--port", "1234", "--storage-dir", "/a b", "--log-level", "TRACE");

    assertThat(joined).isEqualTo(separate);
    assertThat(joined.port()).isEqualTo(1234);
    assertThat(joined.storageDir()).isEqualTo(Path.of("/a b"));
  }

  @Test
  void load_valueContainingEquals_keptWhole() {
    assertThat(load("--advertise-endpoint=grpc://h:1/?a=b").advertiseEndpoint()).isEqualTo("grpc://h:1/?a=b");
  }

  @Test
  void load_repeatedFlag_lastWins() {
    assertThat(load("--port", "1", "--port", "2").port()).isEqualTo(2);
  }

  @Test
  void load_emptyPortFile_none() {
    assertThat(load("--port-file=").portFile()).isNull();
    assertThat(load("--port-file", "/tmp/p").portFile()).isEqualTo(Path.of("/tmp/p"));
  }

  @Test
  void load_unknownFlag_throwsNamingIt() {
    assertThatThrownBy(() -> load("--prot", "1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--prot");
  }

  @Test
  void load_flagMissingValue_throwsNamingIt() {
    assertThatThrownBy(() -> load("--port", "1", "--storage-dir"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--storage-dir")
        .hasMessageContaining("value");
  }

  @Test
  void load_positionalArgument_throws() {
    assertThatThrownBy(() -> load("9090")).isInstanceOf(ConfigException.class).hasMessageContaining("9090");
    assertThatThrownBy(() -> load("-port", "1")).isInstanceOf(ConfigException.class).hasMessageContaining("-port");
  }

  // ---- config file ----

  @Test
  void load_unknownKeyInFile_throwsNamingKeyAndFile() throws IOException {
    Path file = configFile("port = 1", "max-objects = 3");

    assertThatThrownBy(() -> load("--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max-objects")
        .hasMessageContaining(file.toString());
  }

  @Test
  void load_configKeyInFile_rejected() throws IOException {
    Path file = configFile("config = /etc/other.properties");

    assertThatThrownBy(() -> load("--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config");
  }

  @Test
  void load_missingConfigFile_throwsNamingIt() {
    Path missing = dir.resolve("missing.properties");

    assertThatThrownBy(() -> load("--config", missing.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void load_invalidValueInFile_throwsNamingOption() throws IOException {
    Path file = configFile("chunk-bytes = lots");

    assertThatThrownBy(() -> load("--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'chunk-bytes'")
        .hasMessageContaining("lots");
  }

  // ---- sizes ----

  @ParameterizedTest
  @CsvSource({
      "1024, 1024",
      "64K, 65536",
      "64k, 65536",
      "64KiB, 65536",
      "64KB, 65536",
      "64M, 67108864",
      "64MB, 67108864",
      "64MiB, 67108864",
      "64 MiB, 67108864",
      "1G, 1073741824",
      "1GiB, 1073741824",
      "3G, 3221225472",
      "2T, 2199023255552",
  })
  void load_sizes_binaryUnits(String text, long bytes) {
    assertThat(load("--max-object-bytes", text).maxObjectBytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "lots", "-1", "1.5M", "64X", "64 M B", "M", "0x10", "8E"})
  void load_invalidSize_throwsNamingOption(String text) {
    assertThatThrownBy(() -> load("--max-patch-bytes", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'max-patch-bytes'")
        .hasMessageContaining("size");
  }

  @Test
  void load_sizeOverflowingLong_throwsNamingOption() {
    assertThatThrownBy(() -> load("--max-object-bytes", "99999999999T"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'max-object-bytes'")
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> load("--max-object-bytes", "99999999999999999999"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'max-object-bytes'");
  }

  // ---- durations and numbers ----

  @ParameterizedTest
  @CsvSource({"500ms, 500", "30s, 30000", "2m, 120000", "1h, 3600000", "0s, 0", "5 s, 5000"})
  void load_durations_parsed(String text, long millis) {
    assertThat(load("--drain-timeout", text).drainTimeout()).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "1d", "5 sec", "-5s", "1.5s", "30S", "soon"})
  void load_invalidDuration_throwsNamingOption(String text) {
    assertThatThrownBy(() -> load("--drain-timeout", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'drain-timeout'")
        .hasMessageContaining("duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "9999999999999999h"})
  void load_durationTooLarge_throwsNamingOption(String text) {
    assertThatThrownBy(() -> load("--drain-timeout", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'drain-timeout'");
  }

  @Test
  void load_durationBeyondMillis_rejectedOrUsableAsMillis() {
    Duration timeout;
    try {
      timeout = load("--drain-timeout", "9223372036854775807s").drainTimeout();
    } catch (ConfigException e) {
      assertThat(e).hasMessageContaining("'drain-timeout'");
      return;
    }
    // CacheServer.close() waits drainTimeout().toMillis().
    assertThatCode(timeout::toMillis).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "1.0", "99999999999", "0x50"})
  void load_invalidWholeNumber_throwsNamingOption(String text) {
    assertThatThrownBy(() -> load("--max-patches", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'max-patches'")
        .hasMessageContaining("whole number");
  }

  // ---- validation ----

  @Test
  void load_portRange_enforced() {
    assertThat(load("--port", "0").port()).isZero();
    assertThat(load("--port", "65535").port()).isEqualTo(65535);
    assertThatThrownBy(() -> load("--port", "65536")).isInstanceOf(ConfigException.class).hasMessageContaining("'port'");
    assertThatThrownBy(() -> load("--port", "-1")).isInstanceOf(ConfigException.class).hasMessageContaining("'port'");
  }

  @Test
  void load_chunkBytesBounds_enforced() {
    assertThat(load("--chunk-bytes", "1KiB").chunkBytes()).isEqualTo(1024);
    assertThat(load("--chunk-bytes", "64MiB").chunkBytes()).isEqualTo(64 << 20);
    assertThatThrownBy(() -> load("--chunk-bytes", "1023")).isInstanceOf(ConfigException.class).hasMessageContaining("'chunk-bytes'");
    assertThatThrownBy(() -> load("--chunk-bytes", "65MiB", "--single-row-max-bytes", "128MiB"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'chunk-bytes'");
    assertThatThrownBy(() -> load("--chunk-bytes", "8GiB")).isInstanceOf(ConfigException.class).hasMessageContaining("'chunk-bytes'");
  }

  @Test
  void load_singleRowBelowChunk_rejected() {
    assertThatThrownBy(() -> load("--chunk-bytes", "1MiB", "--single-row-max-bytes", "512KiB"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'single-row-max-bytes'");
    assertThatThrownBy(() -> load("--single-row-max-bytes", "2GiB"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'single-row-max-bytes'");
  }

  @Test
  void load_otherLimits_enforced() {
    assertThatThrownBy(() -> load("--max-patch-bytes", "0")).isInstanceOf(ConfigException.class).hasMessageContaining("'max-patch-bytes'");
    assertThatThrownBy(() -> load("--max-patch-bytes", "1025MiB")).isInstanceOf(ConfigException.class).hasMessageContaining("'max-patch-bytes'");
    assertThatThrownBy(() -> load("--max-object-bytes", "0")).isInstanceOf(ConfigException.class).hasMessageContaining("'max-object-bytes'");
    assertThatThrownBy(() -> load("--max-patches", "-1")).isInstanceOf(ConfigException.class).hasMessageContaining("'max-patches'");
    assertThatThrownBy(() -> load("--max-message-bytes", "1023")).isInstanceOf(ConfigException.class).hasMessageContaining("'max-message-bytes'");
    assertThatThrownBy(() -> load("--max-message-bytes", "2GiB")).isInstanceOf(ConfigException.class).hasMessageContaining("'max-message-bytes'");
    assertThatThrownBy(() -> load("--call-threads", "3")).isInstanceOf(ConfigException.class).hasMessageContaining("'call-threads'");
    assertThat(load("--max-patches", "0").maxPatches()).isZero();
    assertThat(load("--call-threads", "4").callThreads()).isEqualTo(4);
  }

  @Test
  void load_keepAlive_fromFlagsOrConfigFile() throws IOException {
    ServerConfig flags = load("--keepalive-time", "10s", "--keepalive-timeout=1500ms");
    assertThat(flags.keepAliveTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(flags.keepAliveTimeout()).isEqualTo(Duration.ofMillis(1500));
    Path file = configFile("keepalive-time = 2m", "keepalive-timeout = 20s");
    ServerConfig fromFile = load("--config", file.toString());
    assertThat(fromFile.keepAliveTime()).isEqualTo(Duration.ofMinutes(2));
    assertThat(fromFile.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0ms", "9999ms", "9s"})
  void load_keepAliveTimeUnderGrpcMinimum_rejectedNamingTheOption(String text) {
    assertThatThrownBy(() -> load("--keepalive-time", text))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'keepalive-time' must be at least 10s (gRPC's minimum)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0ms", "999ms"})
  void load_keepAliveTimeoutUnderASecond_rejectedNamingTheOption(String text) {
    assertThatThrownBy(() -> load("--keepalive-timeout", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("'keepalive-timeout' must be at least 1s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"keepalive-time", "keepalive-timeout"})
  void load_keepAliveNotADuration_rejectedNamingTheOption(String key) {
    for (String text : new String[] {"-1s", "30", "soon", ""}) {
      assertThatThrownBy(() -> load("--" + key, text))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("'" + key + "'")
          .hasMessageContaining("duration");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"error", "Warn", "INFO", "debug", "trace"})
  void load_logLevels_acceptedInAnyCase(String level) {
    assertThat(load("--log-level", level).logLevel()).isEqualTo(level.toUpperCase(java.util.Locale.ROOT));
  }

  @ParameterizedTest
  @ValueSource(strings = {"VERBOSE", "", "ALL", "OFF"})
  void load_unknownLogLevel_throwsNamingOption(String level) {
    assertThatThrownBy(() -> load("--log-level", level))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'log-level'");
  }

  @ParameterizedTest
  @CsvSource({"true, true", "FALSE, false", "True, true", "' false ', false"})
  void load_accessLog_trueOrFalseInAnyCase(String text, boolean expected) {
    assertThat(load("--access-log", text).ops().accessLog()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "1", "", "on"})
  void load_accessLogNotBoolean_throwsNamingOption(String text) {
    assertThatThrownBy(() -> load("--access-log", text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'access-log'")
        .hasMessageContaining("true or false");
  }

  @Test
  void load_opsLimits_enforced() {
    assertThat(load("--metrics-port", "0").ops().metricsPort()).isZero();
    assertThatThrownBy(() -> load("--metrics-port", "65536")).isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-port'");
    assertThatThrownBy(() -> load("--metrics-bind-address", " ")).isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-bind-address'");
    assertThatThrownBy(() -> load("--metrics-max-apps", "0")).isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-max-apps'");
    assertThatThrownBy(() -> load("--metrics-max-apps", "10001")).isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-max-apps'");
    assertThatThrownBy(() -> load("--metrics-sample-interval", "500ms"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-sample-interval'");
    assertThatThrownBy(() -> load("--metrics-sample-interval", "2h"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-sample-interval'");
    assertThat(load("--metrics-sample-interval", "1s").ops().sampleInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  // ---- boolean flags ----

  @Test
  void load_booleanFlagAlone_true() {
    assertThat(load("--insecure", "--port", "0").auth().insecure()).isTrue();
    assertThat(load("--port", "0", "--insecure").auth().insecure()).isTrue();
    assertThat(load("--insecure", "false").auth().insecure()).isFalse();
    assertThat(load("--access-log", "--metrics-tls=false").ops().accessLog()).isTrue();
    assertThatThrownBy(() -> load("--port")).hasMessageContaining("needs a value");
  }

  // ---- usage ----

  @Test
  void usage_mentionsEveryOptionAndItsVariable() {
    String usage = ConfigLoader.usage();

    for (Option option : Option.values()) {
      assertThat(usage).contains("--" + option.key()).contains(option.environmentName());
    }
    assertThat(usage).contains("--help");
  }

  // ---- helpers ----

  private static ServerConfig load(String... args) {
    return ConfigLoader.load(args, Map.of());
  }

  private Path configFile(String... lines) throws IOException {
    return Files.writeString(dir.resolve("cache.properties"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }
}
