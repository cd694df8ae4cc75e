package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.DirectiveTable.Context;
import dev.proxystage.internal.nginx.DirectiveTable.Duplicate;
import dev.proxystage.internal.nginx.DirectiveTable.Entry;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges every directive with nginx's own table ({@link DirectiveTable}), the way ngx_conf_handler does: an unknown
 * name, a name in a context its module does not allow, a block where none belongs (or none where one does), a wrong
 * number of arguments, an on/off flag or an enum word nginx does not take, a second directive that nginx refuses as
 * "is duplicate", and a directive the stage's nginx version lacks. Messages start with nginx's own wording.
 *
 * <p>The walk enters events, http, server, location, if, limit_except, upstream, stream and mail blocks; the contents
 * of types, map, geo, split_clients and charset_map are data. Each directive it could place is handed on, with where
 * it stands, to the checks of values ({@link ValueRules}).
 */
final class DirectiveRules {

    /** Blocks whose contents are data (entries), not directives. */
    private static final Set<String> DATA_BLOCKS = Set.of("types", "map", "geo", "split_clients", "charset_map");

    /**
     * What the main nginx.conf of nginx's official image sets in its http block (and the offline image's, laid out
     * like it), which conf.d shares when pipeline.yml names no main config: setting one again in conf.d at http level
     * is a duplicate there. (Its "log_format main" is {@link ValueRules}'.)
     */
    private static final Set<String> IMAGE_HTTP = Set.of("sendfile", "default_type", "keepalive_timeout");

    /** A directive placed in its context, with the blocks around it that the value checks need. */
    record Placed(Directive directive, Context context, Entry entry, Directive location, Directive server,
                  Directive parent) {
    }

    private final DirectiveTable table;
    private final NginxRules.Options options;
    private final boolean modulesOpen;
    private final boolean implicitMain;
    private final List<Problem> problems = new ArrayList<>();
    final List<Placed> placed = new ArrayList<>();
    /** The file names the main context's load_module directives load ("ngx_stream_module.so"). */
    private final Set<String> loadedFiles = new HashSet<>();

    DirectiveRules(DirectiveTable table, NginxRules.Options options, boolean modulesOpen, boolean implicitMain) {
        this.table = table;
        this.options = options;
        this.modulesOpen = modulesOpen;
        this.implicitMain = implicitMain;
    }

    private record Frame(Iterator<Directive> directives, Context context, Directive block, Directive location,
                         Directive server, Map<String, Directive> seen) {
    }

    /** Walks {@code top} (the main context) and returns the problems in configuration order. */
    List<Problem> check(List<Directive> top) {
        for (Directive d : top) {
            if (d.name().equals("load_module") && !d.args().isEmpty()) {
                String file = d.args().get(0);
                loadedFiles.add(file.substring(file.lastIndexOf('/') + 1));
            }
        }
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        Deque<Frame> open = new ArrayDeque<>();
        open.push(new Frame(top.iterator(), Context.MAIN, null, null, null, new HashMap<>()));
        while (!open.isEmpty()) {
            Frame frame = open.peek();
            if (!frame.directives().hasNext()) {
                open.pop();
                continue;
            }
            Directive d = frame.directives().next();
            Optional<Entry> found = judge(d, frame);
            if (found.isEmpty() || !d.hasBlock() || !found.get().block()) {
                continue;
            }
            Context inner = inner(d.name(), frame.context());
            if (inner != null) {
                Directive location = d.name().equals("location") ? d : frame.location();
                Directive server = d.name().equals("server") ? d : frame.server();
                open.push(new Frame(d.block().iterator(), inner, d, location, server, new HashMap<>()));
            }
        }
        return problems;
    }

    /** The context a block directive opens, or null for data blocks and blocks this walk does not enter. */
    private static Context inner(String name, Context outer) {
        if (DATA_BLOCKS.contains(name)) {
            return null;
        }
        return switch (outer) {
            case MAIN -> switch (name) {
                case "events" -> Context.EVENTS;
                case "http" -> Context.HTTP;
                case "stream" -> Context.STREAM;
                case "mail" -> Context.MAIL;
                default -> null;
            };
            case HTTP -> switch (name) {
                case "server" -> Context.SERVER;
                case "upstream" -> Context.UPSTREAM;
                default -> null;
            };
            case SERVER -> switch (name) {
                case "location" -> Context.LOCATION;
                case "if" -> Context.IF_IN_SERVER;
                default -> null;
            };
            case LOCATION -> switch (name) {
                case "location" -> Context.LOCATION;
                case "if" -> Context.IF_IN_LOCATION;
                case "limit_except" -> Context.LIMIT_EXCEPT;
                default -> null;
            };
            case STREAM -> switch (name) {
                case "server" -> Context.STREAM_SERVER;
                case "upstream" -> Context.STREAM_UPSTREAM;
                default -> null;
            };
            case MAIL -> name.equals("server") ? Context.MAIL_SERVER : null;
            default -> null;
        };
    }

