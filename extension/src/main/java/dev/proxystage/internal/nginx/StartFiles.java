package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The files and directories nginx opens when it starts, named at the directive's host {@code file:line} when nothing
 * places them in the container: conf.d, {@code nginx.files} (a directory or a single file), the main nginx.conf and
 * the certificates ProxyStage issues (and their chain, {@link TrustedChains}) are placed; what the image has on its
 * own ({@link ImageLayout}) is there.
 * nginx would stop at start on each of these ({@code open() ... failed}, {@code BIO_new_file() failed},
 * {@code mkdir() ... failed}), so they are errors; with an image whose layout ProxyStage does not know they are
 * warnings, as that image may have them. {@code auth_basic_user_file} is read per request, so missing it is a
 * warning: nginx starts, and requests there answer 500.
 */
public final class StartFiles {

    /** Files of the http ssl module, loaded when a server with certificates is configured. */
    private static final Set<String> TLS_FILES = Set.of("ssl_dhparam", "ssl_trusted_certificate",
            "ssl_client_certificate", "ssl_crl", "ssl_session_ticket_key", "ssl_stapling_file");
    /** Files of the proxy module's TLS to upstreams, loaded for a location that passes over https. */
    private static final Set<String> PROXY_TLS_FILES = Set.of("proxy_ssl_certificate", "proxy_ssl_certificate_key",
            "proxy_ssl_trusted_certificate", "proxy_ssl_crl");
    /** A cache's directory, which nginx creates at start (one level, as for the temp paths). */
    private static final Set<String> CACHE_PATHS = Set.of("proxy_cache_path", "fastcgi_cache_path",
            "uwsgi_cache_path", "scgi_cache_path");
    private static final Set<String> TEMP_PATHS = Set.of("client_body_temp_path", "proxy_temp_path",
            "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path");

    private final NginxConfig config;
    private final ParseRequest request;
    private final String image;
    private final ImageLayout layout;
    private final Set<String> certificates = new LinkedHashSet<>();
    private final Map<Directive, ServerBlock> servers = new IdentityHashMap<>();
    private final List<Problem> problems = new ArrayList<>();

    private StartFiles(NginxConfig config, String image) {
        this.config = config;
        this.request = config.request();
        this.image = image;
        this.layout = ImageLayout.of(image);
        for (ServerBlock server : config.servers()) {
            servers.put(server.directive(), server);
            server.sslCertificates().forEach(ref -> certificates.add(ref.path()));
            server.sslCertificateKeys().forEach(ref -> certificates.add(ref.path()));
        }
        // the chain beside a server's certificate: the stage places its test CA there (TrustedChains)
        certificates.addAll(TrustedChains.of(config));
    }

    /**
     * Every path nginx opens at start that nothing places in the container of {@code image}, in configuration order.
     */
    public static List<Problem> check(NginxConfig config, String image) {
        StartFiles check = new StartFiles(config, image);
        check.walk();
        return List.copyOf(check.problems);
    }

    // An explicit stack, not recursion: nginx accepts any nesting depth.
    private void walk() {
        record Frame(Iterator<Directive> children, Directive block) {
        }
        Deque<Frame> open = new ArrayDeque<>();
        List<Directive> chain = new ArrayList<>();
        open.push(new Frame(config.directives().iterator(), null));
        while (!open.isEmpty()) {
            Frame top = open.peek();
            if (!top.children().hasNext()) {
                open.pop();
                if (top.block() != null) {
                    chain.remove(chain.size() - 1);
                }
                continue;
            }
            Directive d = top.children().next();
            if (d.hasBlock()) {
                if (!Parser.DATA_BLOCKS.contains(d.name())) {
                    chain.add(d);
                    open.push(new Frame(d.block().iterator(), d));
                }
                continue;
            }
            directive(d, chain);
        }
    }

