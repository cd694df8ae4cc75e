package dev.proxystage.internal.docker;

import com.github.dockerjava.api.model.Container;
import dev.proxystage.ProxyStageException;
import dev.proxystage.StageBackend;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.files.PathFacts;
import dev.proxystage.internal.files.UserFiles;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * What a published stage's process ({@code up}) wrote about it for test JVMs, beside its CA certificate: the engine,
 * the owner, the containers, their ports and addresses. It lets a fresh JVM attach without a Docker client on its
 * first test; the attached stage then checks the containers' labels against it in the background. It goes with the
 * CA directory when {@code up} stops, and a record whose owner is gone is never used.
 *
 * @param engine        the Docker engine address the stage runs on
 * @param publishedHost the address its ports are bound to and reached on
 * @param host          the machine of the owning process
 * @param pid           the owning process
 * @param started       when that process started, so a reused pid is told apart
 * @param runId         the run
 * @param stage         the stage's name
 * @param network       the stage network's name
 * @param nginx         nginx's container name
 * @param nginxImage    nginx's image
 * @param nginxPorts    nginx's container ports and where they are published
 * @param backends      the backends, in definition order
 * @param inputs        what the stage was loaded from (absent in records of older versions)
 */
record StageRecord(String engine, String publishedHost, String host, long pid, Optional<Instant> started, String runId,
                   String stage, String network, String nginx, String nginxImage, Map<Integer, Integer> nginxPorts,
                   List<Backend> backends, Optional<AttachInputs> inputs) {

    /** The file in the CA directory. */
    static final String FILE = "stage.properties";

    /**
     * A backend as the owner reaches it.
     *
     * @param url the backend's direct URL from this machine, when it has one
     */
    record Backend(String name, String container, String image, Optional<String> address, Optional<String> url,
                   Optional<String> data) {
    }

    StageRecord {
        nginxPorts = Map.copyOf(nginxPorts);
        backends = List.copyOf(backends);
    }

    /** The record of {@code stage}, started by this process on {@code endpoint} under {@code runId}. */
    static StageRecord of(StageInternals stage, String runId, EngineEndpoint endpoint, AttachInputs inputs) {
        List<Backend> backends = new ArrayList<>();
        for (StageBackend backend : stage.backends()) {
            Optional<String> url;
            try {
                url = Optional.of(backend.directUrl());
            } catch (ProxyStageException unreachable) {
                url = Optional.empty();
            }
            backends.add(new Backend(backend.name(), backend.containerName(), backend.image(),
                    stage.backendAddress(backend.name()), url, backend.dataVolume()));
        }
        ProcessHandle self = ProcessHandle.current();
        return new StageRecord(endpoint.dockerHost(), endpoint.publishedHost(), Labels.hostName(), self.pid(),
                self.info().startInstant(), runId, stage.name(), stage.networkName(), stage.nginx().containerName(),
                stage.nginx().image(), stage.nginx().mappedPorts(), backends, Optional.of(inputs));
    }

    /** Writes the record into {@code directory} at once (a reader never sees half of it). */
    void writeTo(Path directory) {
        Properties p = new Properties();
        p.setProperty("engine", engine);
        p.setProperty("publishedHost", publishedHost);
        p.setProperty("host", host);
        p.setProperty("pid", Long.toString(pid));
        // Seconds and nanoseconds since the epoch: exact, and parsed without java.time's formatters, which cost a
        // fresh JVM tens of milliseconds to load.
        started.ifPresent(s -> p.setProperty("started", s.getEpochSecond() + "." + String.format("%09d", s.getNano())));
        p.setProperty("run", runId);
        p.setProperty("stage", stage);
        p.setProperty("network", network);
        p.setProperty("nginx", nginx);
        p.setProperty("nginx.image", nginxImage);
        p.setProperty("nginx.ports", String.join(",", nginxPorts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + ":" + e.getValue()).toList()));
        p.setProperty("backends", String.join(",", backends.stream().map(Backend::name).toList()));
        for (Backend b : backends) {
            String key = "backend." + b.name() + ".";
            p.setProperty(key + "container", b.container());
            p.setProperty(key + "image", b.image());
            b.address().ifPresent(a -> p.setProperty(key + "address", a));
            b.url().ifPresent(u -> p.setProperty(key + "url", u));
            b.data().ifPresent(d -> p.setProperty(key + "data", d));
        }
        inputs.ifPresent(i -> i.putInto(p));
        try {
            StringWriter text = new StringWriter();
            p.store(text, "stage " + stage + " of run " + runId + ", for test JVMs that attach to it");
            Path temp = Files.createTempFile(directory, FILE, ".tmp");
            Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
            Files.move(temp, directory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ProxyStageException("cannot write " + directory.resolve(FILE) + ": " + e.getMessage());
        }
    }

    /** The record in {@code file}; a one-line reason when it cannot be read. */
    static StageRecord read(Path file) {
        Properties p = new Properties();
        // Never through a link, even one that appeared after the caller judged the file.
        try (Reader in = new InputStreamReader(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ProxyStageException(file + ": unreadable (" + e.getMessage() + ")");
        }
        try {
            List<Backend> backends = new ArrayList<>();
            for (String name : list(p.getProperty("backends", ""))) {
                String key = "backend." + name + ".";
                backends.add(new Backend(name, required(p, key + "container"), required(p, key + "image"),
                        optional(p, key + "address"), optional(p, key + "url"), optional(p, key + "data")));
            }
            Map<Integer, Integer> ports = new LinkedHashMap<>();
            for (String pair : list(p.getProperty("nginx.ports", ""))) {
                String[] parts = pair.split(":");
                if (parts.length != 2) {
                    throw new IllegalArgumentException("nginx.ports has '" + pair + "'");
                }
                ports.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
            return new StageRecord(required(p, "engine"), required(p, "publishedHost"), required(p, "host"),
                    Long.parseLong(required(p, "pid")), optional(p, "started").map(StageRecord::instant), required(p, "run"),
                    required(p, "stage"), required(p, "network"), required(p, "nginx"), required(p, "nginx.image"),
                    ports, backends, AttachInputs.from(p));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ProxyStageException(file + ": unreadable (" + e.getMessage() + ")");
        }
    }

    /** What an attaching JVM reads of a CA directory: each is judged before anything of the directory is read. */
    private static final List<String> READ = List.of(FILE, Fingerprint.FILE, "ca.pem");

    /**
     * The records of stage {@code stage} in the CA directories under {@code root} (this user's run directory), newest
     * first, each with the directory it is in. A directory, and the record, fingerprint and CA certificate in it, are
     * read only when they are this user's and no one else may write them, never through a symbolic link; anything
     * else is refused with one line to {@code refused} that names the path and its owner, and left out as if it were
     * not there. Unreadable records are left out too: the labels are asked instead.
     */
    static List<Map.Entry<Path, StageRecord>> inDirectories(Path root, String stage, UserFiles files, Consumer<String> refused) {
        List<Map.Entry<Path, StageRecord>> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, "proxystage-pki-*")) {
            for (Path dir : dirs) {
                Optional<String> why = files.refusal(dir, PathFacts.Type.DIRECTORY);
                if (why.isPresent()) {
                    refused.accept("ignoring " + dir + ": " + why.get());
                    continue;
                }
                Path file = dir.resolve(FILE);
                if (!hasEntry(files, file)) {
                    continue; // a test JVM's CA directory: no record
                }
                Optional<String> untrusted = READ.stream()
                        .flatMap(name -> files.refusalIfPresent(dir.resolve(name), PathFacts.Type.FILE).stream())
                        .findFirst();
                if (untrusted.isPresent()) {
                    refused.accept("ignoring the stage record " + file + ": " + untrusted.get());
                    continue;
                }
                try {
                    StageRecord record = read(file);
                    if (record.stage().equals(stage)) {
                        found.add(Map.entry(dir, record));
                    }
                } catch (ProxyStageException unreadable) {
                    // not ours to judge; the label lookup decides
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        found.sort(Comparator.comparing((Map.Entry<Path, StageRecord> e) -> e.getValue().started().orElse(Instant.EPOCH))
                .reversed());
        return found;
    }

    private static boolean hasEntry(UserFiles files, Path path) {
        try {
            return files.facts(path).isPresent();
        } catch (IOException e) {
            return true; // there, but unreadable: judged (and refused) as such
        }
    }

    /** Why a record whose CA directory holds no fingerprint, or one that cannot be read, is not used. */
    static final String NO_FINGERPRINT = "it has no readable fingerprint";

    /**
     * Why a test JVM on {@code thisHost}, using the engine {@code engine} and wanting {@code wanted}, may not attach
     * through this record kept in {@code directory}; empty when it may.
     */
    Optional<String> refusal(Path directory, String engine, String thisHost, Ownership.ProcessTable processes,
                             LongFunction<Optional<Instant>> startOf, Fingerprint wanted) {
        return holderRefusal(directory, engine, thisHost, processes, startOf)
                .or(() -> Fingerprint.readFrom(directory).map(wanted::difference).orElse(Optional.of(NO_FINGERPRINT)));
    }

    /**
     * Why the stage this record describes is not one a test JVM on {@code thisHost}, using the engine {@code engine},
     * may use, whatever it wants of it: another engine or host, a gone {@code up}, a missing CA certificate.
     */
    Optional<String> holderRefusal(Path directory, String engine, String thisHost, Ownership.ProcessTable processes,
                                   LongFunction<Optional<Instant>> startOf) {
        if (!this.engine.equals(engine)) {
            return Optional.of("it runs on the engine " + this.engine + ", this JVM uses " + engine);
        }
        Ownership owner = owner(thisHost, processes);
        if (owner.state() == Ownership.State.OTHER_HOST || owner.state() == Ownership.State.UNKNOWN) {
            return Optional.of("it is not a run of this host (" + owner.detail() + ")");
        }
        if (owner.state() != Ownership.State.LIVE || !sameStart(startOf)) {
            return Optional.of("the 'up' that started it is gone (" + owner.detail() + ")");
        }
        if (!Files.isRegularFile(directory.resolve("ca.pem"))) {
            return Optional.of("its CA certificate " + directory.resolve("ca.pem") + " is gone");
        }
        return Optional.empty();
    }

    /** Who wrote the record, judged by the one liveness rule the sweeper judges a run's labels by. */
    Ownership owner(String thisHost, Ownership.ProcessTable processes) {
        return Ownership.judge(Map.of(Labels.HOST, host, Labels.PID, Long.toString(pid)), thisHost, processes);
    }

    /** Whether the process that wrote the record still runs on this machine: alive, and not a reused pid. */
    boolean writerLives() {
        return owner(Labels.hostName(), Ownership.ProcessTable.SYSTEM).isLive() && sameStart(StageRecord::startOf);
    }

    /**
     * What the engine's containers of this run ({@code running}, listed by the run's label) say against the record:
     * its nginx must be there, published with the CA in {@code caPem}, and every backend container must run.
     */
    Optional<String> contradiction(Path caPem, List<Container> running) {
        Map<String, Container> byName = new LinkedHashMap<>();
        for (Container c : running) {
            if (c.getNames() != null) {
                Arrays.stream(c.getNames()).forEach(n -> byName.put(n.replaceFirst("^/", ""), c));
            }
        }
        Container published = byName.get(nginx);
        Map<String, String> labels = published == null || published.getLabels() == null ? Map.of() : published.getLabels();
        if (!runId.equals(labels.get(Labels.RUN)) || !labels.containsKey(Labels.FINGERPRINT)
                || !caPem.toAbsolutePath().toString().equals(labels.get(Labels.CA))) {
            return Optional.of("its nginx " + nginx + " is not the running, published nginx of run " + runId);
        }
        return backends.stream().filter(b -> !byName.containsKey(b.container())).findFirst()
                .map(b -> "its backend container " + b.container() + " is not running");
    }

    /** A live pid that started at another time than the recorded one is a reused pid. */
    private boolean sameStart(LongFunction<Optional<Instant>> startOf) {
        Optional<Instant> now = started.isEmpty() ? Optional.empty() : startOf.apply(pid);
        return now.isEmpty() || now.get().equals(started.get());
    }

    /** When this machine's process {@code pid} started, if the OS says. */
    static Optional<Instant> startOf(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    }

    /** {@code <seconds>.<nanoseconds>}; an ISO-8601 instant as older records have it. */
    private static Instant instant(String value) {
        int dot = value.indexOf('.');
        if (value.indexOf('T') >= 0 || dot < 0) {
            return Instant.parse(value);
        }
        return Instant.ofEpochSecond(Long.parseLong(value.substring(0, dot)), Long.parseLong(value.substring(dot + 1)));
    }

    private static List<String> list(String value) {
        return value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("no " + key);
        }
        return value.strip();
    }

    private static Optional<String> optional(Properties p, String key) {
        return Optional.ofNullable(p.getProperty(key)).map(String::strip).filter(s -> !s.isEmpty());
    }
}
