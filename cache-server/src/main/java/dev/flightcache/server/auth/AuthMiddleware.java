package dev.flightcache.server.auth;

import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;
import org.apache.arrow.flight.auth2.Auth2Constants;

/**
 * Authenticates every Flight call as it starts and keeps its {@link Principal} for the producer.
 *
 * <p>Arrow's {@code FlightServer.Builder.headerAuthenticator} would run the same {@link
 * Authenticator}, but its middleware keeps the result private and the producer sees only a peer
 * identity string; this middleware runs the authenticator itself so the producer gets the
 * principal and its grants. It also sets the peer identity, so {@link CallContext#peerIdentity()}
 * names the caller. A caller without a bearer token on a mutual-TLS server is settled by {@link
 * ClientCertificateInterceptor} right after, before the call reaches the producer.
 */
public final class AuthMiddleware implements FlightServerMiddleware {
  public static final Key<AuthMiddleware> KEY = Key.of("flight-cache-auth");

  private volatile Principal principal;

  private AuthMiddleware(Principal principal) {
    this.principal = principal;
  }

  /** The authenticated caller, or null while the client certificate is still to be checked. */
  Principal principal() {
    return principal;
  }

  /** The client certificate settled who the caller is. */
  void settle(Principal certified) {
    this.principal = certified;
  }

  /**
   * The caller of a Flight call: its principal when authentication is on, {@link
   * Principal#ANONYMOUS} when {@code auth} does not require it.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED if authentication is
   *     required and the call has no authenticated principal
   */
  public static Principal caller(CallContext context, Authenticator auth) {
    if (!auth.required()) {
      return Principal.ANONYMOUS;
    }
    AuthMiddleware middleware = context.getMiddleware(KEY);
    Principal principal = middleware == null ? null : middleware.principal();
    if (principal == null) {
      throw Authenticator.rejected("call reached the producer without a principal");
    }
    return principal;
  }

  @Override
  public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

  @Override
  public void onCallCompleted(CallStatus status) {}

  @Override
  public void onCallErrored(Throwable err) {}

  /** Runs the authenticator on each call's headers; a failure ends the call UNAUTHENTICATED. */
  public static final class Factory implements FlightServerMiddleware.Factory<AuthMiddleware> {
    private final Authenticator authenticator;

    public Factory(Authenticator authenticator) {
      this.authenticator = authenticator;
    }

    @Override
    public AuthMiddleware onCallStarted(CallInfo info, CallHeaders headers, RequestContext context) {
      Authenticator.Caller caller = authenticator.authenticate(headers);
      if (caller.principal() != null) {
        context.put(Auth2Constants.PEER_IDENTITY_KEY, caller.getPeerIdentity());
      }
      return new AuthMiddleware(caller.principal());
    }
  }
}
