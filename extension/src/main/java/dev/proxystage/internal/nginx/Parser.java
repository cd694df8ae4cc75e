package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Lexer.Token;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Builds the directive tree of a {@link ParseRequest}, splicing includes in as nginx does at parse time. */
final class Parser {

    /** Directives that take a block; "server" only outside "upstream". */
    static final Set<String> BLOCKS = Set.of("http", "events", "server", "location", "upstream", "map", "if",
            "types", "limit_except", "geo", "split_clients", "stream", "mail", "charset_map", "match");

    /** Blocks whose entries are data ("text/html html;"), not directives. */
    static final Set<String> DATA_BLOCKS = Set.of("map", "types", "geo", "split_clients", "charset_map");

    /**
     * Common directives without a block, to spot a missing ";" when one is swallowed as an argument. Names that are
     * also argument values (listen's "http2", rewrite's "break") stay out, so a wrapped argument line is no error.
     */
    static final Set<String> SIMPLE = Set.of("listen", "server_name", "root", "index", "return", "rewrite",
            "proxy_pass", "proxy_set_header", "proxy_http_version", "proxy_redirect", "proxy_buffering",
            "proxy_read_timeout", "proxy_connect_timeout", "proxy_send_timeout", "proxy_hide_header",
            "proxy_pass_header", "proxy_cache", "proxy_ssl_verify", "proxy_ssl_server_name", "proxy_intercept_errors",
            "grpc_pass", "fastcgi_pass", "fastcgi_param", "uwsgi_pass", "uwsgi_param", "scgi_pass", "add_header",
            "access_log", "error_log", "error_page", "ssl_certificate", "ssl_certificate_key", "ssl_protocols",
            "ssl_ciphers", "ssl_session_cache", "ssl_session_timeout", "ssl_prefer_server_ciphers", "ssl_dhparam",
            "ssl_stapling", "ssl_trusted_certificate", "client_max_body_size", "include", "set", "resolver",
            "resolver_timeout", "try_files", "alias", "allow", "deny", "auth_basic", "auth_basic_user_file",
            "auth_request", "gzip", "gzip_types", "keepalive_timeout", "sendfile", "default_type", "charset",
            "expires", "internal", "limit_req", "limit_req_zone", "limit_conn", "limit_conn_zone", "real_ip_header",
            "set_real_ip_from", "worker_processes", "worker_connections", "user", "pid", "log_format",
            "keepalive", "zone", "server_tokens", "client_body_buffer_size", "large_client_header_buffers",
            "sub_filter", "sub_filter_once", "autoindex", "satisfy", "more_set_headers");

    /**
     * Files the official or Debian's nginx image ships under its prefix (the offline image is Debian's): an unmapped
     * include of them is not the user's problem.
     */
    private static final Set<String> IMAGE_FILES = Set.of("mime.types", "fastcgi.conf", "fastcgi_params",
            "scgi_params", "uwsgi_params", "proxy_params", "koi-utf", "koi-win", "win-utf", "snippets/fastcgi-php.conf",
            "snippets/snakeoil.conf");
    private static final Set<String> IMAGE_DIRS = Set.of("modules-enabled", "modules");

    private static final int MAX_INCLUDE_DEPTH = 64;
    /** Far beyond any real configuration; the views built on the tree grow with depth squared. */
    static final int MAX_NESTING = 5_000;

    private final ParseRequest request;
    private ProjectTrees trees;
    private final Set<Path> files = new LinkedHashSet<>();
    private final Deque<Frame> stack = new ArrayDeque<>();
    /** Whether an include of the image's modules directory (modules-enabled/*.conf) was passed over. */
    private boolean imageModules;

    /** A file being parsed and the include that led to it (null for a root file). */
    private record Frame(Path key, Path file, Directive include) {
    }

    Parser(ParseRequest request) {
        this.request = request;
    }

    List<Path> files() {
        return List.copyOf(files);
    }

    /** Whether the configuration includes the image's own module list, which may load any module. */
    boolean includesImageModules() {
        return imageModules;
    }

