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
 * missing include, an include loop, a file that is not UTF-8, an empty conf.d, a malformed listen or proxy_pass.
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
}
