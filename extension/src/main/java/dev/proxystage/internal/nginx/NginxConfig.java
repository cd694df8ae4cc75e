package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed nginx configuration and the view of it a stage needs: servers, listen ports, upstreams, resolvers and
 * where each {@code proxy_pass} goes.
 *
 * <p>Parsing reads only host files and fails with an {@link NginxConfigException} ({@code file:line: message}) on
 * anything nginx itself would reject at that point: unbalanced braces, a missing ";", an unterminated quote, a
 * missing include, an include loop, a file that is not UTF-8, a malformed listen or proxy_pass. An empty conf.d is
 * no error: nginx accepts it, and the servers may all be in the main nginx.conf.
 */
public final class NginxConfig {

    private final ParseRequest request;
    private final List<Directive> directives;
    private final List<Path> files;
    private final List<ServerBlock> servers;
    private final List<Upstream> upstreams;
    private final List<Resolver> resolvers;
    private final List<ProxyTarget> proxyTargets;
    private final Set<Integer> listenPorts;
    private final List<Listen> listens;
    private final boolean loadsModules;

    private NginxConfig(ParseRequest request, List<Directive> directives, List<Path> files, ViewBuilder view,
                        boolean loadsModules) {
        this.request = request;
        this.directives = List.copyOf(directives);
        this.files = List.copyOf(files);
        this.servers = List.copyOf(view.servers);
        this.upstreams = List.copyOf(view.upstreams);
        this.resolvers = List.copyOf(view.resolvers);
        this.proxyTargets = List.copyOf(view.targets);
        this.listenPorts = Collections.unmodifiableSet(new LinkedHashSet<>(view.ports));
        this.listens = List.copyOf(view.listens);
        this.loadsModules = loadsModules;
    }

    /**
     * Parses the configuration {@code request} describes, splicing includes in.
     *
     * @throws NginxConfigException when the configuration is broken, pointing at the host file and line
     */
    public static NginxConfig parse(ParseRequest request) {
        Parser parser = new Parser(request);
        List<Directive> directives = parser.parse();
        ViewBuilder view = new ViewBuilder(request);
        view.build(directives);
        boolean loads = parser.includesImageModules()
                || directives.stream().anyMatch(d -> d.name().equals("load_module"));
        return new NginxConfig(request, directives, parser.files(), view, loads);
    }

    /** Shorthand for {@code parse(ParseRequest.of(hostConfD))}: conf.d alone, as in the official nginx image. */
    public static NginxConfig parse(Path hostConfD) {
        return parse(ParseRequest.of(hostConfD));
    }

    public ParseRequest request() {
        return request;
    }

    /**
     * The main context's directives. Without a main nginx.conf this is a single synthetic {@code http} directive
     * (located at the conf.d directory, line 0) holding every {@code conf.d/*.conf} in name order.
     */
    public List<Directive> directives() {
        return directives;
    }

    /** Every host file read, in the order first read. */
    public List<Path> files() {
        return files;
    }

    /** The host path behind a container path, e.g. to translate {@code nginx -t} messages; see {@link ParseRequest}. */
    public Optional<Path> hostPathOf(String containerPath) {
        return request.hostPathOf(containerPath);
    }

    /** The http {@code server} blocks, in configuration order. */
    public List<ServerBlock> servers() {
        return servers;
    }

    /** The {@code upstream} blocks of http and stream. */
    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** Every {@code resolver} directive, wherever it is. */
    public List<Resolver> resolvers() {
        return resolvers;
    }

    /** Where every pass directive sends requests; see {@link ProxyTarget}. */
    public List<ProxyTarget> proxyTargets() {
        return proxyTargets;
    }

    /**
     * Whether the main nginx.conf loads modules ({@code load_module}, or an include of the image's modules-enabled
     * directory): their directives and variables are not in nginx's own table.
     */
    public boolean loadsModules() {
        return loadsModules;
    }

    /** Every port any server (http or stream) listens on, ascending: the ports a stage's nginx exposes. */
    public Set<Integer> listenPorts() {
        return listenPorts;
    }

    /** Every {@code listen} of every server, http and stream, in configuration order (implicit {@code *:80} too). */
    public List<Listen> listens() {
        return listens;
    }

    /**
     * Whether a pass to {@code host:port} reaches this nginx itself: a loopback address (or {@code localhost}) on a
     * port one of its own servers listens on there. Such a pass never leaves the container, and is no backend.
     */
    public boolean isOwnListener(String host, int port) {
        if (port <= 0) {
            return false;
        }
        for (Listen l : listens) {
            if (l.port() == port && Listens.reaches(l.address(), host)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The main context's {@code daemon} directive, when the main nginx.conf sets it: then the stage must not pass
     * {@code -g 'daemon off;'} as well (nginx refuses a directive set twice).
     */
    public Optional<Directive> daemon() {
        if (request.mainConf().isEmpty()) {
            return Optional.empty();
        }
        return directives.stream().filter(d -> d.name().equals("daemon") && !d.hasBlock()).findFirst();
    }
}
