package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.LoadSources;
import dev.proxystage.internal.files.UserFiles;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record a published stage keeps for attaching test JVMs: what it holds, and when a JVM may use it. */
class StageRecordTest {

    private static final Fingerprint WANTED = new Fingerprint("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
    private static final String ENGINE = "unix:///var/run/docker.sock";
    private static final Instant STARTED = Instant.parse("2026-12-01T10:00:00.123Z");
    private static final LongFunction<Optional<Instant>> SAME_START = pid -> Optional.of(STARTED);

    @TempDir
    Path tmp;

    private Path directory;
    private StageRecord record;

    @BeforeEach
    void aPublishedStage() throws Exception {
        directory = caDirectory("proxystage-pki-1-1");
        Files.setPosixFilePermissions(Files.writeString(directory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"),
                PosixFilePermissions.fromString("rw-r--r--"));
        WANTED.writeTo(directory);
        record = record("prep", STARTED);
        record.writeTo(directory);
    }

    /** A CA directory as the run makes it, whatever the umask: this user's, 0700. */
    private Path caDirectory(String name) throws IOException {
        return Files.createDirectory(tmp.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static StageRecord record(String stage, Instant started) {
        return new StageRecord(ENGINE, "127.0.0.1", Labels.hostName(), ProcessHandle.current().pid(), Optional.of(started),
                "1a2b3c4d", stage, "nginx-rp-network-" + stage + "-1a2b3c4d", "nginx-rp-" + stage + "-1a2b3c4d",
                "proxystage/nginx:offline", Map.of(80, 32777, 443, 32776),
                List.of(new StageRecord.Backend("vaultwarden", "vaultwarden-" + stage + "-1a2b3c4d", "proxystage/jre:17-offline",
                                Optional.of("172.22.0.2"), Optional.of("http://172.22.0.2:80"), Optional.of("vaultwarden-" + stage + "-1a2b3c4d")),
                        new StageRecord.Backend("admin", "admin-" + stage + "-1a2b3c4d", "proxystage/jre:17-offline",
                                Optional.empty(), Optional.empty(), Optional.empty())),
                Optional.of(new AttachInputs(new LoadSources("0123456789abcdef0123456789abcdef",
                        List.of(Path.of("/p/pipeline.yml"), Path.of("/p/pipeline-offline.yml")), List.of("VW_TOKEN")),
                        Path.of("/p/conf.d"), Map.of("/etc/nginx/snippets", Path.of("/p/a,b=c")), Optional.of(Path.of("/p/nginx.conf")),
                        List.of(Path.of("/p/extra.pem")))));
    }

    private Optional<String> refusal(StageRecord r) {
        return r.refusal(directory, ENGINE, Labels.hostName(), Ownership.ProcessTable.SYSTEM, SAME_START, WANTED);
    }

    @Test
    void whatIsWrittenIsReadBackWhole() {
        assertThat(StageRecord.read(directory.resolve(StageRecord.FILE))).isEqualTo(record);
        assertThat(record.inputs()).isPresent();
    }

    @Test
    void theStartIsKeptExactlyAndAnOlderRecordsIsoStartIsRead() throws Exception {
        Path file = directory.resolve(StageRecord.FILE);
        assertThat(Files.readString(file)).contains("started=" + STARTED.getEpochSecond() + ".123000000");
        Files.writeString(file, Files.readString(file).replaceAll("(?m)^started=.*$", "started=2026-12-01T10\\\\:00\\\\:00.123Z"));
        assertThat(StageRecord.read(file).started()).contains(STARTED);
    }

    @Test
    void aRecordWithoutInputsOrWithHalfOfThemIsReadWithoutThem() throws Exception {
        new StageRecord(record.engine(), record.publishedHost(), record.host(), record.pid(), record.started(), record.runId(),
                record.stage(), record.network(), record.nginx(), record.nginxImage(), record.nginxPorts(), record.backends(),
                Optional.empty()).writeTo(directory);
        assertThat(StageRecord.read(directory.resolve(StageRecord.FILE)).inputs()).isEmpty();
        record.writeTo(directory);
        Path file = directory.resolve(StageRecord.FILE);
        Files.writeString(file, Files.readString(file).replaceAll("(?m)^inputs\\.file\\.1=.*$", ""));
        assertThat(StageRecord.read(file).inputs()).as("a list shorter than its count").isEmpty();
    }

    @Test
    void aLiveUpOfThisHostOnThisEngineWithTheWantedFingerprintMayBeUsed() {
        assertThat(refusal(record)).isEmpty();
    }

    @Test
    void theWriterOfARecordOfThisProcessLivesAndADeadOneDoesNot() {
        StageRecord mine = new StageRecord(ENGINE, "127.0.0.1", Labels.hostName(), ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant(), "1a2b3c4d", "prep", record.network(), record.nginx(),
                record.nginxImage(), record.nginxPorts(), record.backends(), record.inputs());
        assertThat(mine.writerLives()).isTrue();
        StageRecord gone = new StageRecord(ENGINE, "127.0.0.1", Labels.hostName(), 999_999_999L, Optional.empty(), "1a2b3c4d",
                "prep", record.network(), record.nginx(), record.nginxImage(), record.nginxPorts(), record.backends(),
                record.inputs());
        assertThat(gone.writerLives()).isFalse();
        StageRecord restarted = new StageRecord(ENGINE, "127.0.0.1", Labels.hostName(), ProcessHandle.current().pid(),
                Optional.of(Instant.EPOCH), "1a2b3c4d", "prep", record.network(), record.nginx(), record.nginxImage(),
                record.nginxPorts(), record.backends(), record.inputs());
        assertThat(restarted.writerLives()).as("a live pid that started at another time").isFalse();
    }

    @Test
    void anotherEnginesStageIsNotUsed() {
        assertThat(record.refusal(directory, "tcp://10.0.0.5:2376", Labels.hostName(), Ownership.ProcessTable.SYSTEM,
                SAME_START, WANTED)).hasValue("it runs on the engine " + ENGINE + ", this JVM uses tcp://10.0.0.5:2376");
    }

    @Test
    void anotherHostsRunIsNeverUsed() {
        assertThat(record.refusal(directory, ENGINE, "elsewhere", Ownership.ProcessTable.SYSTEM, SAME_START, WANTED))
                .hasValueSatisfying(why -> assertThat(why).startsWith("it is not a run of this host (pid "));
    }

    @Test
    void aGoneOrReusedPidIsNotUsed() {
        Ownership.ProcessTable none = pid -> Ownership.Process.DEAD;
        assertThat(record.refusal(directory, ENGINE, Labels.hostName(), none, SAME_START, WANTED))
                .hasValueSatisfying(why -> assertThat(why).startsWith("the 'up' that started it is gone (pid "));
        // Alive, but a process that started at another time holds the pid now.
        assertThat(record.refusal(directory, ENGINE, Labels.hostName(), Ownership.ProcessTable.SYSTEM,
                pid -> Optional.of(STARTED.plusSeconds(60)), WANTED))
                .hasValueSatisfying(why -> assertThat(why).startsWith("the 'up' that started it is gone"));
    }

    @Test
    void withoutItsCaCertificateOrFingerprintTheRecordIsNotUsed() throws Exception {
        Files.delete(directory.resolve(Fingerprint.FILE));
        assertThat(refusal(record)).hasValue("it has no readable fingerprint");
        Files.delete(directory.resolve("ca.pem"));
        assertThat(refusal(record)).hasValueSatisfying(why -> assertThat(why).startsWith("its CA certificate ").endsWith(" is gone"));
    }

    @Test
    void aReloadedConfDIsJudgedByTheFingerprintBesideTheCa() {
        Fingerprint reloaded = new Fingerprint(WANTED.definition(), "cccccccccccccccc");
        reloaded.writeTo(directory);
        assertThat(refusal(record)).hasValue("its conf.d differs (fingerprint " + reloaded.value() + ", wanted " + WANTED.value() + ")");
    }

    @Test
    void recordsAreFoundPerStageNewestFirstAndUnreadableOnesAreLeftToTheLabels() throws Exception {
        Path newer = caDirectory("proxystage-pki-2-2");
        record("prep", STARTED.plusSeconds(5)).writeTo(newer);
        Path otherStage = caDirectory("proxystage-pki-3-3");
        record("ship", STARTED).writeTo(otherStage);
        Path broken = caDirectory("proxystage-pki-4-4");
        Files.writeString(broken.resolve(StageRecord.FILE), "stage=prep\nengine=x\n");
        caDirectory("proxystage-pki-5-5"); // a test JVM's CA: no record

        List<String> refused = new ArrayList<>();
        assertThat(StageRecord.inDirectories(tmp, "prep", UserFiles.system(), refused::add)).extracting(Map.Entry::getKey)
                .containsExactly(newer, directory);
        assertThat(StageRecord.inDirectories(tmp, "seed", UserFiles.system(), refused::add)).isEmpty();
        assertThat(refused).as("all of them are this user's").isEmpty();
        assertThatThrownBy(() -> StageRecord.read(broken.resolve(StageRecord.FILE)))
                .isInstanceOf(ProxyStageException.class).hasMessageEndingWith("unreadable (no publishedHost)");
    }

    @Test
    void theEnginesContainersMustBeTheRecordsPublishedOnes() throws Exception {
        String ca = directory.resolve("ca.pem").toAbsolutePath().toString();
        Container nginx = container("nginx-rp-prep-1a2b3c4d", Map.of(Labels.RUN, "1a2b3c4d", Labels.FINGERPRINT, WANTED.value(), Labels.CA, ca));
        Container vaultwarden = container("vaultwarden-prep-1a2b3c4d", Map.of(Labels.RUN, "1a2b3c4d"));
        Container admin = container("admin-prep-1a2b3c4d", Map.of(Labels.RUN, "1a2b3c4d"));
        Path caPem = directory.resolve("ca.pem");

        assertThat(record.contradiction(caPem, List.of(nginx, vaultwarden, admin))).isEmpty();
        assertThat(record.contradiction(caPem, List.of(nginx, vaultwarden)))
                .hasValue("its backend container admin-prep-1a2b3c4d is not running");
        assertThat(record.contradiction(caPem, List.of(vaultwarden, admin)))
                .hasValue("its nginx nginx-rp-prep-1a2b3c4d is not the running, published nginx of run 1a2b3c4d");
        Container unpublished = container("nginx-rp-prep-1a2b3c4d", Map.of(Labels.RUN, "1a2b3c4d"));
        assertThat(record.contradiction(caPem, List.of(unpublished, vaultwarden, admin))).isPresent();
        Container otherCa = container("nginx-rp-prep-1a2b3c4d", Map.of(Labels.RUN, "1a2b3c4d", Labels.FINGERPRINT, WANTED.value(), Labels.CA, "/elsewhere/ca.pem"));
        assertThat(record.contradiction(caPem, List.of(otherCa, vaultwarden, admin))).isPresent();
    }

    private static Container container(String name, Map<String, String> labels) throws Exception {
        return new ObjectMapper().readValue(new ObjectMapper().writeValueAsString(Map.of("Names", List.of("/" + name), "Labels", labels)),
                Container.class);
    }
}
