package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Recorded;
import dev.proxystage.internal.files.Planted;
import dev.proxystage.internal.files.UserFiles;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a test JVM may attach to an up's stage by its record alone, reading no YAML and parsing no conf.d: only when
 * what the record says up loaded and serves is what this JVM would load and serve. Everything else is left to the
 * full way, which says what differs.
 */
class StageAttachRecordedTest {

    private static final String PIPELINE = """
            stages:
              prep: {}
              prod: {}
            nginx:
              image: nginx:1.27.3
              confDir: conf.d
            backends:
              vaultwarden:
                image: vaultwarden/server:1.32.7
            """;

    @TempDir
    Path tmp;

    private Path pipeline;
    private PipelineConfigLoader.Options options;

    @BeforeEach
    void aProject() throws IOException {
        Path project = Files.createDirectory(tmp.resolve("project"));
        Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(project.resolve("conf.d/vw.conf"), "server { listen 80; server_name vw.example.com; }\n");
        pipeline = project.resolve("pipeline.yml");
        Files.writeString(pipeline, PIPELINE);
        Files.writeString(project.resolve("pipeline-offline.yml"), "backends:\n  vaultwarden:\n    image: echo\n");
        options = new PipelineConfigLoader.Options(false, tmp.resolve("data"));
    }

    /** What up does when it publishes {@code stage}: CA certificate, fingerprint and record in a CA directory. */
    private Path publish(String stage, long pid) throws IOException {
        PipelineConfig config = PipelineConfigLoader.load(pipeline, Optional.of("offline"), options);
        StageDefinition definition = config.stage(stage);
        // As up makes them, whatever the umask: the directory 0700, the certificate 0644.
        Path ca = Files.createDirectory(tmp.resolve("proxystage-pki-" + pid + "-" + stage),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(Files.writeString(ca.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"),
                PosixFilePermissions.fromString("rw-r--r--"));
        Fingerprint.of(definition).writeTo(ca);
        new StageRecord(ENGINE.endpoint().dockerHost(), "127.0.0.1", Labels.hostName(), pid,
                pid == ProcessHandle.current().pid() ? ProcessHandle.current().info().startInstant() : Optional.empty(),
                "1a2b3c4d", stage, "nginx-rp-network-" + stage + "-1a2b3c4d", "nginx-rp-" + stage + "-1a2b3c4d",
                "proxystage/nginx:offline", Map.of(80, 32777),
                List.of(new StageRecord.Backend("vaultwarden", "vaultwarden-" + stage + "-1a2b3c4d", "proxystage/jre:17-offline",
                        Optional.empty(), Optional.empty(), Optional.empty())),
                Optional.of(AttachInputs.of(definition, config.sources()))).writeTo(ca);
        return ca;
    }

    /** This process's engine, as the runtime decides it; never connected here. */
    private static final DockerEngine ENGINE = DockerEngine.at(EngineEndpoint.decide(EngineEndpoint.World.system(), Optional.empty()));

    /** The lines that say a record was not trusted. */
    private final List<String> refused = new ArrayList<>();

    private Optional<Recorded> wanted(String stage, Optional<String> profile) {
        return StageAttach.recorded(ENGINE, tmp, UserFiles.system(), new AttachInputs.Wanted(stage, pipeline, profile, options),
                refused::add);
    }

    @AfterEach
    void onlyThePlantedWereRefused() {
        assertThat(refused).as("lines about untrusted records").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void theSameFilesAndSettingsFindTheStageByItsRecord() throws IOException {
        publish("prep", ProcessHandle.current().pid());
        assertThat(wanted("prep", Optional.of("offline"))).get().extracting(Recorded::runId).isEqualTo("1a2b3c4d");
        assertThat(refused).isEmpty();
    }

    // --- records another local user planted, or that someone else may have changed: refused, as if not there ---

    private static final String NOT_MINE = " is owned by nobody (uid 65534), not by this user (uid 0)";

    /** Asserts the record is not used, and the one line that says why. */
    private void refusedWith(String line) {
        assertThat(wanted("prep", Optional.of("offline"))).isEmpty();
        assertThat(refused).containsExactly(line);
    }

    @Test
    void aRecordDirectoryOfAnotherUserIsRefused() throws IOException {
        Path ca = Planted.byAnotherUser(publish("prep", ProcessHandle.current().pid()));
        refusedWith("ignoring " + ca + ": " + ca + NOT_MINE);
    }

    @Test
    void aRecordCaCertificateOrFingerprintOfAnotherUserIsRefused() throws IOException {
        for (String name : List.of(StageRecord.FILE, "ca.pem", Fingerprint.FILE)) {
            refused.clear();
            Path ca = publish("prep", ProcessHandle.current().pid());
            Path file = Planted.byAnotherUser(ca.resolve(name));
            refusedWith("ignoring the stage record " + ca.resolve(StageRecord.FILE) + ": " + file + NOT_MINE);
            Files.setAttribute(file, "unix:uid", 0);
            assertThat(wanted("prep", Optional.of("offline"))).as("given back to this user").isPresent();
            deleteTree(ca);
        }
        refused.clear();
    }

    @Test
    void aRecordOthersMayWriteIsRefused() throws IOException {
        Path ca = publish("prep", ProcessHandle.current().pid());
        Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rwxrwx---"));
        refusedWith("ignoring " + ca + ": " + ca + " is writable by others than its owner " + me() + ": mode 0770");
        refused.clear();
        Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rwx------"));
        Path file = ca.resolve(StageRecord.FILE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--rw-"));
        refusedWith("ignoring the stage record " + file + ": " + file + " is writable by others than its owner " + me() + ": mode 0646");
    }

    @Test
    void aRecordDirectoryOrRecordThatIsALinkIsNotFollowed() throws IOException {
        Path real = publish("prep", ProcessHandle.current().pid());
        Path elsewhere = Files.move(real, tmp.resolve("project").resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve(real.getFileName()), elsewhere);
        refusedWith("ignoring " + link + ": " + link + " is a symbolic link, not a directory, owned by " + me());

        refused.clear();
        Files.delete(link);
        Path ca = publish("prep", ProcessHandle.current().pid());
        Path file = ca.resolve(StageRecord.FILE);
        Files.delete(file);
        Files.createSymbolicLink(file, elsewhere.resolve(StageRecord.FILE));
        refusedWith("ignoring the stage record " + file + ": " + file + " is a symbolic link, not a regular file, owned by " + me());
    }

    @Test
    void aPlantedRecordBesideTheUsersOwnIsSkippedAndTheOwnOneUsed() throws IOException {
        Path planted = Files.move(publish("prep", ProcessHandle.current().pid()), tmp.resolve("proxystage-pki-1-planted"));
        Planted.byAnotherUser(planted.resolve(StageRecord.FILE));
        publish("prep", ProcessHandle.current().pid());

        assertThat(wanted("prep", Optional.of("offline"))).isPresent();
        assertThat(refused).singleElement().asString().startsWith("ignoring the stage record " + planted.resolve(StageRecord.FILE));
    }

    /** This user as an owner is named: {@code root (uid 0)}. */
    private String me() throws IOException {
        return UserFiles.system().facts(tmp).orElseThrow().ownerText();
    }

    private static void deleteTree(Path dir) throws IOException {
        UserFiles.system().deleteTree(dir);
    }

    @Test
    void anEditedConfDIsLeftToTheFullWayUntilUpServesIt() throws IOException {
        Path ca = publish("prep", ProcessHandle.current().pid());
        Files.writeString(pipeline.resolveSibling("conf.d/vw.conf"), "server { listen 80; server_name vw2.example.com; }\n");
        assertThat(wanted("prep", Optional.of("offline"))).isEmpty();
        // up reloaded it: the fingerprint beside the CA is the new conf.d's
        Fingerprint.of(PipelineConfigLoader.load(pipeline, Optional.of("offline"), options).stage("prep")).writeTo(ca);
        assertThat(wanted("prep", Optional.of("offline"))).isPresent();
    }

    @Test
    void anEditedPipelineOrAnotherProfileIsLeftToTheFullWay() throws IOException {
        publish("prep", ProcessHandle.current().pid());
        assertThat(wanted("prep", Optional.empty())).as("no profile").isEmpty();
        Files.writeString(pipeline, PIPELINE + "# a comment\n");
        assertThat(wanted("prep", Optional.of("offline"))).as("even an edit that changes nothing").isEmpty();
    }

    @Test
    void aDeadUpAnotherStageOrProdIsNeverFoundThisWay() throws IOException {
        publish("prep", 999_999_999L);
        assertThat(wanted("prep", Optional.of("offline"))).as("its up is gone").isEmpty();
        publish("prod", ProcessHandle.current().pid());
        assertThat(wanted("prod", Optional.of("offline"))).as("prod is never shared").isEmpty();
        assertThat(wanted("seed", Optional.of("offline"))).isEmpty();
    }

    @Test
    void aRecordOfAnOlderVersionWithoutInputsIsLeftToTheFullWay() throws IOException {
        Path ca = publish("prep", ProcessHandle.current().pid());
        StageRecord old = StageRecord.read(ca.resolve(StageRecord.FILE));
        new StageRecord(old.engine(), old.publishedHost(), old.host(), old.pid(), old.started(), old.runId(), old.stage(),
                old.network(), old.nginx(), old.nginxImage(), old.nginxPorts(), old.backends(), Optional.empty()).writeTo(ca);
        assertThat(wanted("prep", Optional.of("offline"))).isEmpty();
    }
}
