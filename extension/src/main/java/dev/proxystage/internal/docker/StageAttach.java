package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.engine.Attachment;
import dev.proxystage.internal.engine.Recorded;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.files.PathFacts;
import dev.proxystage.internal.files.UserFiles;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import dev.proxystage.internal.plan.ProdSafety;
import dev.proxystage.internal.plan.StagePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the stage an {@code up} holds for a test JVM that wants to attach to it, by labels: the nginx of the
 * stage, published ({@link Labels#FINGERPRINT}), made on this host by a process that still lives, with its CA
 * certificate still on disk and its current fingerprint (kept beside that certificate, as a live reload changes
 * it) equal to the wanted one. Anything else is refused with one line.
 */
final class StageAttach {

    private static final Logger LOG = LoggerFactory.getLogger(StageAttach.class);

    private StageAttach() {
    }

    /**
     * The attachment the records of live {@code up}s in {@code root} (this user's run directory) give, without asking
     * the engine; empty when no record of this stage there is usable (the labels are asked then). A record that is
     * not this user's own is refused with one line to {@code notices} ({@link StageRecord#inDirectories}).
     */
    static Optional<Attachment> fromRecords(DockerEngine docker, Path root, UserFiles files, StagePlan plan, Fingerprint wanted,
                                            Consumer<String> notices) {
        String stage = plan.definition().name();
        if (!ProdSafety.mayShare(plan.definition())) {
            return Optional.of(Attachment.refused("not attaching to stage " + stage + ": prod is never shared"));
        }
        List<Map.Entry<Path, StageRecord>> records = StageRecord.inDirectories(root, stage, files, notices);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        String engine = docker.endpoint().dockerHost();
        String thisHost = Labels.hostName();
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<Path, StageRecord> entry : records) {
            StageRecord record = entry.getValue();
            Optional<String> refusal = record.refusal(entry.getKey(), engine, thisHost, Ownership.ProcessTable.SYSTEM,
                    StageRecord::startOf, wanted);
            if (refusal.isPresent()) {
                reasons.add("not attaching to run " + record.runId() + ": " + refusal.get());
                continue;
            }
            try {
                return Optional.of(Attachment.attached(AttachedStage.fromRecord(docker, record, entry.getKey(), () -> plan,
                        plan.definition().tls().trust()),
                        "found by its up's record"));
            } catch (dev.proxystage.ProxyStageException e) {
                reasons.add("not attaching to run " + record.runId() + ": " + e.getMessage());
            }
        }
        // None usable: the labels have the last word (a live up whose record this JVM cannot see, or the same
        // refusal again), and a fresh start needs the engine anyway.
        LOG.debug("no usable record of stage {}: {}", stage, String.join("; ", reasons));
        return Optional.empty();
    }

    /**
     * The newest record of a live {@code up} of {@code wanted}'s stage whose inputs are the ones {@code wanted} would
     * load and whose conf.d is the one it serves now: no YAML read, no conf.d parsed, no engine asked. Empty when
     * there is none; the full way then says why. Records are judged as {@link #fromRecords} judges them.
     */
    static Optional<Recorded> recorded(DockerEngine docker, Path root, UserFiles files, AttachInputs.Wanted wanted, Consumer<String> notices) {
        if (wanted.stage().equals(PipelineConfigLoader.PROD)) {
            return Optional.empty();
        }
        List<Map.Entry<Path, StageRecord>> records = StageRecord.inDirectories(root, wanted.stage(), files, notices);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        String engine = docker.endpoint().dockerHost();
        String thisHost = Labels.hostName();
        for (Map.Entry<Path, StageRecord> entry : records) {
            StageRecord record = entry.getValue();
            // The inputs stand for the wanted fingerprint; the engine, owner and CA are judged as always.
            Optional<String> why = record.inputs().isEmpty() ? Optional.of("it records no inputs")
                    : record.holderRefusal(entry.getKey(), engine, thisHost, Ownership.ProcessTable.SYSTEM, StageRecord::startOf)
                    .or(() -> Fingerprint.readFrom(entry.getKey()).map(current -> record.inputs().get().mismatch(wanted, current))
                            .orElse(Optional.of(StageRecord.NO_FINGERPRINT)));
            if (why.isPresent()) {
                LOG.debug("not attaching to run {} by its record alone: {}", record.runId(), why.get());
                continue;
            }
            Path directory = entry.getKey();
            return Optional.of(new Recorded() {
                @Override
                public String runId() {
                    return record.runId();
                }

                @Override
                public StageInternals attach(Supplier<StagePlan> plan) {
                    return AttachedStage.fromRecord(docker, record, directory, plan, record.inputs().get().trust());
                }
            });
        }
        return Optional.empty();
    }

    static Attachment find(DockerEngine engine, StagePlan plan, Fingerprint wanted) {
        DockerClient docker = engine.client();
        String stage = plan.definition().name();
        if (!ProdSafety.mayShare(plan.definition())) {
            return Attachment.refused("not attaching to stage " + stage + ": prod is never shared");
        }
        List<Container> published = new ArrayList<>(docker.listContainersCmd()
                .withLabelFilter(Map.of(Labels.STAGE, stage, Labels.ROLE, "nginx")).exec().stream()
                .filter(c -> c.getLabels() != null && c.getLabels().containsKey(Labels.FINGERPRINT))
                .toList());
        if (published.isEmpty()) {
            return Attachment.refused("no running 'up' of stage " + stage + " to attach to");
        }
        published.sort(Comparator.comparing(Container::getCreated).reversed());
        String thisHost = Labels.hostName();
        List<String> reasons = new ArrayList<>();
        for (Container nginx : published) {
            Map<String, String> labels = nginx.getLabels();
            String runId = labels.getOrDefault(Labels.RUN, "?");
            Optional<String> refusal = refusal(labels, thisHost, wanted, UserFiles.system());
            if (refusal.isPresent()) {
                reasons.add("not attaching to run " + runId + ": " + refusal.get());
                continue;
            }
            try {
                return Attachment.attached(AttachedStage.attach(engine, plan, nginx.getId(), runId, Path.of(labels.get(Labels.CA))),
                        "found by its labels");
            } catch (dev.proxystage.ProxyStageException | com.github.dockerjava.api.exception.NotFoundException e) {
                // It stopped or came apart between listing and attaching: a fresh stage is the answer.
                reasons.add("not attaching to run " + runId + ": " + e.getMessage());
            }
        }
        return Attachment.refused(String.join("; ", reasons));
    }

    /**
     * Why the stage these nginx labels describe may not be attached to; empty when it may. Its CA directory, which
     * the labels name, must be this user's own as a record's is.
     */
    static Optional<String> refusal(Map<String, String> labels, String thisHost, Fingerprint wanted, UserFiles files) {
        Ownership owner = Ownership.judge(labels, thisHost, Ownership.ProcessTable.SYSTEM);
        if (owner.state() == Ownership.State.OTHER_HOST || owner.state() == Ownership.State.UNKNOWN) {
            return Optional.of("it is not a run of this host (" + owner.detail() + ")");
        }
        if (owner.state() != Ownership.State.LIVE) {
            return Optional.of("the 'up' that started it is gone (" + owner.detail() + ")");
        }
        String ca = labels.get(Labels.CA);
        if (ca == null || !Files.isRegularFile(Path.of(ca))) {
            return Optional.of("its CA certificate " + ca + " is gone");
        }
        Path caPem = Path.of(ca);
        Optional<String> untrusted = files.refusal(caPem.getParent(), PathFacts.Type.DIRECTORY)
                .or(() -> files.refusal(caPem, PathFacts.Type.FILE))
                .or(() -> files.refusalIfPresent(caPem.resolveSibling(Fingerprint.FILE), PathFacts.Type.FILE));
        if (untrusted.isPresent()) {
            return Optional.of("its CA certificate is not to be trusted: " + untrusted.get());
        }
        Optional<Fingerprint> current = Fingerprint.readFrom(caPem.getParent())
                .or(() -> Fingerprint.parse(labels.get(Labels.FINGERPRINT)));
        if (current.isEmpty()) {
            return Optional.of("it has no readable fingerprint");
        }
        return wanted.difference(current.get());
    }
}
