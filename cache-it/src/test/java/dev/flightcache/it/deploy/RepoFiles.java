package dev.flightcache.it.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository's own files, read as the deployment tests need them. */
final class RepoFiles {
  /** The repository root: the nearest parent of the working directory with docker/Dockerfile. */
  static final Path ROOT = locate();

  private RepoFiles() {}

  private static Path locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker/Dockerfile")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    try {
      return Files.readString(path(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every YAML document in the file, parsed with SnakeYAML's safe constructor. */
  static List<Map<String, Object>> yamlDocuments(String relative) {
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(relative))) {
      documents.add(map(document));
    }
    return documents;
  }

  /** A YAML mapping, or fails the test. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    if (!(node instanceof Map)) {
      throw new AssertionError("expected a mapping, got " + node);
    }
    return (Map<String, Object>) node;
  }

  /** A YAML sequence, or fails the test. */
  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
    if (!(node instanceof List)) {
      throw new AssertionError("expected a sequence, got " + node);
    }
    return (List<Object>) node;
  }

  /** The first text of {@code <element>…</element>} in a POM. */
  static String pomElement(String pom, String element) {
    Matcher matcher = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(read(pom));
    if (!matcher.find()) {
      throw new AssertionError(pom + " has no <" + element + ">");
    }
    return matcher.group(1).trim();
  }

  /** The runnable jar a module's shade plugin writes, relative to the root: module/target/x.jar. */
  static String shadedJar(String module) {
    return pomElement(module + "/pom.xml", "outputFile").replace("${project.build.directory}", module + "/target");
  }
}
