package dev.flightcache.bench;

import java.util.Arrays;
import java.util.List;

/** The operations the benchmark can drive, by their command-line names. */
enum WorkloadKind {
  PUT("put", "put(key, bytes): create or replace one object per caller; committed with fsync"),
  GET("get", "get of the whole object (the caller-side cache is off); every byte is checksummed"),
  GET_NOT_MODIFIED("get-not-modified", "get of an object the caller holds at its current version"),
  PATCH("patch", "patch(ref, delta): append a patch of --size bytes"),
  UPLOAD("upload", "upload(key, file): stream a file of --size bytes from --temp-dir"),
  DOWNLOAD("download", "download(ref, file): stream an object into a temp file in --temp-dir, fsync, delete");

  /** Largest object a get holds in memory, and largest patch the server accepts at all. */
  static final long IN_MEMORY_MAX_BYTES = 1L << 30;
  /** The server's default max-patch-bytes; {@code all} includes patch only up to it. */
  static final long DEFAULT_MAX_PATCH_BYTES = 64L << 20;

  private final String label;
  private final String description;

  WorkloadKind(String label, String description) {
    this.label = label;
    this.description = description;
  }

  String label() {
    return label;
  }

  String description() {
    return description;
  }

  /**
   * A comma-separated list of names, or {@code all}: every workload that the size allows (patch
   * up to 64 MiB, get-not-modified up to 1 GiB).
   */
  static List<WorkloadKind> parseList(String text, long sizeBytes) {
    if ("all".equals(text.trim())) {
      return Arrays.stream(values())
          .filter(kind -> kind != PATCH || sizeBytes <= DEFAULT_MAX_PATCH_BYTES)
          .filter(kind -> kind != GET_NOT_MODIFIED || sizeBytes <= IN_MEMORY_MAX_BYTES)
          .toList();
    }
    return Arrays.stream(text.split(",")).map(String::trim).map(WorkloadKind::parse).distinct().toList();
  }

  static WorkloadKind parse(String label) {
    for (WorkloadKind kind : values()) {
      if (kind.label.equals(label)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + label + "'");
  }
}