    List<Directive> parse() {
        List<Path> confFiles = confDFiles();
        trees = ProjectTrees.of(request);
        HostTree.check(request.confD(), trees);
        request.files().values().forEach(dir -> HostTree.check(dir, trees));
        if (request.mainConf().isPresent()) {
            Path main = request.mainConf().get();
            if (!Files.isRegularFile(main)) {
                throw new NginxConfigException(main, 0, "main nginx.conf not found");
            }
            return parseFile(main, "", null);
        }
        // The official image's nginx.conf: "include /etc/nginx/conf.d/*.conf;" inside http { }.
        List<Directive> http = new ArrayList<>();
        for (Path file : confFiles) {
            http.addAll(parseFile(file, "http", null));
        }
        return List.of(new Directive("http", List.of(), request.confD(), 0, http, true));
    }

    private List<Path> confDFiles() {
        Path dir = request.confD();
        if (!Files.isDirectory(dir)) {
            throw new NginxConfigException(dir, 0, Files.exists(dir) ? "conf.d is not a directory"
                    : "conf.d directory does not exist");
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.endsWith(".conf") || name.startsWith(".")) {
                    continue;
                }
                // nginx's include conf.d/*.conf reads every match as a file: anything else fails nginx -t.
                if (HostTree.isBrokenLink(entry)) {
                    throw new NginxConfigException(entry, 0, "symlink to " + Files.readSymbolicLink(entry)
                            + ", which does not exist (or loops); nginx includes every conf.d/*.conf");
                }
                if (Files.isDirectory(entry)) {
                    throw new NginxConfigException(entry, 0, "is a directory, but nginx includes every conf.d/*.conf"
                            + " as a file; rename it or move it out of conf.d");
                }
                if (!Files.isRegularFile(entry)) {
                    throw new NginxConfigException(entry, 0, "is not a regular file; nginx includes every conf.d/*.conf");
                }
                found.add(entry);
            }
        } catch (IOException e) {
            throw new NginxConfigException(dir, 0, "cannot list conf.d: " + e.getMessage(), e);
        }
        // An empty conf.d is valid: the servers may all be in the main nginx.conf, and nginx accepts an http block
        // with none at all (Readiness says so, as a warning).
        found.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return found;
    }

    private List<Directive> parseFile(Path file, String parent, Directive include) {
        Path key = file.toAbsolutePath().normalize();
        for (Frame frame : stack) {
            if (frame.key.equals(key)) {
                throw includeLoop(include, key);
            }
        }
        if (stack.size() >= MAX_INCLUDE_DEPTH) {
            throw new NginxConfigException(include.file(), include.line(), "includes nested deeper than "
                    + MAX_INCLUDE_DEPTH + " levels");
        }
        trees.checkRead(file, include);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            Path where = include == null ? file : include.file();
            int line = include == null ? 0 : include.line();
            throw new NginxConfigException(where, line, "cannot read " + file + ": " + e, e);
        }
        files.add(file);
        stack.push(new Frame(key, file, include));
        try {
            Lexer lexer = new Lexer(file, Lexer.decode(file, bytes));
            return parseBlocks(lexer, new Source(file), parent);
        } finally {
            stack.pop();
        }
    }

    private NginxConfigException includeLoop(Directive include, Path key) {
        // The stack holds the chain innermost first; print it outermost first, ending where it closes.
        List<Frame> chain = new ArrayList<>(stack);
        StringBuilder text = new StringBuilder();
        boolean inLoop = false;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Frame frame = chain.get(i);
            inLoop |= frame.key.equals(key);
            if (inLoop) {
                text.append(frame.file.getFileName()).append(" -> ");
            }
        }
        text.append(key.getFileName());
        return new NginxConfigException(include.file(), include.line(), "include loop: " + text);
    }

    /** One file being read; remembers the first block closed by a "}" indented like an outer block's line. */
    private static final class Source {
        final Path file;
        /** Indentation of the lines opening the blocks open right now, outermost first (null: not first on line). */
        final List<String> openIndents = new ArrayList<>();
        Directive misindented;
        int misindentedClose;

        Source(Path file) {
            this.file = file;
        }
    }

    /** A block whose "}" has not been read yet. */
    private static final class OpenBlock {
        final Token name;
        final List<String> args;
        final Directive opener;
        final List<Directive> out = new ArrayList<>();

        OpenBlock(Token name, List<String> args, Directive opener) {
            this.name = name;
            this.args = args;
            this.opener = opener;
        }
    }

    /**
     * Reads a file's directives. Open blocks are an explicit stack, not recursion: nginx accepts any nesting depth,
     * and so must this parser without running out of stack.
     */
    private List<Directive> parseBlocks(Lexer lexer, Source source, String rootParent) {
        Path file = source.file;
        Deque<OpenBlock> open = new ArrayDeque<>();
        List<Directive> top = new ArrayList<>();
        while (true) {
            OpenBlock current = open.peek();
            String parent = current == null ? rootParent : current.name.text();
            List<Directive> out = current == null ? top : current.out;
            Token first = lexer.next();
            switch (first.kind()) {
                case EOF -> {
                    if (current != null) {
                        throw unclosed(source, current.opener);
                    }
                    return top;
                }
                case CLOSE -> {
                    if (current == null) {
                        throw new NginxConfigException(file, first.line(), "unexpected \"}\": no block is open here");
                    }
                    // Only a "}" that lines up with an outer block counts, so a house style of deeper "}" is fine.
                    String openerIndent = current.name.indent();
                    List<String> outer = source.openIndents.subList(0, source.openIndents.size() - 1);
                    if (source.misindented == null && first.indent() != null && openerIndent != null
                            && !first.indent().equals(openerIndent) && outer.contains(first.indent())) {
                        source.misindented = current.opener;
                        source.misindentedClose = first.line();
                    }
                    open.pop();
                    source.openIndents.remove(source.openIndents.size() - 1);
                    (open.isEmpty() ? top : open.peek().out).add(new Directive(current.name.text(), current.args,
                            file, current.name.line(), current.out, true, first.line()));
                }
                case SEMICOLON -> throw new NginxConfigException(file, first.line(), "unexpected \";\"");
                case OPEN -> throw new NginxConfigException(file, first.line(), "unexpected \"{\": a block needs a "
                        + "directive name before it");
                case WORD -> {
                    OpenBlock opened = statement(lexer, source, parent, first, out);
                    if (opened != null) {
                        if (open.size() >= MAX_NESTING) {
                            throw new NginxConfigException(file, first.line(), "blocks nested deeper than " + MAX_NESTING
                                    + " levels; ProxyStage checks configurations up to that depth");
                        }
                        source.openIndents.add(first.indent());
                        open.push(opened);
                    }
                }
            }
        }
    }

    /**
     * nginx reports the end of the file; the block actually missing its "}" is better found by indentation: the
     * first block closed by a "}" indented unlike its opening line, else the innermost block still open.
     */
    private static NginxConfigException unclosed(Source source, Directive opener) {
        if (source.misindented != null) {
            Directive suspect = source.misindented;
            return new NginxConfigException(source.file, suspect.line(), "unexpected end of file, expecting \"}\": "
                    + "the" + named(suspect.name(), true) + " block opened here is probably not closed (the \"}\" on line "
                    + source.misindentedClose + " that closes it is indented like an outer block)");
        }
        return new NginxConfigException(source.file, opener.line(), "unexpected end of file, expecting \"}\": the"
                + named(opener.name(), true) + " block opened here is never closed");
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /**
     * A directive's name for a parse error, with a leading space, or nothing. A parse error quotes at most the name,
     * and only a name that cannot be a whole line of a file that is no nginx configuration: one nginx knows, or one
     * written with more on its line. The message always has the line number.
     */
    static String named(String name, boolean moreOnItsLine) {
        boolean known = SIMPLE.contains(name) || BLOCKS.contains(name) || !DirectiveTable.get().named(name).isEmpty();
        return known || moreOnItsLine && NAME.matcher(name).matches() ? " \"" + name + "\"" : "";
    }

    private static String named(List<Token> words) {
        return named(words.get(0).text(), words.size() > 1 && words.get(1).line() == words.get(0).line());
    }

    /** Reads one directive into {@code out}; a directive that opens a block is returned instead, still open. */
    private OpenBlock statement(Lexer lexer, Source source, String parent, Token name, List<Directive> out) {
        Path file = source.file;
        List<Token> words = new ArrayList<>();
        words.add(name);
        boolean data = DATA_BLOCKS.contains(parent);
        while (true) {
            Token t = lexer.next();
            switch (t.kind()) {
                case WORD -> words.add(t);
                case SEMICOLON -> {
                    if (!data) {
                        checkSwallowed(file, words);
                        if (isBlockDirective(name.text(), parent)) {
                            throw new NginxConfigException(file, name.line(), "directive \"" + name.text()
                                    + "\" has no opening \"{\"");
                        }
                    }
                    Directive d = new Directive(name.text(), texts(words), file, name.line(), List.of(), false);
                    if (d.name().equals("include")) {
                        out.addAll(include(d, parent));
                    } else {
                        out.add(d);
                    }
                    return null;
                }
                case OPEN -> {
                    if (!data) {
                        checkSwallowed(file, words);
                        if (SIMPLE.contains(name.text())) {
                            throw notTerminated(file, words, "");
                        }
                    }
                    Directive opening = new Directive(name.text(), texts(words), file, name.line(), List.of(), true);
                    return new OpenBlock(name, texts(words), opening);
                }
                case CLOSE -> {
                    if (!data) {
                        checkSwallowed(file, words);
                    }
                    throw notTerminated(file, words, " before \"}\"" + onLine(words, t));
                }
                case EOF -> {
                    if (!data) {
                        checkSwallowed(file, words);
                    }
                    throw notTerminated(file, words, " before the end of the file");
                }
            }
        }
    }

    private static boolean isBlockDirective(String name, String parent) {
        return BLOCKS.contains(name) && !(name.equals("server") && parent.equals("upstream"));
    }

    /** A known directive name starting a new line inside the arguments means the ";" before it is missing. */
    private static void checkSwallowed(Path file, List<Token> words) {
        for (int i = 1; i < words.size(); i++) {
            Token t = words.get(i);
            Token before = words.get(i - 1);
            if (!t.quoted() && t.line() > before.line() && (SIMPLE.contains(t.text()) || BLOCKS.contains(t.text()))) {
                throw new NginxConfigException(file, before.line(), "directive" + named(words)
                        + " is not terminated by \";\" (line " + t.line() + " starts \"" + t.text() + "\")");
            }
        }
    }

    private static NginxConfigException notTerminated(Path file, List<Token> words, String hint) {
        Token last = words.get(words.size() - 1);
        return new NginxConfigException(file, last.line(), "directive" + named(words)
                + " is not terminated by \";\"" + hint);
    }

    private static String onLine(List<Token> words, Token t) {
        return t.line() == words.get(words.size() - 1).line() ? "" : " on line " + t.line();
    }

    private static List<String> texts(List<Token> words) {
        List<String> args = new ArrayList<>(words.size() - 1);
        for (int i = 1; i < words.size(); i++) {
            args.add(words.get(i).text());
        }
        return args;
    }

    // ---- includes -------------------------------------------------------------------------------------------

    private List<Directive> include(Directive include, String parent) {
        if (include.args().size() != 1) {
            throw new NginxConfigException(include.file(), include.line(),
                    "invalid number of arguments in \"include\" directive");
        }
        String arg = include.args().get(0);
        String container = request.containerPath(arg);
        List<Directive> out = new ArrayList<>();
        for (Path host : resolveInclude(include, arg, container)) {
            out.addAll(parseFile(host, parent, include));
        }
        return out;
    }

    private List<Path> resolveInclude(Directive include, String arg, String container) {
        boolean glob = arg.indexOf('*') >= 0 || arg.indexOf('?') >= 0 || arg.indexOf('[') >= 0;
        if (!glob) {
            Optional<Path> host = request.hostPathOf(container);
            if (host.isEmpty()) {
                return unmapped(include, arg, container);
            }
            Path file = host.get();
            if (Files.isDirectory(file)) {
                throw new NginxConfigException(include.file(), include.line(), "include \"" + arg + "\" names the "
                        + "directory " + file + "; nginx reads only files (use a glob such as " + arg + "/*.conf)");
            }
            if (!Files.isRegularFile(file)) {
                throw new NginxConfigException(include.file(), include.line(), openFailed(container) + ": it is "
                        + file + " on the host, which does not exist");
            }
            return List.of(file);
        }
        // Expand on the host below the deepest wildcard-free directory, one path component at a time.
        String[] parts = container.substring(1).split("/");
        int firstWild = 0;
        while (firstWild < parts.length && !hasWildcard(parts[firstWild])) {
            firstWild++;
        }
        String baseDir = "/" + String.join("/", java.util.Arrays.copyOfRange(parts, 0, firstWild));
        Optional<Path> base = request.hostPathOf(baseDir);
        if (base.isEmpty()) {
            // Nothing of the configuration is placed there, and nginx includes nothing when a glob matches nothing;
            // the image's own modules directory still loads modules ProxyStage's table cannot know.
            imageModules |= IMAGE_DIRS.contains(topUnderPrefix(container));
            return List.of();
        }
        List<Path> matches = new ArrayList<>();
        expand(base.get(), parts, firstWild, matches, include, arg);
        // glob(3) sorts its results; compare as container paths so the order does not depend on the host OS.
        matches.sort((a, b) -> base.get().relativize(a).toString().replace('\\', '/')
                .compareTo(base.get().relativize(b).toString().replace('\\', '/')));
        return matches;
    }

    private void expand(Path dir, String[] parts, int index, List<Path> matches, Directive include, String arg) {
        if (index == parts.length) {
            if (Files.isDirectory(dir)) {
                throw new NginxConfigException(include.file(), include.line(), "include \"" + arg + "\" matches the "
                        + "directory " + dir + ", which nginx cannot read as a configuration file");
            }
            matches.add(dir);
            return;
        }
        String part = parts[index];
        if (!hasWildcard(part)) {
            Path next = dir.resolve(part);
            if (Files.exists(next)) {
                expand(next, parts, index + 1, matches, include, arg);
            }
            return;
        }
        if (!Files.isDirectory(dir)) {
            return;
        }
        Pattern pattern = globPattern(part);
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path entry : stream) {
                String name = entry.getFileName().toString();
                // Like glob(3): a wildcard does not match a leading dot.
                if ((!name.startsWith(".") || part.startsWith(".")) && pattern.matcher(name).matches()) {
                    entries.add(entry);
                }
            }
        } catch (IOException e) {
            throw new NginxConfigException(include.file(), include.line(), "cannot list " + dir + ": " + e, e);
        }
        for (Path entry : entries) {
            if (index + 1 == parts.length || Files.isDirectory(entry)) {
                expand(entry, parts, index + 1, matches, include, arg);
            }
        }
    }

    /** The first component of {@code container} below nginx's prefix ({@code modules-enabled}), or "". */
    private String topUnderPrefix(String container) {
        String prefix = request.prefix();
        if (!ParseRequest.isUnder(container, prefix) || container.equals(prefix)) {
            return "";
        }
        String rest = container.substring(prefix.equals("/") ? 1 : prefix.length() + 1);
        return rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : "";
    }

    private List<Path> unmapped(Directive include, String arg, String container) {
        String prefix = request.prefix();
        if (ParseRequest.isUnder(container, prefix) && !container.equals(prefix)) {
            String rest = container.substring(prefix.equals("/") ? 1 : prefix.length() + 1);
            String top = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : "";
            if (IMAGE_FILES.contains(rest) || IMAGE_DIRS.contains(top)) {
                imageModules |= IMAGE_DIRS.contains(top);
                return List.of(); // shipped by the nginx image, not part of the configuration under test
            }
        }
        String dir = container.substring(0, Math.max(1, container.lastIndexOf('/')));
        throw new NginxConfigException(include.file(), include.line(), openFailed(container) + ": nothing places it"
                + " in the nginx container (conf.d is " + request.confDContainerPath() + "); map its directory via"
                + " nginx.files in pipeline.yml, e.g. \"" + dir + "\": ./" + dir.substring(dir.lastIndexOf('/') + 1));
    }

    /** nginx's own words for a plain include that names no file (a glob that matches nothing is fine). */
    private static String openFailed(String container) {
        return "open() \"" + container + "\" failed (2: No such file or directory)";
    }

    private static boolean hasWildcard(String part) {
        return part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0;
    }

    /** A glob(3) component: * ? and [...] (with ! for negation); everything else literal, braces included. */
    static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[' && glob.indexOf(']', i + 2) > 0) {
                int close = glob.indexOf(']', i + 2);
                String body = glob.substring(i + 1, close);
                if (body.startsWith("!")) {
                    body = "^" + body.substring(1);
                }
                regex.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
