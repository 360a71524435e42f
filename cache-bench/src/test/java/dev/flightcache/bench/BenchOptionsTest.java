package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void parse_nothing_defaults() throws Exception {
    BenchOptions options = BenchOptions.parse(new String[0]);
    assertThat(options.endpoint()).isEqualTo("grpc://127.0.0.1:9090");
    assertThat(options.workloads()).containsExactly(WorkloadKind.GET);
    assertThat(options.sizeBytes()).isEqualTo(1024);
    assertThat(options.clients()).isEqualTo(1);
    assertThat(options.measure()).isEqualTo(new Bound(0, Duration.ofSeconds(10)));
    assertThat(options.warmup()).isEqualTo(new Bound(0, Duration.ofSeconds(2)));
    assertThat(options.clientPerThread()).isFalse();
  }

  @Test
  void parse_everyOption_readsEachOne() throws Exception {
    BenchOptions options = BenchOptions.parse(new String[] {
        "--endpoint", "grpc://127.0.0.1:1234", "--workload", "put,patch", "--size=64MiB", "--clients", "16",
        "--client-per-thread", "--requests", "500", "--warmup", "50", "--to-file", "--shared-object",
        "--call-timeout", "90s", "--seed", "7", "--json-only"});
    assertThat(options.endpoint()).isEqualTo("grpc://127.0.0.1:1234");
    assertThat(options.workloads()).containsExactly(WorkloadKind.PUT, WorkloadKind.PATCH);
    assertThat(options.sizeBytes()).isEqualTo(64L << 20);
    assertThat(options.clients()).isEqualTo(16);
    assertThat(options.clientPerThread()).isTrue();
    assertThat(options.measure()).isEqualTo(new Bound(500, null));
    assertThat(options.warmup()).isEqualTo(new Bound(50, null));
    assertThat(options.toFile()).isTrue();
    assertThat(options.sharedObject()).isTrue();
    assertThat(options.callTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(options.seed()).isEqualTo(7);
    assertThat(options.jsonOnly()).isTrue();
  }

  @Test
  void parse_all_leavesOutWhatTheSizeCannotDo() throws Exception {
    assertThat(BenchOptions.parse(new String[] {"--workload", "all", "--size", "1MiB"}).workloads())
        .containsExactly(WorkloadKind.values());
    assertThat(BenchOptions.parse(new String[] {"--workload", "all", "--size", "1GiB"}).workloads())
        .doesNotContain(WorkloadKind.PATCH).contains(WorkloadKind.GET_NOT_MODIFIED);
    assertThat(BenchOptions.parse(new String[] {"--workload", "all", "--size", "4GiB"}).workloads())
        .containsExactly(WorkloadKind.PUT, WorkloadKind.GET, WorkloadKind.UPLOAD, WorkloadKind.DOWNLOAD);
  }

  @Test
  void getViaFile_aboveOneGibibyteOrAsked_true() throws Exception {
    assertThat(BenchOptions.parse(new String[] {"--size", "1GiB"}).getViaFile()).isFalse();
    assertThat(BenchOptions.parse(new String[] {"--size", "1GiB", "--to-file"}).getViaFile()).isTrue();
    assertThat(BenchOptions.parse(new String[] {"--size", "1025MiB"}).getViaFile()).isTrue();
  }

  @Test
  void parse_requestsAndDuration_refused() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--requests", "10", "--duration", "5s"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("not both");
  }

  @Test
  void parse_badValues_nameTheOption() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--size", "12XB"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("not a size");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--clients", "0"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("--clients");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--requests", "30s"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("--requests");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--requests", "0"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("--requests");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--workload", "scan"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("unknown workload 'scan'");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--frobnicate"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("unknown option --frobnicate");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--size"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("--size needs a value");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--workload", "patch", "--size", "2GiB"}))
        .isInstanceOf(UsageException.class).hasMessageContaining("at most 1GiB");
  }

  @Test
  void usage_listsEveryWorkloadAndOption() {
    String usage = BenchOptions.usage();
    for (WorkloadKind kind : WorkloadKind.values()) {
      assertThat(usage).contains(kind.label());
    }
    assertThat(usage).contains("--endpoint", "--client-per-thread", "--warmup", "--json-only", "MB/s is 10^6 bytes");
  }
}
