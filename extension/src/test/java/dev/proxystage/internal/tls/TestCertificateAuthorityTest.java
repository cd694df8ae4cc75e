package dev.proxystage.internal.tls;

import dev.proxystage.internal.files.RunDirectory;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TestCertificateAuthorityTest {

    private TestCertificateAuthority ca;

    @BeforeEach
    void createCa() {
        ca = TestCertificateAuthority.create("run-42");
    }

    @AfterEach
    void closeCa() {
        ca.close();
    }

    @Test
    void caCertificateIsASelfSignedCaNamedAfterTheRun() throws Exception {
        X509Certificate cert = ca.caCertificate();

        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=ProxyStage test CA run-42");
        assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        cert.verify(cert.getPublicKey());
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void validityIsShortAndBackdated() {
        Instant now = Instant.now();
        X509Certificate cert = ca.caCertificate();

        assertThat(cert.getNotBefore().toInstant()).isBefore(now.minus(Duration.ofMinutes(30)));
        assertThat(cert.getNotAfter().toInstant())
                .isAfter(now.plus(Duration.ofHours(23)))
                .isBefore(now.plus(Duration.ofDays(2)));
    }

    @Test
    void caPemParsesAsTheCaCertificate() throws Exception {
        Path pem = ca.caCertificatePem();

        assertThat(pem.getFileName().toString()).isEqualTo("ca.pem");
        assertThat(pem.getParent()).isEqualTo(ca.directory());
        assertThat(parseCertificates(pem)).containsExactly(ca.caCertificate());
        assertThat(Files.readString(pem)).doesNotContain("PRIVATE KEY");
    }

    @Test
    void directoryIsPrivate() throws Exception {
        assumeTrue(PemFiles.posix(), "POSIX file permissions");

        assertThat(ca.directory().getFileName().toString()).startsWith("proxystage-pki-" + ProcessHandle.current().pid() + "-");
        assertThat(Files.getPosixFilePermissions(ca.directory())).isEqualTo(PemFiles.OWNER_ONLY_DIRECTORY);
        // In this user's run directory, not in a temporary directory that every user may write.
        RunDirectory.Decision run = RunDirectory.current();
        assertThat(run.usable()).as(run.toString()).isTrue();
        assertThat(ca.directory().getParent()).isEqualTo(run.path());
        assertThat(Files.getPosixFilePermissions(run.path())).isEqualTo(PemFiles.OWNER_ONLY_DIRECTORY);
    }

    @Test
    void caKeyIsNotOnDiskByDefault() throws Exception {
        LeafCertificate leaf = ca.issue(List.of("vw.example.com"));
        leaf.writeTo(ca.directory().resolve("vw.crt"), ca.directory().resolve("vw.key"));
        String caKeyBase64 = base64Body(ca.ca().privateKeyPkcs8Pem());

        try (Stream<Path> files = Files.walk(ca.directory())) {
            List<Path> regularFiles = files.filter(Files::isRegularFile).toList();
            assertThat(regularFiles).extracting(file -> file.getFileName().toString())
                    .containsExactlyInAnyOrder("ca.pem", "vw.crt", "vw.key");
            for (Path file : regularFiles) {
                String content = Files.readString(file).replaceAll("\\s", "");
                assertThat(content).as(file.toString()).doesNotContain(caKeyBase64);
            }
        }
    }

    @Test
    void writeCaKeyWritesTheMatchingKeyOwnerOnly() throws Exception {
        Path keyFile = ca.writeCaKey();

        assertThat(keyFile).isEqualTo(ca.directory().resolve("ca-key.pem"));
        String pem = Files.readString(keyFile);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        HeldCertificate decoded = HeldCertificate.decode(Files.readString(ca.caCertificatePem()) + pem);
        assertThat(decoded.keyPair().getPrivate()).isEqualTo(ca.ca().keyPair().getPrivate());
        if (PemFiles.posix()) {
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PemFiles.PRIVATE);
        }
    }

    @Test
    void leafIsSignedByTheCaAndCarriesTheSans() throws Exception {
        LeafCertificate leaf = ca.issue(List.of("vw.example.com", "*.example.com", "127.0.0.1", "::1"));
        X509Certificate cert = leaf.certificate();

        cert.verify(ca.caCertificate().getPublicKey());
        assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.caCertificate().getSubjectX500Principal());
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "vw.example.com"), List.of(2, "*.example.com"),
                List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(leaf.subjectAlternativeNames())
                .containsExactly("vw.example.com", "*.example.com", "127.0.0.1", "::1");
        // And the whole chain passes PKIX validation against this CA alone.
        ca.clientTrust().trustManager().checkServerTrusted(
                new X509Certificate[] {cert, ca.caCertificate()}, "ECDHE_ECDSA");
    }

    @Test
    void leafIsNotSignedByAnotherRunsCa() {
        LeafCertificate leaf = ca.issue(List.of("vw.example.com"));
        try (TestCertificateAuthority other = TestCertificateAuthority.create("other")) {
            assertThatThrownBy(() -> leaf.certificate().verify(other.caCertificate().getPublicKey()))
                    .isInstanceOf(SignatureException.class);
            assertThatThrownBy(() -> other.clientTrust().trustManager().checkServerTrusted(
                    new X509Certificate[] {leaf.certificate(), ca.caCertificate()}, "ECDHE_ECDSA"))
                    .isInstanceOf(CertificateException.class);
        }
    }

    @Test
    void leavesGetDistinctSerialNumbers() {
        LeafCertificate a = ca.issue(List.of("a.example.com"));
        LeafCertificate b = ca.issue(List.of("b.example.com"));

        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(ca.caCertificate().getSerialNumber());
    }

    @Test
    void issueForServerNamesAppliesTheServerNameRules() throws Exception {
        LeafCertificate leaf = ca.issueForServerNames(
                List.of("vw.*", "~^(?<app>.+)\\.example\\.com$"),
                Map.of("~^(?<app>.+)\\.example\\.com$", "vw.example.com"));

        assertThat(leaf.certificate().getSubjectAlternativeNames()).containsExactly(
                List.of(2, "vw.proxystage.test"), List.of(2, "vw.example.com"));
    }

    @Test
    void rawNginxNamesAreNotCertificateNames() {
        for (String name : List.of("vw.*", "~^vw\\.", "_", "")) {
            assertThatThrownBy(() -> ca.issue(List.of(name)))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ServerNames");
        }
    }

    @Test
    void leafWithoutSansIsStillIssuedForCatchAllServers() throws Exception {
        LeafCertificate leaf = ca.issue(List.of());

        leaf.certificate().verify(ca.caCertificate().getPublicKey());
        assertThat(leaf.certificate().getSubjectAlternativeNames()).isNull();
    }

    @Test
    void writeToWritesChainAndPkcs8KeyWithOwnerOnlyKey(@TempDir Path dir) throws Exception {
        LeafCertificate leaf = ca.issue(List.of("vw.example.com"));
        Path certFile = dir.resolve("etc/nginx/certs/vw.crt");
        Path keyFile = dir.resolve("etc/nginx/certs/vw.key");

        leaf.writeTo(certFile, keyFile);

        assertThat(parseCertificates(certFile)).containsExactly(leaf.certificate(), ca.caCertificate());
        String keyPem = Files.readString(keyFile);
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n").contains("-----END PRIVATE KEY-----");
        PrivateKey key = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(base64Body(keyPem))));
        // The key on disk is the one that belongs to the certificate.
        byte[] data = "proxystage".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.certificate().getPublicKey());
        verifier.update(data);
        assertThat(verifier.verify(signature)).isTrue();

        if (PemFiles.posix()) {
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PemFiles.PRIVATE);
            assertThat(Files.getPosixFilePermissions(certFile)).isEqualTo(PemFiles.PUBLIC);
        }
    }

    @Test
    void writeToTightensAnExistingWorldReadableKeyFile(@TempDir Path dir) throws Exception {
        assumeTrue(PemFiles.posix(), "POSIX file permissions");
        Path keyFile = dir.resolve("vw.key");
        Files.writeString(keyFile, "old");
        Files.setPosixFilePermissions(keyFile, PemFiles.PUBLIC);

        ca.issue(List.of("vw.example.com")).writeTo(dir.resolve("vw.crt"), keyFile);

        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PemFiles.PRIVATE);
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void toStringNeverShowsTheKey() {
        LeafCertificate leaf = ca.issue(List.of("vw.example.com"));

        assertThat(leaf.toString()).contains("vw.example.com").doesNotContain("PRIVATE");
    }

    @Test
    void closeDeletesTheDirectoryWithEverythingInIt() throws Exception {
        Path dir = ca.directory();
        ca.writeCaKey();
        ca.issue(List.of("vw.example.com")).writeTo(dir.resolve("certs/vw.crt"), dir.resolve("certs/vw.key"));

        ca.close();

        assertThat(dir).doesNotExist();
        ca.close(); // idempotent
        assertThatThrownBy(() -> ca.issue(List.of("vw.example.com"))).isInstanceOf(IllegalStateException.class);
    }

    private static List<Certificate> parseCertificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private static String base64Body(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }
}
