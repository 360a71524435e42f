package dev.flightcache.it;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made fresh per test, as PEM files: a self-signed one for 127.0.0.1 and localhost,
 * or an {@link Authority} that signs a server certificate and client certificates.
 */
final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** @param keyFile the private key, PKCS#8 PEM, as the server's tls-key-file takes it */
  record Pem(Path certFile, Path keyFile) {}

  private TestCertificates() {}

  /** A self-signed certificate for 127.0.0.1 and localhost: {@code cert.pem} and {@code key.pem} in {@code dir}. */
  static Pem selfSigned(Path dir) throws Exception {
    KeyPair keys = newKeys();
    X500Name subject = new X500Name("CN=flight-cache test");
    Pem pem = new Pem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    write(pem, sign(certificate(subject, subject, keys, true, true), keys), keys);
    return pem;
  }

  /** A certificate authority with its own key; its certificate is {@link #caFile()}. */
  static final class Authority {
    private final Path dir;
    private final X500Name name;
    private final KeyPair keys = newKeys();
    private final Path caFile;

    Authority(Path dir, String commonName) throws Exception {
      this.dir = Files.createDirectories(dir);
      this.name = new X500Name("CN=" + commonName);
      this.caFile = dir.resolve("ca.pem");
      writeObject(caFile, sign(certificate(name, name, keys, true, false), keys));
    }

    Path caFile() {
      return caFile;
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    Pem server() throws Exception {
      return issue("server", "CN=flight-cache test server", true);
    }

    /** A client certificate with this subject, such as {@code CN=exec-7,O=team-a}. */
    Pem client(String fileName, String subject) throws Exception {
      return issue(fileName, subject, false);
    }

    private Pem issue(String fileName, String subject, boolean server) throws Exception {
      KeyPair leaf = newKeys();
      Pem pem = new Pem(dir.resolve(fileName + "-cert.pem"), dir.resolve(fileName + "-key.pem"));
      write(pem, sign(certificate(name, rfc2253(subject), leaf, false, server), keys), leaf);
      return pem;
    }
  }

  /**
   * The name whose RFC 2253 form is {@code subject}, as the server prints a certificate's subject
   * and as {@code cert:} lines name it. (Bouncy Castle's own parser keeps the written order,
   * which RFC 2253 prints reversed.)
   */
  private static X500Name rfc2253(String subject) {
    return X500Name.getInstance(new X500Principal(subject).getEncoded());
  }

  private static JcaX509v3CertificateBuilder certificate(
      X500Name issuer, X500Name subject, KeyPair subjectKeys, boolean authority, boolean forLoopback) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject, subjectKeys.getPublic());
    if (forLoopback) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
    return builder;
  }

  private static Object sign(JcaX509v3CertificateBuilder builder, KeyPair issuerKeys) throws Exception {
    return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate()));
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has EC keys", e);
    }
  }

  private static void write(Pem pem, Object certificate, KeyPair keys) throws Exception {
    writeObject(pem.certFile(), certificate);
    writeObject(pem.keyFile(), new JcaPKCS8Generator(keys.getPrivate(), null));
  }

  private static void writeObject(Path file, Object pemObject) throws Exception {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(pemObject);
    }
  }
}
