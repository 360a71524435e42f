package dev.flightcache.server;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made fresh per test, and the PEM files it signs: a server certificate
 * for 127.0.0.1 and localhost, and client certificates with a chosen subject.
 */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate and its PKCS#8 key, as the server's tls-cert-file and tls-key-file take them. */
  record Pem(Path certFile, Path keyFile) {}

  private final Path dir;
  private final X500Name name;
  private final KeyPair keys;
  final Path caFile;

  private TestPki(Path dir, String subject) throws Exception {
    this.dir = dir;
    this.name = rfc2253(subject);
    this.keys = newKeys();
    this.caFile = dir.resolve("ca.pem");
    Files.createDirectories(dir);
    JcaX509v3CertificateBuilder builder = builder(name, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    write(caFile, sign(builder, keys.getPrivate()));
  }

  /** A new CA under {@code dir}, with the subject {@code CN=<name>}. */
  static TestPki create(Path dir, String name) throws Exception {
    return new TestPki(dir, "CN=" + name);
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
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        name, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(1, ChronoUnit.HOURS)),
        Date.from(Instant.now().plus(1, ChronoUnit.DAYS)), rfc2253(subject), leaf.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    if (server) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    Pem pem = new Pem(dir.resolve(fileName + "-cert.pem"), dir.resolve(fileName + "-key.pem"));
    write(pem.certFile(), sign(builder, keys.getPrivate()));
    write(pem.keyFile(), new JcaPKCS8Generator(leaf.getPrivate(), null));
    return pem;
  }

  /** The subject as RFC 2253 reads it (most significant last), which BouncyCastle's X500Name(String) does not. */
  private static X500Name rfc2253(String subject) {
    return X500Name.getInstance(new javax.security.auth.x500.X500Principal(subject).getEncoded());
  }

  private static JcaX509v3CertificateBuilder builder(X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject, keys.getPublic());
  }

  private static X509CertificateHolder sign(JcaX509v3CertificateBuilder builder, PrivateKey issuerKey) throws Exception {
    return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
  }

  private static KeyPair newKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static void write(Path file, Object pemObject) throws Exception {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(pemObject);
    }
  }
}
