package dev.proxystage.internal.init;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.ComposeFile;
import dev.proxystage.internal.init.Discovery.Backend;
import dev.proxystage.internal.init.StarterRouteTable.Route;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.tls.ServerNameException;
import dev.proxystage.internal.tls.ServerNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Onboarding from an existing conf.d: discovers every backend the configuration reaches and writes a pipeline.yml
 * (one backend per upstream host, under its shared alias), the offline overlay that runs each one as the echo
 * backend, and a starter routes.yml (one expectation per server name and location).
 *
 * <p>{@link #plan} only reads the configuration and returns the files' text; {@link #write} puts them on disk.
 */
public final class ProjectInit {

    public static final String PIPELINE = "pipeline.yml";
    public static final String OFFLINE = "pipeline-offline.yml";
    public static final String ROUTES = "routes.yml";
    /**
     * The empty stand-in that pipeline.yml's nginx.files places where nginx's {@code try_files} looks for a script
     * before it passes the request on (written only when a route needs one).
     */
    public static final String STAND_IN = "stand-in.php";
    public static final List<String> STAGES = List.of("seed", "wip", "prep", "ship", "prod");
    public static final String NGINX_IMAGE = "nginx:1.27.3";
    /** Stands in for a regex server_name's test host that no rule could derive: check reports it until replaced. */
    public static final String PLACEHOLDER_HOST = "replace-me.invalid";

    /** What the echo backend answers: plain HTTP, and FastCGI and uwsgi on the same ports. */
    static final Set<String> ECHOED_SCHEMES = Set.of("http", "fastcgi", "uwsgi");

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./:-]*");

    private ProjectInit() {
    }

    /**
     * What to read and where the files will go.
     *
     * @param confD      the host conf.d directory
     * @param mainConfig a main nginx.conf, placed at /etc/nginx/nginx.conf
     * @param files      extra container path to host path mappings, directories or single files (includes outside
     *                   conf.d, files such as dhparams)
     * @param out        the directory the files are written to; paths in pipeline.yml are relative to it
     */
    public record Request(Path confD, Optional<Path> mainConfig, Map<String, Path> files, Path out,
                          Compose compose) {
        public Request {
            Objects.requireNonNull(confD, "confD");
            Objects.requireNonNull(mainConfig, "mainConfig");
            files = Map.copyOf(files);
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(compose, "compose");
        }

        /** A request that reads a compose file beside conf.d or the main config if there is one, without its bind mounts. */
        public Request(Path confD, Optional<Path> mainConfig, Map<String, Path> files, Path out) {
            this(confD, mainConfig, files, out, Compose.FOUND);
        }
    }

    /**
     * Where the backends' definitions come from besides conf.d: a compose file.
     *
     * @param file        the compose file; empty: the one found beside conf.d or the main config, if any
     * @param find        whether to look for one when {@code file} is empty
     * @param bindMounts  whether bind mounts become {@code data.hostPath}
     * @param environment the variables its interpolation sees (init passes its own environment)
     */
    public record Compose(Optional<Path> file, boolean find, boolean bindMounts, Map<String, String> environment) {

        /** The compose file found beside conf.d or the main config, no bind mounts, an empty environment. */
        public static final Compose FOUND = new Compose(Optional.empty(), true, false, Map.of());

        /** No compose file, even when there is one. */
        public static final Compose NONE = new Compose(Optional.empty(), false, false, Map.of());

        public Compose {
            Objects.requireNonNull(file, "file");
            environment = Map.copyOf(environment);
        }
    }

    /** Something init could not decide, at the place in the configuration it comes from. */
    public record Note(Path file, int line, String message) {
        /** {@code file:line: message}. */
        public String text() {
            return (line > 0 ? file + ":" + line : file.toString()) + ": " + message;
        }
    }

    /** One file to write: its name in the output directory and its text. */
    public record GeneratedFile(String name, String content) {
    }

    /**
     * What init would write.
     *
     * @param files    pipeline.yml, pipeline-offline.yml and routes.yml, in that order, and stand-in.php when a route needs it
     * @param backends the backend aliases, in the order conf.d first reaches them
     * @param routes   how many routes routes.yml holds
     * @param notes    what could not be decided, one line each
     * @param composeImages how many backends carry their compose service's image
     */
    public record Plan(List<GeneratedFile> files, List<String> backends, int routes, List<Note> notes,
                       int composeImages) {
        public Plan {
            files = List.copyOf(files);
            backends = List.copyOf(backends);
            notes = List.copyOf(notes);
        }

        public Plan(List<GeneratedFile> files, List<String> backends, int routes, List<Note> notes) {
            this(files, backends, routes, notes, 0);
        }

        public String content(String name) {
            return files.stream().filter(f -> f.name().equals(name)).findFirst().map(GeneratedFile::content)
                    .orElseThrow();
        }
    }

    /**
     * Parses the configuration and returns the files init writes for it.
     *
     * @throws ProxyStageException when conf.d is missing or broken ({@code file:line: message}), or reaches no
     *                             backend at all
     */
    public static Plan plan(Request request) {
        if (!Files.isDirectory(request.confD())) {
            throw new ProxyStageException("conf.d directory not found: " + request.confD());
        }
        request.mainConfig().ifPresent(main -> {
            if (!Files.isRegularFile(main)) {
                throw new ProxyStageException("main nginx configuration not found: " + main);
            }
        });
        for (Map.Entry<String, Path> f : request.files().entrySet()) {
            // A directory, or a single file (/etc/nginx/dhparams.pem=certs/dhparams.pem).
            if (!Files.exists(f.getValue())) {
                throw new ProxyStageException("directory for " + f.getKey() + " not found: " + f.getValue());
            }
        }
        ParseRequest parse = ParseRequest.of(request.confD()).withFiles(request.files());
        if (request.mainConfig().isPresent()) {
            parse = parse.withMainConf(request.mainConfig().get());
        }
        NginxConfig config = NginxConfig.parse(parse);
        if (request.mainConfig().isEmpty()) {
            refuseMainConfigInConfD(config);
        }
        List<Note> composeNotes = new ArrayList<>();
        Optional<ComposeFile> compose = request.compose().file()
                .or(() -> request.compose().find() ? ComposeBackends.find(request.confD(), request.mainConfig(), composeNotes)
                        : Optional.empty())
                .map(file -> ComposeFile.read(file, request.compose().environment()));
        Discovery discovery = Discovery.of(config, ComposeBackends.hostNames(compose));
        List<Note> notes = new ArrayList<>(discovery.notes);
        if (discovery.backends.isEmpty()) {
            // The cause on one line, then every undecided pass on a line of its own: each may be the one to fix.
            StringBuilder why = new StringBuilder(request.mainConfig().orElse(request.confD()) + ": no backend found:"
                    + " no proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass or grpc_pass reaches a host that can be a"
                    + " container on the stage network");
            if (!notes.isEmpty()) {
                why.append(" (").append(notes.size()).append(" undecided, below)");
                notes.forEach(n -> why.append('\n').append(n.text()));
            }
            throw new ProxyStageException(why.toString());
        }
        ComposeBackends mapping = compose.map(c -> ComposeBackends.map(c, discovery, request,
                request.compose().bindMounts())).orElseGet(ComposeBackends::none);
        notes.addAll(composeNotes);
        notes.addAll(mapping.notes());
        Map<String, String> testNames = new LinkedHashMap<>();
        Map<String, String> placeholders = new LinkedHashMap<>();
        testNames(config, testNames, placeholders, notes);
        StarterRouteTable.Built routes = StarterRouteTable.build(config, discovery, testNames, request.out());
        notes.addAll(routes.notes());
        for (Backend b : discovery.backends.values()) {
            int main = mapping.mainPort(b.alias()).orElse(b.ports().get(0));
            for (int i = 0; i < b.ports().size(); i++) {
                if (b.ports().get(i) == main) {
                    continue;
                }
                Directive at = b.definedAt().get(i);
                notes.add(new Note(at.file(), at.line(), "backend '" + b.alias() + "' is also reached on port "
                        + b.ports().get(i) + "; pipeline.yml names port " + main
                        + " (the others are a comment), the offline overlay's echo answers on all of them"));
            }
        }
        SortedSet<String> placed = new TreeSet<>();
        routes.routes().stream().filter(Route::active).forEach(r -> placed.addAll(r.placed()));
        List<GeneratedFile> files = new ArrayList<>(List.of(
                new GeneratedFile(PIPELINE, pipeline(request, discovery, testNames, placeholders, mapping, placed)),
                new GeneratedFile(OFFLINE, offline(discovery, mapping)),
                new GeneratedFile(ROUTES, routes(request, routes.routes(), mapping))));
        if (!placed.isEmpty()) {
            files.add(new GeneratedFile(STAND_IN, "<?php\n// Written by proxystage init: an empty stand-in that the"
                    + " stage's nginx finds where its try_files\n// looks for a script (pipeline.yml's nginx.files);"
                    + " in production the app's files are there.\n// nginx only checks that it exists: the backend"
                    + " runs its own copy of the script.\n"));
        }
        List<String> backends = discovery.backends.keySet().stream().filter(a -> !mapping.merged(a)).toList();
        return new Plan(files, backends, (int) routes.routes().stream().filter(Route::active).count(),
                notes, (int) mapping.withImage());
    }

    /**
     * Writes the plan's files into {@code out}, creating it if needed: all of them or none (see {@link FileSet}).
     *
     * @throws ProxyStageException when one of them exists and {@code force} is false, is a symbolic link or not a
     *                             file, or a write fails; then nothing of the set is written
     */
    public static List<Written> write(Plan plan, Path out, boolean force) {
        return write(plan, out, force, FileSet.DISK);
    }

    static List<Written> write(Plan plan, Path out, boolean force, FileSet.Ops ops) {
        Map<String, String> files = new LinkedHashMap<>();
        plan.files().forEach(f -> files.put(f.name(), f.content()));
        return FileSet.write(out, files, force, ops).stream().map(w -> new Written(w.path(), w.replaced())).toList();
    }

    /** One file init wrote, and whether it replaced one ({@code --force}). */
    public record Written(Path path, boolean replaced) {
    }

    /**
     * nginx reads conf.d/*.conf inside {@code http { }}; a file there with its own {@code http} or {@code events}
     * block is a main configuration, whose servers would sit in an http inside http.
     */
    private static void refuseMainConfigInConfD(NginxConfig config) {
        for (Directive http : config.directives()) {
            for (Directive d : http.block()) {
                if (d.name().equals("http") || d.name().equals("events")) {
                    throw new ProxyStageException(d.where() + ": \"" + d.name() + "\" block in a conf.d file, which"
                            + " nginx reads inside http { }: " + d.file().getFileName() + " is a main configuration;"
                            + " give it with --main-config (conf.d may then be empty)");
                }
            }
        }
    }

    /** Placeholders for server names no test host derives from (ProxyStage derives the others itself). */
    private static void testNames(NginxConfig config, Map<String, String> testNames, Map<String, String> placeholders,
                                  List<Note> notes) {
        for (ServerBlock server : config.servers()) {
            for (String name : server.serverNames()) {
                if (testNames.containsKey(name) || placeholders.containsKey(name)) {
                    continue;
                }
                if (name.startsWith("~")) {
                    if (derivable(name)) {
                        continue;
                    }
                } else if (!name.equals("$hostname")) {
                    continue;
                }
                placeholders.put(name, PLACEHOLDER_HOST);
                notes.add(new Note(server.file(), server.line(), "no test host can be derived for server_name \""
                        + name + "\"; pipeline.yml's tls.testNames has a placeholder for it: name a host it matches"));
            }
        }
    }

    /** Whether ProxyStage derives a test host for {@code serverName} on its own, as a stage start would. */
    private static boolean derivable(String serverName) {
        try {
            return ServerNames.testHostName(serverName, Map.of()).isPresent();
        } catch (ServerNameException e) {
            return false;
        }
    }

    private static String pipeline(Request request, Discovery discovery, Map<String, String> testNames,
                                   Map<String, String> placeholders, ComposeBackends compose,
                                   SortedSet<String> placed) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by proxystage init from ").append(relative(request.out(), request.confD()))
                .append(": one backend per upstream host conf.d reaches,\n")
                .append(compose.describe(request.out()).orElse("# under the name conf.d uses for it. Each runs"
                        + " ProxyStage's echo backend until you name its image.\n"));
        y.append("defaultStage: prep\n\nstages:\n");
        for (String stage : STAGES) {
            y.append(compose.stageEntry(stage).orElse("  " + stage + ": {}\n"));
        }
        y.append("\nnginx:\n  image: ").append(scalar(compose.nginxImage().orElse(NGINX_IMAGE))).append('\n');
        y.append("  confDir: ").append(scalar(relative(request.out(), request.confD()))).append('\n');
        request.mainConfig().ifPresent(main -> y.append("  mainConfig: ").append(scalar(relative(request.out(), main)))
                .append('\n'));
        if (!request.files().isEmpty() || !placed.isEmpty()) {
            y.append("  files:\n");
            new TreeMap<>(request.files()).forEach((container, host) -> y.append("    ")
                    .append(scalar(container)).append(": ").append(scalar(relative(request.out(), host))).append('\n'));
            if (!placed.isEmpty()) {
                y.append("    # nginx's try_files checks that these scripts exist before it passes the request on;"
                        + " in production\n    # the app's files are there, in a stage an empty stand-in is\n");
            }
            for (String file : placed) {
                y.append("    ").append(scalar(file)).append(": ").append(STAND_IN).append('\n');
            }
        }
        y.append("\nbackends:\n");
        for (Backend b : discovery.backends.values()) {
            if (compose.merged(b.alias())) {
                continue; // a further host name of its service's backend
            }
            Directive at = b.definedAt().get(0);
            y.append("  # ").append(relative(request.out(), at.file())).append(':').append(at.line()).append('\n');
            if (compose.mapped(b.alias())) {
                compose.writeBackend(y, b);
                continue;
            }
            if (!b.name().equals(b.alias())) {
                y.append("  # named shorter than its host: a backend's container name must fit a DNS label\n");
            }
            y.append("  ").append(b.name()).append(":\n");
            y.append("    image: echo   # replace with the image that serves ").append(b.alias()).append('\n');
            y.append("    alias: ").append(b.alias()).append('\n');
            y.append("    port: ").append(b.ports().get(0));
            if (b.ports().size() > 1) {
                y.append("   # also reached on ").append(b.ports().subList(1, b.ports().size()).stream()
                        .map(String::valueOf).collect(Collectors.joining(", ")));
            }
            y.append('\n');
            List<String> other = b.schemes().stream().filter(s -> !ECHOED_SCHEMES.contains(s)).toList();
            if (!other.isEmpty()) {
                y.append("    # reached over ").append(String.join(", ", other))
                        .append("; the echo backend answers HTTP, FastCGI and uwsgi only\n");
            }
            y.append("    health:\n      path: /\n");
        }
        if (!testNames.isEmpty() || !placeholders.isEmpty()) {
            y.append("\ntls:\n  testNames:\n");
            testNames.forEach((name, host) -> y.append("    ").append(quoted(name)).append(": ").append(host)
                    .append('\n'));
            placeholders.forEach((name, host) -> y.append("    ").append(quoted(name)).append(": ").append(host)
                    .append("   # placeholder: name a host this server_name matches\n"));
        }
        return y.toString();
    }

    private static String offline(Discovery discovery, ComposeBackends compose) {
        StringBuilder y = new StringBuilder();
        y.append("# Offline profile (-Dproxystage.profile=offline): the images scripts/build-offline-images.sh"
                + " builds,\n# and the echo backend in place of every app, under the same alias, port and health"
                + " path.\n");
        y.append("nginx:\n  image: proxystage/nginx:offline\n\necho:\n  image: proxystage/jre:17-offline\n\n");
        y.append("backends:\n");
        for (Backend b : discovery.backends.values()) {
            if (compose.merged(b.alias())) {
                continue;
            }
            if (compose.mapped(b.alias())) {
                compose.writeOverlay(y, b);
                continue;
            }
            y.append("  ").append(b.name()).append(":\n    image: echo\n");
            if (b.ports().size() > 1) {
                // The echo answers on every port the conf.d reaches it on.
                y.append("    ports: [").append(b.ports().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                        .append("]\n");
            }
        }
        return y.toString();
    }

    private static String routes(Request request, List<Route> routes, ComposeBackends compose) {
        StringBuilder y = new StringBuilder();
        y.append("# routes.yml: what each request through the stage's nginx must do.\n")
                .append("# Written by proxystage init: one route per server name and location that reaches one"
                        + " backend,\n# as nginx's rules take the request there (rewrites, try_files, named locations);"
                        + " a route that\n# cannot pass in a stage is commented out, with the reason.\n");
        if (routes.isEmpty()) {
            return y.append("routes: []\n").toString();
        }
        // With every route commented out, a bare "routes:" is null, which check refuses: the list is written empty.
        boolean anyActive = routes.stream().anyMatch(r -> r.gate().isEmpty());
        y.append(anyActive ? "routes:\n" : "routes: []  # every route below is commented out\n");
        for (Route r : routes) {
            for (String comment : r.comments()) {
                y.append(comment(comment));
            }
            y.append("  # ").append(relative(request.out(), r.from().file())).append(':').append(r.from().line())
                    .append(" location ").append(StarterRouteTable.describe(r.from())).append('\n');
            if (r.gate().isPresent()) {
                StarterRouteTable.Gate gate = r.gate().get();
                if (gate.deny()) {
                    // A deny: whether the stage client's address is allowed depends on Docker's subnets.
                    Directive deny = gate.at();
                    y.append("  # restricted by \"deny ").append(String.join(" ", deny.args())).append("\" at ")
                            .append(relative(request.out(), deny.file())).append(':').append(deny.line())
                            .append(": the stage client's address decides; enable it with an allowed address\n");
                } else {
                    y.append(comment("commented out: " + gate.reason()));
                }
                y.append("  # - request: ").append(scalar(r.request())).append('\n');
                y.append("  #   expect: {backend: ").append(backends(compose, r)).append("}\n");
                continue;
            }
            if (r.backends().size() > 1) {
                y.append(comment("one of the backends answers, as nginx balances the upstream's servers"));
            }
            y.append("  - request: ").append(scalar(r.request())).append('\n');
            y.append("    expect: {backend: ").append(backends(compose, r)).append("}\n");
        }
        return y.toString();
    }

    /** routes.yml's backend: the one name, or the list of an upstream's servers (one of them answers). */
    private static String backends(ComposeBackends compose, StarterRouteTable.Route r) {
        List<String> names = r.backends().stream().map(compose::primaryAlias).distinct().toList();
        return names.size() == 1 ? names.get(0) : "[" + String.join(", ", names) + "]";
    }

    /** A comment for routes.yml, wrapped at about 110 characters. */
    private static String comment(String text) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder("  #");
        for (String word : text.split(" ")) {
            if (line.length() > 4 && line.length() + 1 + word.length() > 110) {
                out.append(line).append('\n');
                line = new StringBuilder("  #");
            }
            line.append(' ').append(word);
        }
        return out.append(line).append('\n').toString();
    }

    /** {@code path} relative to {@code dir}, with forward slashes; absolute when it has no relative form. */
    static String relative(Path dir, Path path) {
        Path base = dir.toAbsolutePath().normalize();
        Path target = path.toAbsolutePath().normalize();
        if (base.getRoot() == null || !base.getRoot().equals(target.getRoot())) {
            return target.toString();
        }
        String rel = base.relativize(target).toString().replace('\\', '/');
        return rel.isEmpty() ? "." : rel;
    }

    private static String scalar(String value) {
        return PLAIN.matcher(value).matches() && !value.contains(": ") ? value : quoted(value);
    }

    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
