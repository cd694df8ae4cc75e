package dev.proxystage.internal.init;

import dev.proxystage.internal.config.ComposeFile;
import dev.proxystage.internal.config.ComposeFile.EnvEntry;
import dev.proxystage.internal.config.ComposeFile.Mount;
import dev.proxystage.internal.config.ComposeFile.Service;
import dev.proxystage.internal.config.ComposeInterpolation;
import dev.proxystage.internal.init.Discovery.Backend;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.ImageRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The backends' real definitions from the stack's compose file: each service that conf.d reaches (by its name, a
 * network alias, its container name or a link alias) becomes one backend with the service's image, environment
 * (secrets as {@code ${env:NAME}} references, never their values), env files (referenced), command, entrypoint,
 * health check where it maps, first named volume as per-stage data, bind mounts only when asked, and every host name
 * of the service. Whatever does not map is a note at the compose file's line, one per key.
 */
final class ComposeBackends {

    /** The names compose looks for, in its order of preference. */
    static final List<String> FILE_NAMES = List.of("compose.yaml", "compose.yml", "docker-compose.yaml",
            "docker-compose.yml");

    /** Environment names whose values are secrets: their values are never copied into pipeline.yml. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|KEY|PRIVATE|CREDENTIAL).*|(?i)(.*_)?PASS(_.*)?|(?i).*PASS");
    /** Names that end by naming a place: a secret word before it (TOKEN_URL, KEYCLOAK_HOST) names the place's use. */
    private static final Pattern PLACE_NAME = Pattern.compile("(?i).*_(URL|URI|ENDPOINT|HOST|HOSTNAME|PORT)");
    /** A query parameter that carries a credential in a URL. */
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "(?i)[?&][a-z0-9_.-]*(password|passwd|secret|token|key|credential)[a-z0-9_.-]*=[^&#\\s]");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    /** A value that is one variable: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:?error}}. */
    private static final Pattern SOLE_REFERENCE = Pattern.compile(
            "\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])[^}$]*)?}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    /** A URL a health check asks: with a scheme, or a local host with a port as curl and wget take it without one. */
    private static final Pattern URL = Pattern.compile("(?:(https?)://([^/:\\s'\"]+|\\[[^]]+])"
            + "|(?<![\\w./-])(localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1])(?=:\\d))(?::(\\d+))?(/[^\\s'\"|;&)]*)?");
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1");
    /** The longest backend name whose {@code <name>-<stage>} fits the 53 characters a container name leaves. */
    private static final int MAX_NAME = 48;
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** What the offline overlay gives a secret, so that offline runs need no secret in their environment. */
    static final String OFFLINE_SECRET = "offline-placeholder";

    /** One backend written from a service: its name, the alias routes expect, and its further host names. */
    record Mapped(String name, String alias, List<String> aliases, Service service, List<Integer> ports,
                  List<String> lines, List<String> prodLines, List<String> secretRefs, boolean hasCommand,
                  boolean hasEntrypoint) {
    }

    private final Optional<ComposeFile> compose;
    private final Map<String, Mapped> byAlias = new LinkedHashMap<>();
    private final Map<String, String> primary = new LinkedHashMap<>();
    private final List<ProjectInit.Note> notes = new ArrayList<>();
    private final Map<String, Integer> mainPorts = new LinkedHashMap<>();
    private Optional<String> nginxImage = Optional.empty();

    private ComposeBackends(Optional<ComposeFile> compose) {
        this.compose = compose;
    }

    /** No compose file: every backend as before. */
    static ComposeBackends none() {
        return new ComposeBackends(Optional.empty());
    }

    /** The compose file beside conf.d, or beside the main config, when there is exactly one place with one. */
    static Optional<Path> find(Path confD, Optional<Path> mainConfig, List<ProjectInit.Note> notes) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(confD.toAbsolutePath().normalize().getParent());
        mainConfig.map(m -> m.toAbsolutePath().normalize().getParent()).filter(d -> !dirs.contains(d)).ifPresent(dirs::add);
        for (Path dir : dirs) {
            if (dir == null) {
                continue;
            }
            List<Path> found = FILE_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).toList();
            if (!found.isEmpty()) {
                if (found.size() > 1) {
                    notes.add(new ProjectInit.Note(found.get(0), 0, "read this compose file, not "
                            + found.subList(1, found.size()).stream().map(p -> p.getFileName().toString())
                            .collect(Collectors.joining(", ")) + " beside it (compose's own order of preference)"));
                }
                return Optional.of(found.get(0));
            }
        }
        return Optional.empty();
    }

    /** Every name a service of {@code compose} is reached by: what conf.d may name as a backend host. */
    static Set<String> hostNames(Optional<ComposeFile> compose) {
        return compose.map(c -> index(c).keySet()).orElse(Set.of());
    }

    /** Host name to service: service names, network aliases, container names, and the aliases of links. */
    private static Map<String, Service> index(ComposeFile compose) {
        Map<String, Service> index = new LinkedHashMap<>();
        for (Service service : compose.services().values()) {
            for (String name : service.hostNames()) {
                index.putIfAbsent(name.toLowerCase(Locale.ROOT), service);
            }
        }
        for (Service service : compose.services().values()) {
            for (ComposeFile.Value link : service.links()) {
                int colon = link.text().indexOf(':');
                Service target = compose.services().get(colon < 0 ? link.text() : link.text().substring(0, colon));
                if (target != null && colon > 0) {
                    index.putIfAbsent(link.text().substring(colon + 1).toLowerCase(Locale.ROOT), target);
                }
            }
        }
        return index;
    }

    /**
     * Maps the backends {@code discovery} found onto {@code compose}'s services.
     *
     * @param request     what init reads and where it writes (paths become relative to {@code out})
     * @param bindMounts  whether bind mounts become {@code data.hostPath}
     */
    static ComposeBackends map(ComposeFile compose, Discovery discovery, ProjectInit.Request request, boolean bindMounts) {
        ComposeBackends mapping = new ComposeBackends(Optional.of(compose));
        mapping.build(compose, discovery, request, bindMounts);
        return mapping;
    }

    List<ProjectInit.Note> notes() {
        return notes;
    }

    /** The nginx image of the compose service that serves this configuration, when it is an nginx image. */
    Optional<String> nginxImage() {
        return nginxImage;
    }

    /** Whether {@code alias} (a host conf.d reaches) is written as a backend from a compose service. */
    boolean mapped(String alias) {
        return byAlias.containsKey(alias);
    }

    /** Whether {@code alias} is written as a further host name of another host's backend (the same service). */
    boolean merged(String alias) {
        return byAlias.containsKey(alias) && !byAlias.get(alias).alias().equals(alias);
    }

    /** The alias a route to {@code alias} expects: its backend's own alias. */
    String primaryAlias(String alias) {
        return primary.getOrDefault(alias, alias);
    }

    /** The port pipeline.yml names for the backend of {@code alias}, when its compose service decided it. */
    Optional<Integer> mainPort(String alias) {
        return Optional.ofNullable(mainPorts.get(alias));
    }

    /** The backend name written for {@code alias}. */
    String name(String alias) {
        Mapped m = byAlias.get(alias);
        return m == null ? alias : m.name();
    }

    /** The pipeline.yml header's second line, when a compose file was read. */
    Optional<String> describe(Path out) {
        return compose.map(c -> "# under the name conf.d uses for it; those that are services of "
                + ProjectInit.relative(out, c.file()) + " carry its definitions (image, environment\n"
                + "# with secrets as ${env:NAME}, health check, data), the others run the echo backend until you name"
                + " their image.\n");
    }

    /** How many backends carry their service's real image. */
    long withImage() {
        return byAlias.values().stream().distinct().filter(m -> m.service().image()
                .filter(i -> ImageRef.valid(i.text())).isPresent()).count();
    }

    private ProjectInit.Note note(int line, String message) {
        ProjectInit.Note n = new ProjectInit.Note(compose.orElseThrow().file(), line, message);
        notes.add(n);
        return n;
    }

    private void build(ComposeFile compose, Discovery discovery, ProjectInit.Request request, boolean bindMounts) {
        compose.warnings().forEach(w -> note(w.line(), w.message()));
        // compose merges an override file beside its file on its own; init reads the one file only
        String fileName = compose.file().getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        Path override = compose.file().resolveSibling(fileName.substring(0, dot) + ".override" + fileName.substring(dot));
        if (Files.isRegularFile(override)) {
            notes.add(new ProjectInit.Note(override, 0, "not merged: init reads " + fileName + " only (compose would"
                    + " merge this override file into it)"));
        }
        Map<String, Service> index = index(compose);
        Map<Service, List<Backend>> reached = new LinkedHashMap<>();
        for (Backend b : discovery.backends.values()) {
            Service service = index.get(b.alias());
            if (service == null) {
                Directive at = b.definedAt().get(0);
                notes.add(new ProjectInit.Note(at.file(), at.line(), "upstream host '" + b.alias() + "' is no service,"
                        + " network alias or container name of " + compose.file().getFileName() + "; its backend runs"
                        + " the echo backend until its image is named"));
                continue;
            }
            reached.computeIfAbsent(service, s -> new ArrayList<>()).add(b);
        }
        Optional<Service> nginx = nginxService(compose, request);
        for (Service service : compose.services().values()) {
            if (reached.containsKey(service)) {
                continue;
            }
            if (nginx.isPresent() && nginx.get() == service) {
                String image = service.image().map(ComposeFile.Value::text).orElse("");
                if (isNginxImage(image) && !ImageRef.valid(image)) {
                    note(service.line(), "service \"" + service.name() + "\" serves this configuration with the image '"
                            + image + "', which is no image reference (a variable it names is unset, or it is"
                            + " malformed); nginx.image stays " + ProjectInit.NGINX_IMAGE);
                } else if (isNginxImage(image)) {
                    nginxImage = Optional.of(image);
                    note(service.line(), "service \"" + service.name() + "\" serves this configuration: its image "
                            + image + " is pipeline.yml's nginx.image");
                } else {
                    note(service.line(), "service \"" + service.name() + "\" serves this configuration with the image "
                            + (image.isEmpty() ? "it builds" : image) + ", not an nginx image; nginx.image stays "
                            + ProjectInit.NGINX_IMAGE);
                }
                continue;
            }
            note(service.line(), "service \"" + service.name() + "\" is not reached by the nginx configuration; no"
                    + " backend written for it");
        }
        reached.forEach((service, backends) -> mapService(compose, service, backends, discovery, request, bindMounts,
                index));
    }

    /** The service that mounts this conf.d or main config: the proxy itself, not a backend. */
    private static Optional<Service> nginxService(ComposeFile compose, ProjectInit.Request request) {
        Set<Path> ours = new LinkedHashSet<>();
        ours.add(request.confD().toAbsolutePath().normalize());
        request.mainConfig().ifPresent(m -> ours.add(m.toAbsolutePath().normalize()));
        for (Service service : compose.services().values()) {
            for (Mount mount : service.volumes()) {
                if (mount.kind() == Mount.Kind.BIND && ours.contains(hostPath(compose, mount.source()))) {
                    return Optional.of(service);
                }
            }
        }
        // else the one service that runs nginx's own image, if there is exactly one
        List<Service> nginx = compose.services().values().stream()
                .filter(s -> s.image().map(i -> isNginxImage(i.text())).orElse(false)).toList();
        return nginx.size() == 1 ? Optional.of(nginx.get(0)) : Optional.empty();
    }

    /** An image of nginx's own (the official one, or a mirror of it): one ProxyStage's nginx start knows. */
    private static boolean isNginxImage(String image) {
        return ImageRef.parse(image).name().equals("nginx");
    }

    private static Path hostPath(ComposeFile compose, String source) {
        String expanded = source.startsWith("~") ? System.getProperty("user.home") + source.substring(1) : source;
        return compose.file().getParent().resolve(expanded).toAbsolutePath().normalize();
    }

    private void mapService(ComposeFile compose, Service service, List<Backend> backends, Discovery discovery,
                            ProjectInit.Request request, boolean bindMounts, Map<String, Service> index) {
        String where = "service \"" + service.name() + "\"";
        String alias = backends.get(0).alias();
        String name = validName(service.name()) ? service.name() : alias;
        List<String> aliases = new ArrayList<>();
        for (Backend b : backends.subList(1, backends.size())) {
            aliases.add(b.alias());
        }
        for (String hostName : service.hostNames()) {
            String lower = hostName.toLowerCase(Locale.ROOT);
            if (lower.equals(alias) || aliases.contains(lower)) {
                continue;
            }
            if (index.get(lower) != service) {
                // compose lets services share an alias; a stage gives each host name to one backend
                note(service.line(), where + ": host name '" + hostName + "' is also service \""
                        + index.get(lower).name() + "\"'s; the stage gives it to that one only");
                continue;
            }
            if (HOST_NAME.matcher(lower).matches() && lower.length() <= 63) {
                aliases.add(lower);
            } else {
                note(service.line(), where + ": host name '" + hostName + "' is not carried over: ProxyStage's host"
                        + " names are labels of lower-case letters, digits and '-', joined by '.'");
            }
        }
        List<Integer> ports = new ArrayList<>();
        Set<String> schemes = new LinkedHashSet<>();
        for (Backend b : backends) {
            b.ports().stream().filter(p -> !ports.contains(p)).forEach(ports::add);
            schemes.addAll(b.schemes());
        }
        // Of the ports nginx reaches, the one the service declares (ports, expose) is its main one: a websocket
        // worker's second port, reached from an earlier location, is not what its health check should ask.
        service.ports().stream().map(ComposeFile.Port::port).filter(ports::contains).findFirst().ifPresent(declared -> {
            ports.remove(declared);
            ports.add(0, declared);
        });
        int port = ports.get(0);
        backends.forEach(b -> mainPorts.put(b.alias(), port));
        List<String> y = new ArrayList<>();
        List<String> secretRefs = new ArrayList<>();

        // image
        Optional<ComposeFile.Value> named = service.image();
        if (named.isPresent() && !ImageRef.valid(named.get().text())) {
            // e.g. mattermost/${MATTERMOST_IMAGE}:${MATTERMOST_IMAGE_TAG} with neither variable set: "mattermost/:"
            y.add("    image: echo   # " + where + " names the image " + scalar(named.get().text()) + ", no image"
                    + " reference; name its image");
            note(named.get().line(), where + ": its image '" + named.get().text() + "' is no image reference (a"
                    + " variable it names is unset, or it is malformed); its backend runs the echo backend until you"
                    + " name the image (or set the variable in .env)");
        } else if (service.image().isPresent()) {
            y.add("    image: " + scalar(service.image().get().text()) + "   # " + where + ", "
                    + compose.file().getFileName() + ":" + service.line());
            service.build().ifPresent(b -> note(b.line(), where + ": \"build\" is not carried over: the stage runs"
                    + " the image it names, " + service.image().get().text()));
        } else {
            y.add("    image: echo   # compose builds " + where + "; name the image you build");
            note(service.build().map(ComposeFile.Value::line).orElse(service.line()), where + " has no image"
                    + (service.build().isPresent() ? " (compose builds it)" : "") + "; its backend runs the echo"
                    + " backend until you name the image");
        }
        y.add("    alias: " + scalar(alias));
        if (!aliases.isEmpty()) {
            y.add("    aliases: [" + aliases.stream().map(ComposeBackends::scalar).collect(Collectors.joining(", ")) + "]");
        }
        String portLine = "    port: " + port;
        if (ports.size() > 1) {
            portLine += "   # also reached on " + ports.subList(1, ports.size()).stream().map(String::valueOf)
                    .collect(Collectors.joining(", "));
        }
        y.add(portLine);
        if (!service.ports().isEmpty() && service.ports().stream().noneMatch(p -> p.port() == port)) {
            note(service.ports().get(0).line(), where + " declares the container ports " + service.ports().stream()
                    .map(p -> String.valueOf(p.port())).collect(Collectors.joining(", ")) + ", but the nginx"
                    + " configuration reaches it on " + port + "; pipeline.yml says " + port);
        }
        List<String> unechoed = schemes.stream().filter(sc -> !ProjectInit.ECHOED_SCHEMES.contains(sc)).toList();
        if (!unechoed.isEmpty()) {
            y.add("    # reached over " + String.join(", ", unechoed) + "; the echo backend answers HTTP, FastCGI and"
                    + " uwsgi only");
        }
        if (!schemes.contains("http") && !schemes.contains("https") && !schemes.isEmpty()) {
            note(service.line(), where + " is reached over " + String.join(", ", schemes) + " only: ProxyStage's"
                    + " health check is an HTTP GET, which the echo backend answers on that port offline but a real "
                    + String.join("/", schemes) + " server does not");
        }
        health(compose, service, port, y);
        List<String> prod = new ArrayList<>();
        data(compose, service, request, bindMounts, y, prod);
        envFiles(compose, service, request, y);
        environment(compose, service, y, secretRefs);
        boolean entrypoint = command(compose, service, service.entrypoint(), "entrypoint", y);
        boolean command = command(compose, service, service.command(), "command", y);
        if (!service.dependsOn().isEmpty()) {
            List<String> notBackends = service.dependsOn().stream().map(ComposeFile.Value::text)
                    .filter(d -> !isReached(compose, d, discovery)).toList();
            note(service.dependsOn().get(0).line(), where + ": \"depends_on\" (" + service.dependsOn().stream()
                    .map(ComposeFile.Value::text).collect(Collectors.joining(", ")) + ") is not kept: a stage starts"
                    + " its backends together and waits until each is healthy"
                    + (notBackends.isEmpty() ? "" : "; " + String.join(", ", notBackends) + (notBackends.size() == 1
                    ? " is" : " are") + " not reached by the nginx configuration, so no backend"));
        }
        for (ComposeFile.Value key : service.unsupported()) {
            note(key.line(), where + ": \"" + key.text() + "\" is not carried over");
        }
        Mapped mapped = new Mapped(name, alias, List.copyOf(aliases), service, List.copyOf(ports), List.copyOf(y),
                List.copyOf(prod), List.copyOf(secretRefs), command, entrypoint);
        for (Backend b : backends) {
            byAlias.put(b.alias(), mapped);
            primary.put(b.alias(), alias);
        }
    }

    private static boolean isReached(ComposeFile compose, String service, Discovery discovery) {
        Service s = compose.services().get(service);
        return s != null && s.hostNames().stream().anyMatch(h -> discovery.backends.containsKey(h.toLowerCase(Locale.ROOT)));
    }

    private static boolean validName(String name) {
        return NAME.matcher(name).matches() && name.length() <= MAX_NAME;
    }

    /** {@code healthcheck} → {@code health}: an HTTP GET of the backend's port keeps its path; the waits fold into one. */
    private void health(ComposeFile compose, Service service, int port, List<String> y) {
        String where = "service \"" + service.name() + "\"";
        String path = "/";
        String comment = "";
        Optional<Duration> timeout = Optional.empty();
        if (service.healthcheck().isPresent()) {
            ComposeFile.Healthcheck h = service.healthcheck().get();
            if (h.disabled()) {
                note(h.line(), where + ": its healthcheck is disabled; ProxyStage still waits for GET / to answer");
            } else if (!h.test().isEmpty()) {
                String command = String.join(" ", h.test().subList(1, h.test().size()));
                Matcher m = URL.matcher(command);
                boolean found = false;
                while (m.find()) {
                    String scheme = m.group(1) == null ? "http" : m.group(1);
                    String host = (m.group(2) != null ? m.group(2) : m.group(3)).toLowerCase(Locale.ROOT);
                    if (!LOCAL_HOSTS.contains(host) && !service.hostNames().contains(host)) {
                        continue;
                    }
                    found = true;
                    int probed = m.group(4) != null ? Integer.parseInt(m.group(4)) : scheme.equals("https") ? 443 : 80;
                    if (scheme.equals("https")) {
                        note(h.line(), where + ": its healthcheck asks " + m.group() + " over TLS; ProxyStage's health"
                                + " check is plain HTTP on the backend's port, so health.path stays /");
                    } else if (probed != port) {
                        note(h.line(), where + ": its healthcheck asks port " + probed + ", ProxyStage asks the"
                                + " backend's port " + port + "; health.path stays /");
                    } else {
                        path = m.group(5) == null || m.group(5).isEmpty() ? "/" : m.group(5);
                        comment = "   # from the healthcheck at " + compose.file().getFileName() + ":" + h.line();
                    }
                    break;
                }
                if (!found) {
                    note(h.line(), where + ": its healthcheck test (" + shorten(command) + ") is not an HTTP GET,"
                            + " which is how ProxyStage checks health; health.path stays / (set a path the image"
                            + " answers 2xx or 3xx)");
                }
            }
            if (h.interval().isPresent() || h.retries().isPresent() || h.startPeriod().isPresent()) {
                // compose gives up after start_period plus retries failed probes, one per interval
                Duration interval = h.interval().orElse(Duration.ofSeconds(30));
                int retries = h.retries().orElse(3);
                Duration total = h.startPeriod().orElse(Duration.ZERO).plus(interval.multipliedBy(Math.max(1, retries)));
                if (total.compareTo(MAX_TIMEOUT) > 0) {
                    total = MAX_TIMEOUT;
                }
                if (total.toSeconds() >= 1) {
                    timeout = Optional.of(total);
                }
            }
            if (h.timeout().isPresent()) {
                note(h.line(), where + ": the healthcheck's per-probe \"timeout\" is not carried over (ProxyStage"
                        + " gives each probe 2 s; interval, retries and start_period make health.timeout)");
            }
            h.unsupported().forEach(k -> note(k.line(), where + ": healthcheck \"" + k.text()
                    + "\" is not carried over"));
        }
        y.add("    health:");
        y.add("      path: " + scalar(path) + comment);
        timeout.ifPresent(t -> y.add("      timeout: " + t.toSeconds() + "s   # start_period + retries x interval"));
    }

    /** The first named (or unnamed) volume is the backend's per-stage data; a bind mount only when asked. */
    private void data(ComposeFile compose, Service service, ProjectInit.Request request, boolean bindMounts,
                      List<String> y, List<String> prod) {
        String where = "service \"" + service.name() + "\"";
        Optional<Mount> chosen = Optional.empty();
        for (Mount mount : service.volumes()) {
            String shown = (mount.source().isEmpty() ? "" : mount.source() + ":") + mount.target();
            if (mount.target().isEmpty() || !mount.target().startsWith("/")) {
                note(mount.line(), where + ": volume \"" + shown + "\" names no absolute container path; not carried over");
                continue;
            }
            switch (mount.kind()) {
                case VOLUME, ANONYMOUS -> {
                    if (chosen.isPresent()) {
                        note(mount.line(), where + ": volume \"" + shown + "\" is not carried over: a backend has one"
                                + " data mount in pipeline.yml (" + chosen.get().target() + ")");
                        continue;
                    }
                    chosen = Optional.of(mount);
                    String what = mount.kind() == Mount.Kind.VOLUME ? "volume \"" + mount.source() + "\"" : "an unnamed volume";
                    y.add("    data: " + scalar(mount.target()) + "   # " + what + " (" + compose.file().getFileName()
                            + ":" + mount.line() + "), fresh for each stage and run");
                    if (mount.kind() == Mount.Kind.VOLUME) {
                        List<String> sharing = compose.services().values().stream().filter(s -> s != service)
                                .filter(s -> s.volumes().stream().anyMatch(v -> v.kind() == Mount.Kind.VOLUME
                                        && v.source().equals(mount.source()))).map(Service::name).toList();
                        if (!sharing.isEmpty()) {
                            note(mount.line(), where + ": volume \"" + mount.source() + "\" is shared with "
                                    + String.join(", ", sharing) + " in compose; in a stage each backend has data of"
                                    + " its own");
                        }
                    }
                }
                case BIND -> {
                    Path host = hostPath(compose, mount.source());
                    if (!bindMounts) {
                        note(mount.line(), where + ": bind mount \"" + shown + "\" is not carried over (init"
                                + " --bind-mounts makes it data.hostPath)");
                    } else if (chosen.isPresent()) {
                        note(mount.line(), where + ": bind mount \"" + shown + "\" is not carried over: a backend has"
                                + " one data mount in pipeline.yml (" + chosen.get().target() + ")");
                    } else if (Files.exists(host) && !Files.isDirectory(host)) {
                        note(mount.line(), where + ": bind mount \"" + shown + "\" is a file; pipeline.yml's data"
                                + " mounts a directory, so it is not carried over");
                    } else {
                        // Stages never share a data directory: production's own stage mounts it, read-only as
                        // ProxyStage mounts prod's data, and the test stages get fresh data of their own.
                        chosen = Optional.of(mount);
                        String hostPath = ProjectInit.relative(request.out(), host);
                        y.add("    data: " + scalar(mount.target()) + "   # bind mount " + compose.file().getFileName()
                                + ":" + mount.line() + ": fresh in test stages, the host directory in prod");
                        prod.add("        data: {mount: " + scalar(mount.target()) + ", hostPath: " + scalar(hostPath)
                                + "}   # read-only, as prod's data is");
                        note(mount.line(), where + ": bind mount \"" + shown + "\" is the prod stage's data.hostPath;"
                                + " the test stages get a fresh volume at " + mount.target() + " (add data.seedFrom: "
                                + hostPath + " to copy it in)");
                    }
                }
                default -> note(mount.line(), where + ": " + (mount.source().isEmpty() && mount.kind() == Mount.Kind.OTHER
                        ? "mount \":" + mount.target() + "\" names no source" : mount.kind().name().toLowerCase(Locale.ROOT)
                        + " mount \"" + shown + "\"") + "; not carried over");
            }
        }
    }

    /** env_file: referenced by path, never inlined. */
    private void envFiles(ComposeFile compose, Service service, ProjectInit.Request request, List<String> y) {
        List<String> files = new ArrayList<>();
        for (ComposeFile.EnvFileRef ref : service.envFiles()) {
            Path file = compose.file().getParent().resolve(ref.path()).toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                note(ref.line(), "service \"" + service.name() + "\": env_file " + ref.path() + " does not exist"
                        + (ref.required() ? " (compose would refuse to start)" : "") + "; not referenced");
                continue;
            }
            files.add(scalar(ProjectInit.relative(request.out(), file)));
        }
        if (!files.isEmpty()) {
            y.add("    envFile: [" + String.join(", ", files) + "]   # read when pipeline.yml loads; values are secrets");
        }
    }

    /** environment: plain values copied, secrets as {@code ${env:NAME}} references. */
    private void environment(ComposeFile compose, Service service, List<String> y, List<String> secretRefs) {
        List<String> lines = new ArrayList<>();
        String where = "service \"" + service.name() + "\"";
        for (EnvEntry entry : service.environment()) {
            if (!entry.name().matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                note(entry.line(), where + ": environment name '" + entry.name() + "' is not carried over");
                continue;
            }
            boolean secretName = secretName(entry.name());
            if (entry.raw().isEmpty()) {
                // compose takes such a variable from its own environment
                Optional<String> value = compose.variable(entry.name());
                if (secretName || value.map(ComposeBackends::looksSecret).orElse(false)) {
                    lines.add(secretLine(entry.name(), entry.name(), secretRefs));
                } else if (value.isPresent()) {
                    lines.add("      " + entry.name() + ": " + scalar(value.get()));
                } else {
                    note(entry.line(), where + ": environment " + entry.name() + " has no value and is not set; left"
                            + " out, as compose leaves it out");
                }
                continue;
            }
            String raw = entry.raw().get();
            Matcher sole = SOLE_REFERENCE.matcher(raw.strip());
            boolean soleReference = sole.matches();
            String variable = !soleReference ? entry.name() : sole.group(1) != null ? sole.group(1) : sole.group(3);
            String operator = soleReference && sole.group(2) != null ? sole.group(2) : "";
            boolean required = operator.endsWith("?");
            ComposeInterpolation.Result result;
            try {
                result = compose.interpolate(raw);
            } catch (ComposeInterpolation.Failure e) {
                // a required variable: the stage takes it from the environment as compose would
                lines.add(secretLine(entry.name(), e.variable().orElse(entry.name()), secretRefs));
                note(entry.line(), where + ": environment " + entry.name() + " needs "
                        + e.variable().orElse(entry.name()) + " (" + e.getMessage() + "); pipeline.yml takes it from"
                        + " the environment as ${env:" + e.variable().orElse(entry.name()) + "}");
                continue;
            }
            boolean secretVariable = result.variables().stream().anyMatch(ComposeBackends::secretName);
            if (!result.unset().isEmpty() && !secretName && !secretVariable) {
                note(entry.line(), where + ": environment " + entry.name() + ": " + String.join(", ", result.unset())
                        + (result.unset().size() == 1 ? " is" : " are") + " not set; an empty string is used, as compose"
                        + " does");
            }
            if (secretName || secretVariable || looksSecret(result.value()) || required) {
                lines.add(secretLine(entry.name(), variable, secretRefs));
                if (operator.endsWith("-")) {
                    note(entry.line(), where + ": environment " + entry.name() + " takes ${env:" + variable + "};"
                            + " compose's default for it is not kept (a secret's value is never copied)");
                } else if (!soleReference && !result.variables().isEmpty()) {
                    note(entry.line(), where + ": environment " + entry.name() + " is built from "
                            + String.join(", ", result.variables()) + "; pipeline.yml takes the whole value from"
                            + " ${env:" + variable + "}");
                }
                continue;
            }
            lines.add("      " + entry.name() + ": " + scalar(result.value()));
        }
        if (!lines.isEmpty()) {
            y.add("    env:");
            y.addAll(lines);
        }
        if (!secretRefs.isEmpty()) {
            note(service.environment().get(0).line(), where + ": " + String.join(", ", secretRefs)
                    + (secretRefs.size() == 1 ? " is a secret" : " are secrets") + ", never copied: pipeline.yml takes "
                    + (secretRefs.size() == 1 ? "it" : "them") + " from the environment the stage runs in"
                    + " (${env:NAME}), the offline overlay gives placeholders");
        }
    }

    /**
     * A name that says its value is a secret: PASSWORD, SECRET, TOKEN, KEY, … or PASS as a word (DB_PASS, DBPASS);
     * not one that ends by naming a place (OAUTH_TOKEN_URL, KEYCLOAK_HOST): its value is judged on its own.
     */
    static boolean secretName(String name) {
        return SECRET_NAME.matcher(name).matches() && !PLACE_NAME.matcher(name).matches();
    }

    private static String secretLine(String name, String variable, List<String> secretRefs) {
        secretRefs.add(name);
        return "      " + name + ": '${env:" + variable + "}'   # a secret: set " + variable + " where the stage runs";
    }

    /**
     * A value that looks like a secret whatever its name: credentials in a URL, a PEM block, or a long random-looking
     * token (letters and digits mixed, no spaces, at least 3.5 bits of entropy per character).
     */
    static boolean looksSecret(String value) {
        if (value.contains("-----BEGIN")) {
            return true;
        }
        if (value.matches("(?s)[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\\s:]*:[^/@\\s]+@.*")) {
            return true;
        }
        // a URL that carries a credential in its query (?token=..., &api_key=...)
        if (value.contains("://") && SECRET_QUERY.matcher(value).find()) {
            return true;
        }
        if (value.length() < 20 || value.chars().anyMatch(Character::isWhitespace) || value.startsWith("/")
                || value.contains("://")) {
            return false;
        }
        boolean letters = value.chars().anyMatch(Character::isLetter);
        boolean digits = value.chars().anyMatch(Character::isDigit);
        return letters && digits && entropy(value) >= 3.5;
    }

    private static double entropy(String value) {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        value.chars().forEach(c -> counts.merge(c, 1, Integer::sum));
        double bits = 0;
        for (int count : counts.values()) {
            double p = (double) count / value.length();
            bits -= p * (Math.log(p) / Math.log(2));
        }
        return bits;
    }

    /** command or entrypoint as a list; an empty override does not map. True when written. */
    private boolean command(ComposeFile compose, Service service, Optional<ComposeFile.Command> given, String key,
                            List<String> y) {
        if (given.isEmpty()) {
            return false;
        }
        if (given.get().args().isEmpty()) {
            note(given.get().line(), "service \"" + service.name() + "\": \"" + key + "\" set to nothing (the image's "
                    + key + " dropped) is not carried over");
            return false;
        }
        y.add("    " + key + ": [" + given.get().args().stream().map(ComposeBackends::doubleQuoted)
                .collect(Collectors.joining(", ")) + "]");
        return true;
    }

    /** A stage's entry in pipeline.yml's {@code stages} when it overrides backends (prod's bind mounts), else empty. */
    Optional<String> stageEntry(String stage) {
        if (!stage.equals("prod")) {
            return Optional.empty();
        }
        StringBuilder y = new StringBuilder();
        byAlias.values().stream().distinct().filter(m -> !m.prodLines().isEmpty()).forEach(m -> {
            y.append("      ").append(m.name()).append(":\n");
            m.prodLines().forEach(line -> y.append(line).append('\n'));
        });
        return y.length() == 0 ? Optional.empty() : Optional.of("  prod:\n    backends:\n" + y);
    }

    /** The backend's lines in pipeline.yml, after its {@code name:} line. */
    void writeBackend(StringBuilder y, Backend b) {
        Mapped m = byAlias.get(b.alias());
        y.append("  ").append(m.name()).append(":\n");
        m.lines().forEach(line -> y.append(line).append('\n'));
    }

    /** The backend's lines in the offline overlay: the echo backend on every port, and nothing the echo refuses. */
    void writeOverlay(StringBuilder y, Backend b) {
        Mapped m = byAlias.get(b.alias());
        y.append("  ").append(m.name()).append(":\n    image: echo\n");
        if (m.hasCommand()) {
            y.append("    command: null\n");
        }
        if (m.hasEntrypoint()) {
            y.append("    entrypoint: null\n");
        }
        if (m.ports().size() > 1) {
            y.append("    ports: [").append(m.ports().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                    .append("]\n");
        }
        if (!m.secretRefs().isEmpty()) {
            y.append("    env:   # the echo needs no secret: offline runs need none set\n");
            m.secretRefs().forEach(name -> y.append("      ").append(name).append(": ").append(OFFLINE_SECRET).append('\n'));
        }
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./:@=,+-]*");

    /** A YAML scalar that reads back as exactly {@code value}. */
    static String scalar(String value) {
        if (PLAIN.matcher(value).matches() && !value.contains(": ") && !value.endsWith(":")) {
            return value;
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            return doubleQuoted(value);
        }
        return "'" + value.replace("'", "''") + "'";
    }

    static String doubleQuoted(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
