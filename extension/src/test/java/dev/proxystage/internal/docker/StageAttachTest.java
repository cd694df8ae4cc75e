package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.files.Planted;
import dev.proxystage.internal.files.UserFiles;
import dev.proxystage.internal.plan.Fingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which published stages a test JVM may attach to, judged from their labels alone. */
class StageAttachTest {

    private static final Fingerprint WANTED = new Fingerprint("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");

    @TempDir
    Path caDirectory;

    private final Map<String, String> labels = new HashMap<>();

    @BeforeEach
    void aLiveUpOfThisHost() throws Exception {
        Path caPem = Files.writeString(caDirectory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        labels.put(Labels.RUN, "1a2b3c4d");
        labels.put(Labels.HOST, Labels.hostName());
        labels.put(Labels.PID, Long.toString(ProcessHandle.current().pid()));
        labels.put(Labels.FINGERPRINT, WANTED.value());
        labels.put(Labels.CA, caPem.toString());
    }

    @Test
    void aMatchingLiveStageOfThisHostIsAttachedTo() {
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system())).isEmpty();
    }

    @Test
    void anotherHostsRunIsNeverUsed() {
        labels.put(Labels.HOST, "elsewhere");
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system()))
                .hasValueSatisfying(why -> assertThat(why).startsWith("it is not a run of this host (pid "));
    }

    @Test
    void aStageWhoseUpIsGoneIsNotUsed() {
        labels.put(Labels.PID, "999999999");
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system()))
                .hasValueSatisfying(why -> assertThat(why).isEqualTo("the 'up' that started it is gone (pid 999999999 gone)"));
    }

    @Test
    void withoutItsCaCertificateTheStageCannotBeTrusted() throws Exception {
        Files.delete(caDirectory.resolve("ca.pem"));
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system()))
                .hasValueSatisfying(why -> assertThat(why).startsWith("its CA certificate ").endsWith(" is gone"));
    }

    @Test
    void theCurrentFingerprintBesideTheCaWinsOverTheLabel() {
        Fingerprint reloaded = new Fingerprint(WANTED.definition(), "cccccccccccccccc");
        reloaded.writeTo(caDirectory);
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system())).hasValueSatisfying(why -> assertThat(why)
                .isEqualTo("its conf.d differs (fingerprint " + reloaded.value() + ", wanted " + WANTED.value() + ")"));
        assertThat(StageAttach.refusal(labels, Labels.hostName(), reloaded, UserFiles.system())).isEmpty();
    }

    @Test
    void aCaThatIsNotThisUsersOwnIsNotTrusted() throws Exception {
        Path caPem = caDirectory.resolve("ca.pem");
        Planted.byAnotherUser(caPem);
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system())).hasValue(
                "its CA certificate is not to be trusted: " + caPem + " is owned by nobody (uid 65534), not by this user (uid 0)");

        Files.setAttribute(caPem, "unix:uid", 0);
        Files.setPosixFilePermissions(caDirectory, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(StageAttach.refusal(labels, Labels.hostName(), WANTED, UserFiles.system())).hasValueSatisfying(why ->
                assertThat(why).startsWith("its CA certificate is not to be trusted: " + caDirectory + " is writable by others"));
    }
}
