package dev.flightcache.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.cli.CacheCli;
import dev.flightcache.client.CacheClient;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.server.CacheServer;
import dev.flightcache.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md stays true: each block marked as copied is in the file it names, the
 * cache-cli session prints what the page says against a real server, every metric the page and
 * the alert rules name is one the server exports, and every repository path it names exists.
 */
class OperationsDocIT {
  private static final Pattern BLOCK = Pattern.compile("<!-- (copied from (\\S+)|cache-cli session[^>]*) -->\n```\n(.*?)```", Pattern.DOTALL);
  private static final Pattern METRIC = Pattern.compile("\\b((?:flight_cache|jvm|process)_[a-z_]+)");
  private static final Pattern COMMAND = Pattern.compile("\\$ (?:echo '([^']*)' \\| )?java -jar cache-cli/target/cache-cli\\.jar (.*?)(; echo \"exit \\$\\?\")?");

  private final String page = RepoFiles.read("docs/operations.md");
  @TempDir Path dir;
  CacheServer server;

  @BeforeEach
  void start() throws Exception {
    server = CacheServer.start(ConfigLoader.load(new String[] {
        "--port", "0", "--metrics-port", "0", "--storage-dir", dir.toString(), "--drain-timeout", "5s"}, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void copiedBlocks_appearVerbatimInTheirFiles() {
    Matcher block = BLOCK.matcher(page);
    int copied = 0;
    while (block.find()) {
      if (block.group(2) != null) {
        copied++;
        assertThat(RepoFiles.read(block.group(2))).as("block copied from %s", block.group(2)).contains(block.group(3));
      }
    }
    assertThat(copied).isGreaterThanOrEqualTo(10);
    assertThat(page.split("```").length / 2).as("every block is copied or run").isEqualTo(copied + 1);
  }

  @Test
  void cliSession_printsWhatThePageShows() {
    Matcher block = BLOCK.matcher(page);
    String session = null;
    while (block.find()) {
      session = block.group(2) == null ? block.group(3) : session;
    }
    assertThat(session).isNotNull();
    List<String> lines = session.lines().toList();
    int commands = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher command = COMMAND.matcher(lines.get(i));
      assertThat(command.matches()).as("a cache-cli command: %s", lines.get(i)).isTrue();
      List<String> expected = new ArrayList<>();
      while (i + 1 < lines.size() && !lines.get(i + 1).startsWith("$ ")) {
        expected.add(lines.get(++i));
      }
      List<String> printed = run(command.group(1), command.group(2), command.group(3) != null);
      assertThat(printed).as("output of %s", command.group(2)).hasSameSizeAs(expected);
      for (int j = 0; j < expected.size(); j++) {
        String pattern = Pattern.quote(expected.get(j)).replace("...", "\\E.*\\Q");
        assertThat(printed.get(j)).as("line %d of %s", j + 1, command.group(2)).matches(pattern);
      }
      commands++;
    }
    assertThat(commands).isGreaterThanOrEqualTo(8);
  }

  /** Runs one command against the test's server; stdout lines, then stderr lines, then the exit line if shown. */
  private List<String> run(String echoed, String arguments, boolean showExit) {
    List<String> args = new ArrayList<>(List.of("--endpoint", server.endpoint()));
    args.addAll(List.of(arguments.split(" ")));
    byte[] stdin = echoed == null ? new byte[0] : (echoed + "\n").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CacheCli.run(args.toArray(String[]::new), new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    List<String> printed = new ArrayList<>(out.toString(StandardCharsets.UTF_8).lines().toList());
    printed.addAll(err.toString(StandardCharsets.UTF_8).lines().toList());
    if (showExit) {
      printed.add("exit " + code);
    } else {
      assertThat(code).as("exit code of %s", arguments).isZero();
    }
    return printed;
  }

  @Test
  void metricNames_onThePageAndInTheAlerts_areExported() throws Exception {
    try (CacheClient client = CacheClient.builder().endpoint(server.endpoint()).build()) {
      ObjectRef ref = client.put("etl/run-1/a", new byte[10]);
      client.get(ref);
      client.get(ref);
      client.get(new ObjectRef(server.endpoint(), ObjectKey.parse("etl/run-1/a"), 0));
    }
    Set<String> exported = exportedNames();
    Set<String> named = new TreeSet<>();
    collect(page, named);
    List<Object> rules = RepoFiles.list(RepoFiles.map(RepoFiles.list(RepoFiles.yamlDocuments("docker/prometheus/alerts.yaml").get(0).get("groups")).get(0)).get("rules"));
    for (Object entry : rules) {
      Map<String, Object> rule = RepoFiles.map(entry);
      assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
      assertThat(RepoFiles.map(rule.get("labels"))).containsKey("severity");
      collect((String) rule.get("expr"), named);
    }

    assertThat(named).hasSizeGreaterThan(15);
    assertThat(named).allSatisfy(name -> assertThat(exported)
        .as("exported as %s, %s_count or %s_bucket", name, name, name)
        .containsAnyOf(name, name + "_count", name + "_bucket"));
  }

  @Test
  void repositoryPaths_onThePage_exist() {
    Matcher path = Pattern.compile("`((?:docker|ci|docs|cache-[a-z]+)/[^`\\s:]*[^`\\s:/.])`").matcher(page);
    int paths = 0;
    while (path.find()) {
      paths++;
      assertThat(Files.exists(RepoFiles.path(path.group(1))) || path.group(1).startsWith("cache-cli/target/") || path.group(1).startsWith("cache-server/target/"))
          .as("%s exists", path.group(1)).isTrue();
    }
    assertThat(paths).isGreaterThan(5);
  }

  private static void collect(String text, Set<String> names) {
    Matcher metric = METRIC.matcher(text);
    while (metric.find()) {
      names.add(metric.group(1));
    }
  }

  private Set<String> exportedNames() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    Set<String> names = new TreeSet<>();
    response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .forEach(line -> names.add(line.split("[{ ]")[0]));
    return names;
  }
}
