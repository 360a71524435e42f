package dev.flightcache.server.store;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.proto.ObjectKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the index from the files at start, and finishes what a crash interrupted: temp files
 * are deleted, a replace that renamed its new base but had not removed the old files is
 * completed, and patches left by an interrupted delete are removed. Anything else it cannot use
 * is moved to {@code quarantine/} and logged at ERROR; it never stops the start.
 */
final class Recovery {
  private static final Logger logger = LoggerFactory.getLogger(Recovery.class);

  private final StoreLayout layout;
  private final AtomicInteger quarantined = new AtomicInteger();
  /** The highest version of any object set aside; it counts as seen, so none is reused. */
  private long highestSetAside;

  Recovery(StoreLayout layout) {
    this.layout = layout;
  }

  /**
   * Rebuilds the index by reading every object directory: the slow path, for a store whose index
   * journal is missing or damaged.
   */
  Map<String, ObjectEntry> scan() throws IOException {
    long started = System.nanoTime();
    prepare();
    Map<String, ObjectEntry> entries = new HashMap<>();
    forEachObjectDirectory((key, dir) -> {
      ObjectEntry entry = inspect(key, dir);
      if (entry != null) {
        entries.put(key.toString(), entry);
      }
    });
    long bytes = entries.values().stream().mapToLong(ObjectEntry::sizeBytes).sum();
    logger.info(
        "Recovered {} objects ({} bytes) from {} by reading every object directory in {} ms; {} files set aside in {}",
        entries.size(), bytes, layout.root, (System.nanoTime() - started) / 1_000_000,
        quarantined.get(), layout.quarantine);
    return entries;
  }

  /** Creates the layout and removes what interrupted writes and deletes left in tmp/. */
  void prepare() throws IOException {
    layout.createDirectories();
    clearTemp();
  }

  /**
   * Loads the legacy version floor ({@code version-floor}) into {@code journal}'s removed
   * versions. Where per-key history is lost, it first raises the floor, durably, to every version
   * seen: in {@code entries}, in objects set aside, and in whatever {@code journal}'s files still
   * hold. History is lost when {@code historyLost} (the index was rebuilt from the object files,
   * so the tombstones are gone) or when the floor file itself is unreadable.
   */
  void finish(Iterable<ObjectEntry> entries, IndexJournal journal, boolean historyLost) throws IOException {
    VersionFloor floor;
    boolean lost = historyLost;
    try {
      floor = VersionFloor.load(layout.floorFile);
    } catch (NumberFormatException e) {
      setAside(layout.floorFile, "the version floor is unreadable; it is reset to the highest version still readable");
      floor = VersionFloor.load(layout.floorFile);
      lost = true;
    }
    if (lost) {
      long seen = highestSetAside;
      for (ObjectEntry entry : entries) {
        seen = RemovedVersions.higher(seen, entry.version());
      }
      seen = RemovedVersions.higher(seen, journal.highestVersionReadable());
      if (Long.compareUnsigned(seen, floor.get()) > 0) {
        logger.warn("Raised the version floor from {} to {}, the highest version seen: the history of removed keys was lost",
            Long.toUnsignedString(floor.get()), Long.toUnsignedString(seen));
      }
      floor.raise(seen);
    }
    journal.removed().raiseLegacyFloor(floor.get());
  }

  /** Receives each object directory whose path is a valid key. */
  interface ObjectDirectoryVisitor {
    void visit(ObjectKey key, Path dir) throws IOException;
  }

  /** Walks objects/, setting aside what is not an app, session or object directory. */
  void forEachObjectDirectory(ObjectDirectoryVisitor visitor) throws IOException {
    try (DirectoryStream<Path> apps = Files.newDirectoryStream(layout.objects)) {
      for (Path app : apps) {
        if (!expectDirectory(app)) {
          continue;
        }
        try (DirectoryStream<Path> sessions = Files.newDirectoryStream(app)) {
          for (Path session : sessions) {
            if (!expectDirectory(session)) {
              continue;
            }
            try (DirectoryStream<Path> objects = Files.newDirectoryStream(session)) {
              for (Path object : objects) {
                if (!expectDirectory(object)) {
                  continue;
                }
                ObjectKey key;
                try {
                  key = new ObjectKey(name(app), name(session), name(object));
                } catch (InvalidKeyException e) {
                  setAside(object, "its path is not a valid key");
                  continue;
                }
                visitor.visit(key, object);
              }
            }
          }
        }
      }
    }
  }

