package dev.flightcache.server.flight;

import dev.flightcache.proto.GetAnswer;

/** How a do_get was answered, as metrics and the access log name it. */
public enum GetOutcome {
  /** The whole object: its base and every patch, or a native table's batches. */
  FULL("full"),
  /** Only the patches after the caller's version. */
  PATCH_ONLY("patch_only"),
  /** The caller's version is current: a schema and no batches. */
  NOT_MODIFIED("not_modified");

  private final String label;

  GetOutcome(String label) {
    this.label = label;
  }

  /** The outcome of a get answered {@code answer}; null for {@code single}, which its do_get counts. */
  static GetOutcome of(GetAnswer<?> answer) {
    if (answer instanceof GetAnswer.NotModified) {
      return NOT_MODIFIED;
    }
    if (answer instanceof GetAnswer.Patches) {
      return PATCH_ONLY;
    }
    return answer instanceof GetAnswer.Single ? null : FULL;
  }

  /** The lower-case name used as a metric label and in the access log. */
  public String label() {
    return label;
  }
}