    private void directive(Directive d, List<Directive> chain) {
        String name = d.name();
        if (d.args().isEmpty()) {
            return;
        }
        String value = d.args().get(0);
        if (name.equals("user") && chain.isEmpty()) {
            user(d, value);
            return;
        }
        if (name.equals("load_module") && chain.isEmpty()) {
            module(d, value);
            return;
        }
        if (value.indexOf('$') >= 0) {
            return; // opened per request, with the request's values
        }
        if (TLS_FILES.contains(name)) {
            if (inHttp(chain) && loadedByATlsServer(d, chain)) {
                file(d, value, true);
            }
        } else if (PROXY_TLS_FILES.contains(name)) {
            if (inHttp(chain) && proxiesOverTls(chain.get(chain.size() - 1)) && (name.equals("proxy_ssl_certificate")
                    || name.equals("proxy_ssl_certificate_key") || verifiesUpstreams(chain))) {
                file(d, value, true);
            }
        } else if (name.equals("ssl_password_file")) {
            if (inHttp(chain)) {
                file(d, value, true); // read as the directive is parsed
            }
        } else if (name.equals("auth_basic_user_file")) {
            file(d, value, false);
        } else if (name.equals("pid")) {
            directoryOf(d, value);
        } else if (name.equals("error_log") || name.equals("access_log")) {
            if (!value.equals("off") && !value.equals("stderr") && !value.startsWith("syslog:")
                    && !value.startsWith("memory:")) {
                directoryOf(d, value);
            }
        } else if (TEMP_PATHS.contains(name) || CACHE_PATHS.contains(name) && inHttp(chain)) {
            tempPath(d, value);
        }
    }