    /** Checks one directive; the row nginx takes for it when the walk may go on into its block. */
    private Optional<Entry> judge(Directive d, Frame frame) {
        Context context = frame.context();
        String name = d.name();
        List<Entry> rows = table.named(name);
        if (rows.isEmpty()) {
            unknown(d, context);
            return Optional.empty();
        }
        Optional<Entry> row = table.lookup(name, context);
        if (row.isEmpty() && context == Context.HTTP && !modulesOpen && (name.equals("stream") || name.equals("mail"))) {
            error(Rule.NGINX_UNKNOWN_DIRECTIVE, d, "unknown directive \"" + name + "\" (Debian's nginx, as in the offline image, knows it only once"
                    + " load_module loads its module; where nginx is built with it, as in nginx's official image, \""
                    + name + "\" is allowed only in the main context, outside the http block that includes conf.d)");
            return Optional.empty();
        }
        if (row.isEmpty()) {
            error(Rule.NGINX_CONTEXT, d, "\"" + name + "\" directive is not allowed here (in " + context.label + "; nginx allows it in "
                    + allowed(rows, context) + ")");
            return Optional.empty();
        }
        Entry e = row.get();
        String moduleFile = e.module().startsWith("ngx_stream_") ? "ngx_stream_module.so" : "ngx_mail_module.so";
        if (options.layout().loadsOnly(e.module()) && !options.modules().contains(e.module())
                && !loadedFiles.contains(moduleFile)) {
            error(Rule.NGINX_UNKNOWN_DIRECTIVE, d, "unknown directive \"" + name + "\" (" + options.image().orElseThrow()
                    + " has " + e.module() + " only as a dynamic module: load it with \"load_module modules/"
                    + moduleFile + ";\" in the main nginx.conf, where the image ships that file, or use an image"
                    + " that builds it in, such as nginx's official one)");
            return Optional.empty();
        }
        if (e.dynamic() && !modulesOpen) {
            error(Rule.NGINX_UNKNOWN_DIRECTIVE, d, "unknown directive \"" + name + "\" (it is in " + e.module() + ", which nginx builds only as a"
                    + " dynamic module: load it with load_module in the main nginx.conf)");
            return Optional.empty();
        }
        if (options.version().isPresent()) {
            Optional<String> missing = table.missingIn(e, options.version().get());
            if (missing.isPresent()) {
                error(Rule.NGINX_VERSION, d, "unknown directive \"" + name + "\" (" + missing.get() + ")");
                return Optional.empty();
            }
        }
        if (e.block() && !d.hasBlock()) {
            error(Rule.NGINX_SYNTAX, d, "directive \"" + name + "\" has no opening \"{\"");
            return Optional.empty();
        }
        if (!e.block() && d.hasBlock()) {
            error(Rule.NGINX_SYNTAX, d, "directive \"" + name + "\" is not terminated by \";\"");
            return Optional.empty();
        }
        if (!e.args().accepts(d.args().size())) {
            error(Rule.NGINX_ARGS, d, "invalid number of arguments in \"" + name + "\" directive");
            return Optional.empty();
        }
        if (duplicate(d, e, frame)) {
            return Optional.empty();
        }
        if (!value(d, e)) {
            return Optional.empty();
        }
        // A value its handler refuses; the directive still counts as placed, so nothing else reports it again.
        HandlerValues.problem(d, e, context, frame.block(), table).ifPresent(m -> error(Rule.NGINX_VALUE, d, m));
        placed.add(new Placed(d, context, e, frame.location(), frame.server(), frame.block()));
        return Optional.of(e);
    }

