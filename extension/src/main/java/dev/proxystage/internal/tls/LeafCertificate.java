package dev.proxystage.internal.tls;

import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A server certificate issued by a {@link TestCertificateAuthority}, with its private key.
 *
 * @param held                    the certificate and its key pair
 * @param issuer                  the certificate of the CA that signed it
 * @param subjectAlternativeNames the DNS names and IP addresses it is valid for, as issued
 */
public record LeafCertificate(HeldCertificate held, X509Certificate issuer, List<String> subjectAlternativeNames) {

    public LeafCertificate {
        Objects.requireNonNull(held, "held");
        Objects.requireNonNull(issuer, "issuer");
        subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
    }

    /** The leaf certificate alone. */
    public X509Certificate certificate() {
        return held.certificate();
    }

    /**
     * The chain for nginx's {@code ssl_certificate}: the leaf, then the CA. Sending the CA costs nothing and lets
     * clients that only know the CA by name build the chain.
     */
    public String certificatePem() {
        return held.certificatePem() + Certificates.certificatePem(issuer);
    }

    /** The private key as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), which nginx reads for RSA and EC keys. */
    public String privateKeyPem() {
        return held.privateKeyPkcs8Pem();
    }

    /** Key material for an in-JVM TLS server presenting this certificate and its chain. */
    public HandshakeCertificates serverCertificates() {
        return new HandshakeCertificates.Builder().heldCertificate(held, issuer).build();
    }

    /**
     * Writes {@link #certificatePem()} to {@code certificateFile} (0644) and {@link #privateKeyPem()} to
     * {@code keyFile} (0600 on POSIX file systems), creating parent directories and replacing existing files.
     */
    public void writeTo(Path certificateFile, Path keyFile) {
        Objects.requireNonNull(certificateFile, "certificateFile");
        Objects.requireNonNull(keyFile, "keyFile");
        PemFiles.writePublic(certificateFile, certificatePem());
        PemFiles.writePrivate(keyFile, privateKeyPem());
    }

    @Override
    public String toString() {
        // Never the key.
        return "LeafCertificate" + subjectAlternativeNames;
    }
}
