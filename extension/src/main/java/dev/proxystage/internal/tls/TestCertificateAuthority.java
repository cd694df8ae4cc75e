package dev.proxystage.internal.tls;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.files.PathFacts;
import dev.proxystage.internal.files.RunDirectory;
import dev.proxystage.internal.files.UserFiles;
import java.util.regex.Pattern;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A certificate authority that lives for one test run: it issues the server certificates nginx presents, and the
 * test HTTP client trusts it and nothing else.
 *
 * <p>It owns a private directory (0700 on POSIX) in this user's {@link RunDirectory} holding {@code ca.pem}, the CA certificate. The CA's
 * private key stays in memory unless {@link #writeCaKey()} is called, so a leftover directory never holds a key
 * that could sign certificates. {@link #close()} deletes the directory.
 *
 * <p>Certificates are ECDSA P-256, valid from {@link #BACKDATING} before creation for {@link #VALIDITY}; leaves
 * share the CA's validity window.
 */
public final class TestCertificateAuthority implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TestCertificateAuthority.class);

    /** How long the CA and its certificates are valid: longer than any test run. */
    public static final Duration VALIDITY = Duration.ofDays(1);

    /** How far before creation certificates become valid, for clock skew between the JVM and containers. */
    public static final Duration BACKDATING = Duration.ofHours(1);

    static final String CA_CERTIFICATE_FILE = "ca.pem";
    static final String CA_KEY_FILE = "ca-key.pem";

    // X.509 caps a common name at 64 characters.
    private static final int MAX_COMMON_NAME = 64;

    private final HeldCertificate ca;
    private final Path directory;
    private final Path caCertificatePem;
    private final HandshakeCertificates clientTrust;
    private final long notBeforeMillis;
    private final long notAfterMillis;
    private final SecureRandom random = new SecureRandom();
    private boolean closed;

    private TestCertificateAuthority(HeldCertificate ca, Path directory, Path caCertificatePem,
                                     long notBeforeMillis, long notAfterMillis) {
        this.ca = ca;
        this.directory = directory;
        this.caCertificatePem = caCertificatePem;
        this.notBeforeMillis = notBeforeMillis;
        this.notAfterMillis = notAfterMillis;
        // Only this run's CA: no platform roots, so a certificate from anywhere else fails the handshake.
        this.clientTrust = new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build();
    }

    /**
     * Creates a CA named {@code "ProxyStage test CA <runId>"} and writes its certificate to a new private directory in
     * this user's {@link RunDirectory}.
     *
     * @throws ProxyStageException if the directory or {@code ca.pem} cannot be written
     */
    public static TestCertificateAuthority create(String runId) {
        Objects.requireNonNull(runId, "runId");
        Instant now = Instant.now();
        long notBefore = now.minus(BACKDATING).toEpochMilli();
        long notAfter = now.plus(VALIDITY).toEpochMilli();
        SecureRandom random = new SecureRandom();
        HeldCertificate ca = new HeldCertificate.Builder()
                .certificateAuthority(0)
                .commonName(commonName("ProxyStage test CA " + runId))
                .organizationalUnit("ProxyStage")
                .serialNumber(serialNumber(random))
                .validityInterval(notBefore, notAfter)
                .build();
        Path directory = createPrivateDirectory();
        Path caPem = directory.resolve(CA_CERTIFICATE_FILE);
        try {
            PemFiles.writePublic(caPem, ca.certificatePem());
        } catch (RuntimeException e) {
            deleteRecursively(directory);
            throw e;
        }
        return new TestCertificateAuthority(ca, directory, caPem, notBefore, notAfter);
    }

    /** The CA certificate and its in-memory key pair. */
    public HeldCertificate ca() {
        return ca;
    }

    /** The CA certificate. */
    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** {@code ca.pem}: the CA certificate in PEM, for clients outside the JVM (curl --cacert, a browser). */
    public Path caCertificatePem() {
        ensureOpen();
        return caCertificatePem;
    }

    /** The private directory this CA owns; files written here are deleted by {@link #close()}. */
    public Path directory() {
        ensureOpen();
        return directory;
    }

    /** Trust material for a client that trusts this CA and nothing else; use with OkHttp's sslSocketFactory. */
    public HandshakeCertificates clientTrust() {
        return clientTrust;
    }

    /**
     * Issues a server certificate for exactly these subject alternative names: host names, {@code *.}-wildcards and
     * IP addresses, as {@link ServerNames#subjectAlternativeNames} produces them. An empty list gives a certificate
     * no client will accept for any host, which is still what nginx needs for a {@code server_name _;} block.
     *
     * @throws IllegalArgumentException if a name cannot go into a certificate (e.g. a raw {@code vw.*} or regex)
     */
    public LeafCertificate issue(List<String> subjectAlternativeNames) {
        ensureOpen();
        List<String> sans = new ArrayList<>();
        for (String name : subjectAlternativeNames) {
            String san = ServerNames.certificateName(name).orElseThrow(() -> new IllegalArgumentException(
                    "not a certificate name: \"" + name + "\"; convert nginx server_name values with ServerNames"));
            if (!sans.contains(san)) {
                sans.add(san);
            }
        }
        HeldCertificate.Builder builder = new HeldCertificate.Builder()
                .commonName(commonName(sans.isEmpty() ? "ProxyStage test server" : sans.get(0)))
                .organizationalUnit("ProxyStage")
                .serialNumber(nextSerialNumber())
                .validityInterval(notBeforeMillis, notAfterMillis)
                .signedBy(ca);
        sans.forEach(builder::addSubjectAlternativeName);
        return new LeafCertificate(builder.build(), ca.certificate(), sans);
    }

    /**
     * Issues the certificate for a server block with these nginx {@code server_name} values.
     *
     * @param testNames {@code pipeline.yml} {@code tls.testNames}: concrete hosts for values that need one
     * @throws ServerNameException if a value cannot be resolved; see {@link ServerNames}
     */
    public LeafCertificate issueForServerNames(List<String> serverNames, Map<String, String> testNames) {
        return issue(ServerNames.subjectAlternativeNames(serverNames, testNames));
    }

    /**
     * Writes the CA's private key to {@code ca-key.pem} (PKCS#8, 0600 on POSIX) in this CA's directory, for tools
     * that must sign certificates themselves. Off by default: the key is the one secret of the run.
     */
    public synchronized Path writeCaKey() {
        ensureOpen();
        Path keyFile = directory.resolve(CA_KEY_FILE);
        PemFiles.writePrivate(keyFile, ca.privateKeyPkcs8Pem());
        return keyFile;
    }

    /**
     * Deletes this CA's directory with everything in it. Calling it again does nothing.
     *
     * @throws ProxyStageException if the directory cannot be deleted
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return "TestCertificateAuthority[" + ca.certificate().getSubjectX500Principal().getName() + ", " + directory
                + "]";
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("test CA is closed; its directory " + directory + " is gone");
        }
    }

    private synchronized BigInteger nextSerialNumber() {
        return serialNumber(random);
    }

    // Random serials: clients reject two certificates from one issuer with the same serial.
    private static BigInteger serialNumber(SecureRandom random) {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static String commonName(String name) {
        return name.length() <= MAX_COMMON_NAME ? name : name.substring(0, MAX_COMMON_NAME);
    }

    /** Directory names carry the owning JVM's pid, so a later run can remove those of JVMs that were killed. */
    private static final String PREFIX = "proxystage-pki-";
    // At most 18 digits: any such number is a long, so no name makes the sweep fail.
    private static final Pattern OWNED = Pattern.compile(PREFIX + "(\\d{1,18})-.*");

    private static Path createPrivateDirectory() {
        String prefix = PREFIX + ProcessHandle.current().pid() + "-";
        RunDirectory.Decision run = RunDirectory.open();
        run.problem().ifPresent(why -> LOG.warn("{}; this run's test CA goes to a fresh private directory in {} instead",
                why, run.tmp()));
        try {
            return PemFiles.posix()
                    ? Files.createTempDirectory(run.caParent(), prefix,
                            PosixFilePermissions.asFileAttribute(PemFiles.OWNER_ONLY_DIRECTORY))
                    : Files.createTempDirectory(run.caParent(), prefix);
        } catch (IOException e) {
            throw new ProxyStageException("cannot create a private directory for the test CA in " + run.caParent() + ": "
                    + e, e);
        }
    }

    /**
     * Deletes the CA directories of this user whose JVM is gone (killed before it could clean up; they hold only
     * {@code ca.pem}), in the run directory and in the temporary directory. See {@link #removeAbandoned(List, UserFiles)}.
     */
    public static List<Path> removeAbandoned() {
        return removeAbandoned(RunDirectory.current().sweepRoots(), UserFiles.system());
    }

    /**
     * Deletes the CA directories in {@code roots} whose JVM is gone. A pid that now belongs to another program counts
     * as gone. Only directories of this user that no one else may write are deleted, never through a symbolic link
     * ({@link UserFiles#deleteTree}); anything else, and a name that carries no pid, is left alone and never ends the
     * sweep.
     *
     * @return the directories deleted
     */
    public static List<Path> removeAbandoned(List<Path> roots, UserFiles files) {
        List<Path> removed = new ArrayList<>();
        for (Path root : roots) {
            try (var dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
                for (Path dir : dirs) {
                    try {
                        var owner = OWNED.matcher(dir.getFileName().toString());
                        if (!owner.matches() || liveJvm(Long.parseLong(owner.group(1)))
                                || files.refusal(dir, PathFacts.Type.DIRECTORY).isPresent()) {
                            continue;
                        }
                        files.deleteTree(dir);
                        removed.add(dir);
                    } catch (IOException | RuntimeException e) {
                        // this one only: the next directory is judged on its own
                        LOG.debug("left {}: {}", dir, e.getMessage());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a root that is missing or cannot be listed holds nothing to clean
            }
        }
        return removed;
    }

    private static boolean liveJvm(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().command().map(command -> command.endsWith("java")).orElse(true))
                .orElse(false);
    }

    private static void deleteRecursively(Path directory) {
        try {
            UserFiles.system().deleteTree(directory);
        } catch (IOException e) {
            throw new ProxyStageException("cannot delete the test CA directory " + directory + ": " + e.getMessage(), e);
        }
    }
}
