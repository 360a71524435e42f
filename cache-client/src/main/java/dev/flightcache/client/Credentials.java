package dev.flightcache.client;

import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;

/**
 * Where the {@code authorization: Bearer <token>} header of every call comes from. Thread-safe.
 * {@link #callOption()} runs on every call, so it does no file I/O beyond a rare stat. No method
 * returns or prints the token.
 */
interface Credentials {
  /** No header: for servers without authentication, or callers identified by a client certificate. */
  Credentials NONE = new Credentials() {
    @Override
    public CallOption callOption() {
      return null;
    }

    @Override
    public String toString() {
      return "none";
    }
  };

  /** The option that adds the header to a call, or null to add none. */
  CallOption callOption();

  /** What kind of credentials these are, safe to print: never the token. */
  @Override
  String toString();

  /** A token fixed for the client's life. */
  static Credentials fixed(String token) {
    CallOption option = optionFor(token);
    return new Credentials() {
      @Override
      public CallOption callOption() {
        return option;
      }

      @Override
      public String toString() {
        return "bearer token";
      }
    };
  }

  /**
   * Why {@code token} cannot be sent in a header, or null if it can. The reason never quotes the
   * token.
   */
  static String problem(String token) {
    if (token.isEmpty()) {
      return "is empty";
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return "must be printable ASCII without spaces";
      }
    }
    return null;
  }

  /** Flight's standard bearer header; built once per token, not per call. */
  static CallOption optionFor(String token) {
    return new CredentialCallOption(new BearerCredentialWriter(token));
  }
}