    private void unknown(Directive d, Context context) {
        StringBuilder text = new StringBuilder("unknown directive \"").append(d.name()).append('"');
        boolean beyond = options.version().map(table::isBeyond).orElse(false);
        if (modulesOpen || beyond) {
            text.append(beyond
                    ? " in nginx " + String.join(", ", table.versions()) + "; the stage's nginx "
                    + options.version().get() + " is newer, so it may know it"
                    : "; no module of nginx's own has it, so it must come from a module the configuration loads");
            problems.add(new Problem(Severity.WARNING, beyond ? Rule.NGINX_VERSION : Rule.NGINX_UNKNOWN_DIRECTIVE, d.file(),
                    d.line(), text.toString()));
            return;
        }
        table.suggestion(d.name(), context).ifPresent(s -> text.append(", did you mean \"").append(s).append("\"?"));
        problems.add(new Problem(Severity.ERROR, Rule.NGINX_UNKNOWN_DIRECTIVE, d.file(), d.line(), text.toString()));
    }

    /**
     * A second directive in one block that nginx refuses: a slot handler whose field is already set, or a handler
     * of its own that refuses a repeat; "root" and "alias" share one field.
     */
    private boolean duplicate(Directive d, Entry e, Frame frame) {
        if (e.duplicate() == Duplicate.NONE) {
            return false;
        }
        String name = d.name();
        String key = name.equals("alias") ? "root" : name;
        Directive earlier = frame.seen().putIfAbsent(e.module() + " " + key, d);
        if (earlier != null) {
            if (!earlier.name().equals(name)) {
                error(Rule.NGINX_DUPLICATE, d, "\"" + name + "\" directive is duplicate, \"" + earlier.name()
                        + "\" directive was specified earlier (at " + Problem.near(d, earlier) + ")");
            } else {
                error(Rule.NGINX_DUPLICATE, d, "\"" + name + "\" directive is duplicate (the first is at " + Problem.near(d, earlier) + ")");
            }
            return true;
        }
        if (implicitMain && frame.context() == Context.HTTP) {
            if (IMAGE_HTTP.contains(name)) {
                error(Rule.NGINX_DUPLICATE, d, "\"" + name + "\" directive is duplicate (without a main config in pipeline.yml, conf.d"
                        + " is included in the http block of the image's nginx.conf, which sets \"" + name
                        + "\" already)");
                return true;
            }
        }
        return false;
    }

    /** on/off flags, enum or bitmask words, numbers, sizes and times, as the standard slots of nginx parse them. */
    private boolean value(Directive d, Entry e) {
        Optional<String> slot = SlotValues.problem(e.handler(), d.args());
        if (slot.isPresent()) {
            error(Rule.NGINX_VALUE, d, "\"" + d.name() + "\" directive " + slot.get());
            return false;
        }
        if (e.isFlagSlot()) {
            String v = d.args().get(0);
            if (!v.equalsIgnoreCase("on") && !v.equalsIgnoreCase("off")) {
                error(Rule.NGINX_VALUE, d, "invalid value \"" + v + "\" in \"" + d.name() + "\" directive, it must be \"on\" or \"off\"");
                return false;
            }
        } else if (e.isEnumSlot()) {
            String v = d.args().get(0);
            if (e.values().stream().noneMatch(v::equalsIgnoreCase)) {
                error(Rule.NGINX_VALUE, d, "invalid value \"" + v + "\" (\"" + d.name() + "\" takes " + words(e.values()) + ")");
                return false;
            }
        } else if (e.isBitmaskSlot()) {
            for (String v : d.args()) {
                if (e.values().stream().noneMatch(v::equalsIgnoreCase)) {
                    error(Rule.NGINX_VALUE, d, "invalid value \"" + v + "\" (\"" + d.name() + "\" takes " + words(e.values()) + ")");
                    return false;
                }
            }
        }
        return true;
    }

    private static String words(List<String> values) {
        List<String> quoted = values.stream().map(v -> "\"" + v + "\"").toList();
        return quoted.size() == 1 ? quoted.get(0)
                : String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }

    /** Where the rows allow the directive: the contexts of the same family (http, stream...) first, else all. */
    private static String allowed(List<Entry> rows, Context here) {
        Set<String> same = new LinkedHashSet<>();
        Set<String> all = new LinkedHashSet<>();
        for (Context c : Context.values()) {
            for (Entry e : rows) {
                if (e.anyContext() || e.contexts().contains(c)) {
                    all.add(c.label);
                    if (c.type.equals(here.type)) {
                        same.add(c.label);
                    }
                }
            }
        }
        return String.join(", ", same.isEmpty() ? all : same);
    }

    private void error(Rule rule, Directive d, String message) {
        problems.add(new Problem(Severity.ERROR, rule, d.file(), d.line(), message));
    }
}