    /**
     * Whether {@code block} or a block in it passes over TLS ({@code proxy_pass https://...}, or a variable pass,
     * which nginx prepares TLS for): nginx builds that location's TLS context, and loads its proxy_ssl files, at start.
     */
    private static boolean proxiesOverTls(Directive block) {
        Deque<Directive> todo = new ArrayDeque<>(List.of(block));
        while (!todo.isEmpty()) {
            for (Directive d : todo.pop().block()) {
                if (d.name().equals("proxy_pass") && !d.args().isEmpty()
                        && (d.args().get(0).startsWith("https://") || d.args().get(0).indexOf('$') >= 0)) {
                    return true;
                }
                if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                    todo.push(d);
                }
            }
        }
        return false;
    }

    /** {@code proxy_ssl_verify on} in an enclosing block or in one inside: trusted certificates and CRLs are read. */
    private static boolean verifiesUpstreams(List<Directive> chain) {
        for (Directive block : chain) {
            List<Directive> set = block.children("proxy_ssl_verify");
            if (!set.isEmpty() && set.get(set.size() - 1).args().equals(List.of("on"))) {
                return true;
            }
        }
        Deque<Directive> todo = new ArrayDeque<>(List.of(chain.get(chain.size() - 1)));
        while (!todo.isEmpty()) {
            for (Directive d : todo.pop().block()) {
                if (d.name().equals("proxy_ssl_verify") && d.args().equals(List.of("on"))) {
                    return true;
                }
                if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                    todo.push(d);
                }
            }
        }
        return false;
    }

    private static boolean inHttp(List<Directive> chain) {
        return !chain.isEmpty() && chain.get(0).name().equals("http");
    }

    /**
     * nginx loads the ssl module's files for each server that has certificates, with the value in effect there:
     * a server's own directive, else the http block's. {@code ssl_client_certificate} only where clients are
     * verified, {@code ssl_stapling_file} only where stapling is on.
     */
    private boolean loadedByATlsServer(Directive d, List<Directive> chain) {
        Directive block = chain.get(chain.size() - 1);
        if (block.name().equals("server")) {
            ServerBlock server = servers.get(block);
            return server != null && usesIt(server, d.name(), block, chain.get(0));
        }
        if (!block.name().equals("http")) {
            return false;
        }
        // The servers of this http block (by identity: directives are records, and equal ones may sit elsewhere).
        for (Directive s : block.block()) {
            ServerBlock server = servers.get(s);
            if (server != null && s.children(d.name()).isEmpty() && usesIt(server, d.name(), s, block)) {
                return true;
            }
        }
        return false;
    }

    private static boolean usesIt(ServerBlock server, String name, Directive serverBlock, Directive http) {
        if (server.sslCertificates().isEmpty()) {
            return false;
        }
        return switch (name) {
            case "ssl_client_certificate" -> !effective(serverBlock, http, "ssl_verify_client").orElse("off").equals("off");
            case "ssl_stapling_file" -> effective(serverBlock, http, "ssl_stapling").orElse("off").equals("on");
            default -> true;
        };
    }

    /** The last value of {@code name} in the server, else in http. */
    private static Optional<String> effective(Directive server, Directive http, String name) {
        for (Directive scope : List.of(server, http)) {
            List<Directive> found = scope.children(name);
            if (!found.isEmpty() && !found.get(found.size() - 1).args().isEmpty()) {
                return Optional.of(found.get(found.size() - 1).args().get(0));
            }
        }
        return Optional.empty();
    }

    // ---- what is in the container -----------------------------------------------------------------------

    /** nginx looks the name up with getpwnam() at start, and stops when the image has no such account. */
    private void user(Directive d, String name) {
        if (!layout.hasUser(name)) {
            problems.add(new Problem(Severity.ERROR, Rule.NGINX_FILES, d.file(), d.line(), "getpwnam(\"" + name + "\") failed: " + image
                    + " has no user \"" + name + "\"; use one it has (\"nginx\" in the official and the offline image),"
                    + " or an image of your own that adds it"));
        }
    }

    private void file(Directive d, String value, boolean atStart) {
        if (value.startsWith("data:") || value.startsWith("engine:")) {
            return;
        }
        String path = request.containerPath(value);
        if (placed(path)) {
            if (d.name().equals("ssl_dhparam")) {
                request.hostPathOf(path).filter(Files::isRegularFile).ifPresent(host -> dhParameters(d, path, host));
            }
            return;
        }
        Optional<Path> host = request.hostPathOf(path);
        String why = host.isPresent() ? "which nothing places in the nginx container (it would be " + host.get()
                + ", which does not exist)" : "which nothing places in the nginx container";
        String file = path.substring(path.lastIndexOf('/') + 1);
        String fix = "add it under nginx.files in pipeline.yml (e.g. \"" + path + ": certs/" + file + "\")";
        if (!atStart) {
            problems.add(new Problem(Severity.WARNING, Rule.NGINX_FILES, d.file(), d.line(), "\"" + d.name() + "\" reads " + path
                    + " per request, " + why + "; nginx starts, but requests there answer 500; " + fix));
        } else if (layout.known()) {
            problems.add(new Problem(Severity.ERROR, Rule.NGINX_FILES, d.file(), d.line(), "\"" + d.name() + "\" reads " + path + ", "
                    + why + "; " + fix));
        } else {
            problems.add(new Problem(Severity.WARNING, Rule.NGINX_FILES, d.file(), d.line(), "\"" + d.name() + "\" reads " + path + ", "
                    + why + " and is no standard path of the official or offline nginx image; unless " + image
                    + " has it, nginx stops at start: " + fix));
        }
    }

    /**
     * Both images' OpenSSL runs at Debian's security level 2, which refuses Diffie-Hellman parameters of fewer than
     * 2048 bits when nginx loads them.
     */
    private void dhParameters(Directive d, String path, Path host) {
        if (!layout.known()) {
            return;
        }
        DhParameters.primeBits(host).filter(bits -> bits < DhParameters.MINIMUM_BITS).ifPresent(bits ->
                problems.add(new Problem(Severity.ERROR, Rule.TLS_CERTIFICATE, d.file(), d.line(), "SSL_CTX_set_tmp_dh(\"" + path
                        + "\") failed (SSL: error:0A00018A:SSL routines::dh key too small): " + host.getFileName()
                        + " holds " + bits + "-bit parameters, and the image's OpenSSL needs at least "
                        + DhParameters.MINIMUM_BITS + " (make new ones: openssl dhparam -out "
                        + host.getFileName() + " 2048)")));
    }

    private void directoryOf(Directive d, String value) {
        String path = request.containerPath(value);
        String dir = parent(path);
        if (placed(path) || directoryPresent(dir)) {
            return;
        }
        String example = d.name().equals("pid") ? "/run/nginx.pid" : "/var/log/nginx/" + path.substring(path.lastIndexOf('/') + 1);
        missingDirectory(d, "\"" + d.name() + "\" writes " + path + ", but its directory " + dir + " is not in the"
                + " nginx container (nginx creates the file, not the directory)", "use a directory the image has"
                + " (e.g. " + example + "), or place one under nginx.files in pipeline.yml");
    }

    private void tempPath(Directive d, String value) {
        String path = request.containerPath(value);
        String dir = parent(path);
        if (directoryPresent(path) || directoryPresent(dir)) {
            return;
        }
        missingDirectory(d, "\"" + d.name() + "\" " + path + ": nginx creates that directory at start, but not its"
                + " parent " + dir + ", which is not in the nginx container", "use a directory under one the image has"
                + " (e.g. /tmp/" + path.substring(path.lastIndexOf('/') + 1) + "), or place it under nginx.files in"
                + " pipeline.yml");
    }

    private void missingDirectory(Directive d, String what, String fix) {
        if (layout.known()) {
            problems.add(new Problem(Severity.ERROR, Rule.NGINX_FILES, d.file(), d.line(), what + "; " + fix));
        } else {
            problems.add(new Problem(Severity.WARNING, Rule.NGINX_FILES, d.file(), d.line(), what + ", unless " + image + " has it; "
                    + fix));
        }
    }

    /**
     * {@code load_module}: nginx dlopen()s the file as it reads the directive, against its install prefix. Only for
     * the image whose module files ProxyStage knows; a file the stage places counts.
     */
    private void module(Directive d, String value) {
        if (!layout.knowsModuleFiles() || value.indexOf('$') >= 0) {
            return;
        }
        String path = ParseRequest.normalize(value.startsWith("/") ? value : layout.modulePrefix().orElseThrow() + "/" + value);
        Optional<Path> host = request.hostPathOf(path);
        if (host.isPresent() && Files.isRegularFile(host.get()) || layout.hasFile(path)) {
            return;
        }
        problems.add(new Problem(Severity.ERROR, Rule.NGINX_FILES, d.file(), d.line(), "dlopen() \"" + path + "\" failed ("
                + path + ": cannot open shared object file: No such file or directory): " + image
                + " has no such module file; place it under nginx.files in pipeline.yml, or use an image that ships it"));
    }

    /** A file the stage puts in the container, or the image has. */
    private boolean placed(String path) {
        if (certificates.contains(path)
                || request.mainConf().isPresent() && path.equals(request.mainConfContainerPath())) {
            return true;
        }
        Optional<Path> host = request.hostPathOf(path);
        if (host.isPresent() && Files.isRegularFile(host.get())) {
            return true;
        }
        // conf.d replaces the image's; nginx.files are copied over what the image has.
        return !ParseRequest.isUnder(path, request.confDContainerPath()) && layout.hasFile(path);
    }

    /** A directory the image has, a mapped one, or one the stage's copy creates for what it places below it. */
    private boolean directoryPresent(String dir) {
        if (layout.hasDirectory(dir)) {
            return true;
        }
        Optional<Path> host = request.hostPathOf(dir);
        if (host.isPresent() && Files.isDirectory(host.get())) {
            return true;
        }
        List<String> placedPaths = new ArrayList<>(request.mappings().keySet());
        request.mainConf().ifPresent(m -> placedPaths.add(request.mainConfContainerPath()));
        placedPaths.addAll(certificates);
        for (String placed : placedPaths) {
            if (!placed.equals(dir) && ParseRequest.isUnder(placed, dir)) {
                return true;
            }
        }
        return false;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
