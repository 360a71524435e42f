package dev.flightcache.server.auth;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.apache.arrow.flight.FlightConstants;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.grpc.RequestContextAdapter;
import org.apache.arrow.flight.grpc.ServerInterceptorAdapter;

/**
 * With mutual TLS, settles who a Flight call without a bearer token is from the client
 * certificate the TLS handshake verified. Flight's middleware sees headers only, so this gRPC
 * interceptor reads the certificate from the call's TLS session. Arrow installs its middleware as
 * the outermost interceptor, so this one runs right after {@link AuthMiddleware}, inside the
 * call's middleware context and before the producer. Other services (gRPC health) pass through.
 */
public final class ClientCertificateInterceptor implements ServerInterceptor {
  private final Authenticator authenticator;

  public ClientCertificateInterceptor(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!FlightConstants.SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Map<FlightServerMiddleware.Key<?>, FlightServerMiddleware> middleware = ServerInterceptorAdapter.SERVER_MIDDLEWARE_KEY.get();
    AuthMiddleware auth = middleware == null ? null : (AuthMiddleware) middleware.get(AuthMiddleware.KEY);
    if (auth == null) {
      return refuse(call);
    }
    if (auth.principal() == null) {
      X500Principal subject = verifiedSubject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      if (subject == null) {
        return refuse(call);
      }
      try {
        auth.settle(authenticator.certificate(subject));
      } catch (FlightRuntimeException e) {
        return refuse(call);
      }
      RequestContextAdapter.REQUEST_CONTEXT_KEY.get().put(Auth2Constants.PEER_IDENTITY_KEY, auth.principal().name());
    }
    return next.startCall(call, headers);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call) {
    call.close(Status.UNAUTHENTICATED.withDescription(Authenticator.REJECTED), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The subject of the peer's certificate, which the handshake verified against the client CA. */
  private static X500Principal verifiedSubject(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509.getSubjectX500Principal() : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
