package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a server's /metrics over loopback, read as Prometheus text. */
final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One series: its name, labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  final String text;
  final List<Sample> samples = new ArrayList<>();

  private Scrape(String text) {
    this.text = text;
    for (String line : text.split("\\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
      Map<String, String> labels = new TreeMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      String value = sample.group(3);
      double number = switch (value) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(value);
      };
      samples.add(new Sample(sample.group(1), labels, number));
    }
  }

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static Scrape of(CacheServer server) throws IOException, InterruptedException {
    HttpResponse<String> response = get(server.metricsPort(), "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    return new Scrape(response.body());
  }

  /**
   * Scrapes until {@code done} holds, for up to 10 s. A call's meters are recorded as gRPC closes
   * it, which can be a moment after the client has its answer.
   */
  static Scrape until(CacheServer server, java.util.function.Predicate<Scrape> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Scrape scrape = of(server);
      if (done.test(scrape) || System.nanoTime() > deadline) {
        return scrape;
      }
      Thread.sleep(10);
    }
  }

  /** The value of the one series with this name and at least these labels ("k", "v", ...); 0 if none. */
  double value(String name, String... labelPairs) {
    List<Sample> matching = matching(name, labelPairs);
    assertThat(matching).as("series %s%s", name, List.of(labelPairs)).hasSizeLessThanOrEqualTo(1);
    return matching.isEmpty() ? 0 : matching.get(0).value();
  }

  /** Whether a series with this name and at least these labels is present. */
  boolean has(String name, String... labelPairs) {
    return !matching(name, labelPairs).isEmpty();
  }

  /** Every value the label takes among series of this name. */
  List<String> labelValues(String name, String label) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().containsKey(label))
        .map(s -> s.labels().get(label)).distinct().sorted().toList();
  }

  private List<Sample> matching(String name, String... labelPairs) {
    return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
          return false;
        }
      }
      return true;
    }).toList();
  }
}
