package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Where everything lives under the storage directory:
 *
 * <pre>
 * objects/&lt;app&gt;/&lt;session&gt;/&lt;object&gt;/&lt;version&gt;.base    opaque bytes
 *                                           &lt;version&gt;.table   an Arrow IPC stream
 *                                           &lt;version&gt;.patch   one patch's bytes
 * tmp/          writes in progress and objects being deleted; emptied at start
 * quarantine/   files recovery could not use, set aside for an operator
 * version-floor the legacy version floor under every key not held ({@link VersionFloor})
 * index/        the index journal and its snapshots ({@link IndexJournal}); clean-stop marks a clean stop
 * </pre>
 *
 * Key components pass {@link dev.flightcache.proto.KeyRules}, so they are safe file names as is.
 */
final class StoreLayout {
  static final String PATCH_SUFFIX = "patch";

  final Path root;
  final Path objects;
  final Path tmp;
  final Path quarantine;
  final Path floorFile;
  final Path index;
  final Path cleanMarker;

  StoreLayout(Path root) {
    this.root = root;
    this.objects = root.resolve("objects");
    this.tmp = root.resolve("tmp");
    this.quarantine = root.resolve("quarantine");
    this.floorFile = root.resolve("version-floor");
    this.index = root.resolve("index");
    this.cleanMarker = index.resolve("clean-stop");
  }

  void createDirectories() throws IOException {
    Files.createDirectories(objects);
    Files.createDirectories(tmp);
    Files.createDirectories(quarantine);
  }

  Path objectDir(ObjectKey key) {
    return objects.resolve(key.app()).resolve(key.session()).resolve(key.object());
  }

  static String fileName(long version, String suffix) {
    return Long.toUnsignedString(version) + "." + suffix;
  }

  Path newTempPath(String suffix) {
    return tmp.resolve(UUID.randomUUID() + "." + suffix);
  }

  /**
   * Where {@code path}, under the root, goes when it is set aside for an operator: a new name in
   * {@code quarantine/} that keeps its path readable ({@code 1733-<uuid>-objects_app_s_o}).
   */
  Path newQuarantinePath(Path path) {
    return quarantine.resolve(
        System.currentTimeMillis() + "-" + UUID.randomUUID() + "-" + root.relativize(path).toString().replace('/', '_'));
  }

  /** Makes a directory's entries (a rename into it, a new file) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Creates the object's directory and any missing parents, each made durable in its parent.
   * The caller holds the layout lock, so no concurrent prune removes a parent meanwhile.
   */
  void createObjectDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    createObjectDirectory(parent);
    try {
      Files.createDirectory(dir);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // Another commit under the same shared lock created it first.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
    fsyncDirectory(parent);
  }
}