  int quarantinedCount() {
    return quarantined.get();
  }

  private void clearTemp() throws IOException {
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(layout.tmp)) {
      for (Path leftover : leftovers) {
        logger.debug("Removing leftover {}", leftover);
        ObjectFiles.deleteTree(leftover);
      }
    }
  }

  /**
   * Reads one object directory: finishes an interrupted replace or delete, sets aside what it
   * cannot use, and returns the object's entry, or null if the directory holds no object (then
   * the directory is gone).
   */
  ObjectEntry inspect(ObjectKey key, Path dir) throws IOException {
    TreeMap<Long, Path> bases = new TreeMap<>(Long::compareUnsigned);
    Map<Long, ObjectFormat> formats = new HashMap<>();
    TreeMap<Long, Path> patches = new TreeMap<>(Long::compareUnsigned);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        classify(file, bases, formats, patches);
      }
    }
    if (bases.isEmpty()) {
      if (!patches.isEmpty()) {
        logger.warn("Removing {} patches of {} left by an interrupted delete", patches.size(), key);
      }
      ObjectFiles.deleteTree(dir);
      return null;
    }
    long baseVersion = bases.lastKey();
    for (Map.Entry<Long, Path> older : bases.headMap(baseVersion).entrySet()) {
      Files.deleteIfExists(older.getValue());
    }
    for (Path stale : patches.headMap(baseVersion, true).values()) {
      Files.deleteIfExists(stale);
    }
    List<StoredPart> kept = new ArrayList<>();
    long expected = baseVersion + 1;
    for (Map.Entry<Long, Path> patch : patches.tailMap(baseVersion, false).entrySet()) {
      if (patch.getKey() != expected) {
        // Serving the patches before the gap would reuse the versions after it: set it all aside.
        highestSetAside = RemovedVersions.higher(highestSetAside, patches.lastKey());
        setAside(dir, "patch versions of " + key + " skip from " + (expected - 1) + " to " + patch.getKey());
        return null;
      }
      kept.add(new StoredPart(patch.getKey(), Files.size(patch.getValue())));
      expected++;
    }
    StoredPart base = new StoredPart(baseVersion, Files.size(bases.get(baseVersion)));
    return new ObjectEntry(key, formats.get(baseVersion), base, kept);
  }

  private void classify(Path file, TreeMap<Long, Path> bases, Map<Long, ObjectFormat> formats, TreeMap<Long, Path> patches)
      throws IOException {
    String name = name(file);
    int dot = name.indexOf('.');
    Long version = dot > 0 ? parseVersion(name.substring(0, dot)) : null;
    String suffix = dot > 0 ? name.substring(dot + 1) : "";
    if (version == null || version == 0 || !Files.isRegularFile(file) || !name.equals(StoreLayout.fileName(version, suffix))) {
      setAside(file, "it is not an object file");
      return;
    }
    if (suffix.equals(StoreLayout.PATCH_SUFFIX)) {
      patches.put(version, file);
      return;
    }
    for (ObjectFormat format : ObjectFormat.values()) {
      if (suffix.equals(format.suffix) && !bases.containsKey(version)) {
        bases.put(version, file);
        formats.put(version, format);
        return;
      }
    }
    setAside(file, "it is not an object file");
  }

  private static Long parseVersion(String digits) {
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    try {
      return Long.parseUnsignedLong(digits);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private boolean expectDirectory(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return true;
    }
    setAside(path, "a directory was expected here");
    return false;
  }

  private void setAside(Path path, String reason) throws IOException {
    Path target = layout.newQuarantinePath(path);
    Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
    quarantined.incrementAndGet();
    logger.error("Set aside {} as {}: {}", layout.root.relativize(path), layout.root.relativize(target), reason);
  }

  private static String name(Path path) {
    return path.getFileName().toString();
  }
}
