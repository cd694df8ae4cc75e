package dev.proxystage.internal.nginx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * nginx's own directive table, read from data that {@code scripts/nginx-directives/generate.sh} derives from the
 * {@code ngx_command_t} arrays of nginx's sources ({@code directives.tsv}), with the variables its modules define
 * ({@code variables.tsv}) and the parameters its {@code listen} and upstream {@code server} directives know
 * ({@code parameters.tsv}). Each row carries
 * the first and last generated nginx version that has it, so a check can ask what a given nginx version lacks.
 */
final class DirectiveTable {

    /** Where a directive stands, as nginx's context flags name them; each belongs to one module type. */
    enum Context {
        MAIN("main", "core"), EVENTS("events", "event"), HTTP("http", "http"), SERVER("server", "http"),
        LOCATION("location", "http"), UPSTREAM("upstream", "http"), IF_IN_SERVER("if in server", "http"),
        IF_IN_LOCATION("if in location", "http"), LIMIT_EXCEPT("limit_except", "http"),
        STREAM("stream", "stream"), STREAM_SERVER("stream server", "stream"),
        STREAM_UPSTREAM("stream upstream", "stream"), MAIL("mail", "mail"), MAIL_SERVER("mail server", "mail");

        final String label;
        final String type;

        Context(String label, String type) {
            this.label = label;
            this.type = type;
        }

        static Context ofData(String word) {
            return switch (word) {
                case "main" -> MAIN;
                case "events" -> EVENTS;
                case "http" -> HTTP;
                case "server" -> SERVER;
                case "location" -> LOCATION;
                case "upstream" -> UPSTREAM;
                case "if_in_server" -> IF_IN_SERVER;
                case "if_in_location" -> IF_IN_LOCATION;
                case "limit_except" -> LIMIT_EXCEPT;
                case "stream" -> STREAM;
                case "stream_server" -> STREAM_SERVER;
                case "stream_upstream" -> STREAM_UPSTREAM;
                case "mail" -> MAIL;
                case "mail_server" -> MAIL_SERVER;
                default -> throw new IllegalArgumentException("unknown context " + word);
            };
        }
    }

    /**
     * How many arguments nginx accepts (ngx_conf_handler): any; exactly one for a flag; at least one or two; else
     * one of the listed counts (at most 7).
     */
    record Args(Set<Integer> counts, boolean flag, boolean oneOrMore, boolean twoOrMore, boolean any) {

        static Args parse(String text) {
            Set<Integer> counts = new TreeSet<>();
            boolean flag = false;
            boolean one = false;
            boolean two = false;
            boolean any = false;
            for (String part : text.split(",")) {
                switch (part) {
                    case "flag" -> flag = true;
                    case "1+" -> one = true;
                    case "2+" -> two = true;
                    case "any" -> any = true;
                    case "-" -> {
                    }
                    default -> part.chars().forEach(c -> counts.add(c - '0'));
                }
            }
            return new Args(Collections.unmodifiableSet(counts), flag, one, two, any);
        }

        /** Whether {@code n} arguments pass nginx's count check, in nginx's order of tests. */
        boolean accepts(int n) {
            if (any) {
                return true;
            }
            if (flag) {
                return n == 1;
            }
            if (oneOrMore) {
                return n >= 1;
            }
            if (twoOrMore) {
                return n >= 2;
            }
            return n <= 7 && counts.contains(n);
        }
    }

    /** Whether nginx refuses the directive a second time in one block: by a standard slot, by its own handler, no. */
    enum Duplicate { NONE, SLOT, HANDLER }

    /** One row of nginx's table: a directive of one module. */
    record Entry(String name, String module, String type, Set<Context> contexts, boolean anyContext, Args args,
                 boolean block, String handler, Duplicate duplicate, List<String> values, boolean dynamic,
                 String first, String last, Optional<String> added, Optional<String> removed) {

        /** Whether nginx's lookup takes this row for a directive in {@code context} (module type and flags). */
        boolean allowedIn(Context context) {
            if (anyContext) {
                return type.equals("conf") || type.equals(context.type);
            }
            return contexts.contains(context);
        }

        boolean isFlagSlot() {
            return handler.equals("ngx_conf_set_flag_slot");
        }

        boolean isEnumSlot() {
            return handler.equals("ngx_conf_set_enum_slot") && !values.isEmpty();
        }

        boolean isBitmaskSlot() {
            return handler.equals("ngx_conf_set_bitmask_slot") && !values.isEmpty();
        }
    }

    /** A variable nginx's modules define, or a prefix ({@code http_}) that stands for a family of them. */
    record Variable(String name, String kind, String module, boolean prefix, String first, String last) {
    }

    /**
     * A parameter word a {@code listen} or upstream {@code server} directive compares its arguments with: exact, or a
     * prefix such as "backlog=".
     */
    record Parameter(String name, String directive, String kind, boolean prefix, String first, String last) {

        boolean matches(String arg) {
            return prefix ? arg.startsWith(name) : arg.equals(name);
        }
    }

    private static final String RESOURCES = "/dev/proxystage/internal/nginx/";
    private static volatile DirectiveTable instance;

    private final List<String> versions;
    private final Map<String, List<Entry>> byName;
    private final List<Variable> variables;
    private final List<Parameter> parameters;

    private DirectiveTable(List<String> versions, Map<String, List<Entry>> byName, List<Variable> variables,
                           List<Parameter> parameters) {
        this.versions = List.copyOf(versions);
        this.byName = byName;
        this.variables = List.copyOf(variables);
        this.parameters = List.copyOf(parameters);
    }

    /** The table shipped with ProxyStage (read once). */
    static DirectiveTable get() {
        DirectiveTable table = instance;
        if (table == null) {
            synchronized (DirectiveTable.class) {
                table = instance;
                if (table == null) {
                    table = load();
                    instance = table;
                }
            }
        }
        return table;
    }

    private static DirectiveTable load() {
        List<String> versions = new ArrayList<>();
        Map<String, List<Entry>> byName = new HashMap<>();
        for (Map<String, String> row : rows("directives.tsv", versions)) {
            Set<Context> contexts = EnumSet.noneOf(Context.class);
            boolean any = false;
            for (String c : row.get("contexts").split(",")) {
                if (c.equals("any")) {
                    any = true;
                } else if (!c.equals("-")) {
                    contexts.add(Context.ofData(c));
                }
            }
            Duplicate duplicate = switch (row.get("duplicate")) {
                case "slot" -> Duplicate.SLOT;
                case "handler" -> Duplicate.HANDLER;
                default -> Duplicate.NONE;
            };
            String values = row.get("values");
            Entry e = new Entry(row.get("name"), row.get("module"), row.get("type"),
                    Collections.unmodifiableSet(contexts), any, Args.parse(row.get("args")),
                    row.get("block").equals("block"), row.get("handler"), duplicate,
                    values.equals("-") ? List.of() : List.of(values.split("\\|")), row.get("load").equals("dynamic"),
                    row.get("first"), row.get("last"), optional(row.get("added")), optional(row.get("removed")));
            byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
        }
        byName.replaceAll((k, v) -> List.copyOf(v));
        List<Variable> variables = new ArrayList<>();
        for (Map<String, String> row : rows("variables.tsv", new ArrayList<>())) {
            variables.add(new Variable(row.get("name"), row.get("kind"), row.get("module"),
                    row.get("prefix").equals("prefix"), row.get("first"), row.get("last")));
        }
        List<Parameter> parameters = new ArrayList<>();
        for (Map<String, String> row : rows("parameters.tsv", new ArrayList<>())) {
            parameters.add(new Parameter(row.get("name"), row.get("directive"), row.get("kind"),
                    row.get("match").equals("prefix"), row.get("first"), row.get("last")));
        }
        return new DirectiveTable(versions, Collections.unmodifiableMap(byName), variables, parameters);
    }

    private static Optional<String> optional(String value) {
        return value == null || value.equals("-") ? Optional.empty() : Optional.of(value);
    }

    /** The rows of a generated TSV as column-name maps; "# versions" comment lines fill {@code versions}. */
    private static List<Map<String, String>> rows(String resource, List<String> versions) {
        InputStream in = DirectiveTable.class.getResourceAsStream(RESOURCES + resource);
        if (in == null) {
            throw new IllegalStateException("nginx table " + resource + " is missing from the classpath");
        }
        List<Map<String, String>> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String[] header = null;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#")) {
                    if (line.startsWith("# versions\t") && versions.isEmpty()) {
                        String[] parts = line.split("\t");
                        versions.addAll(List.of(parts).subList(1, parts.length));
                    }
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                if (header == null) {
                    header = cells;
                    continue;
                }
                if (cells.length != header.length) {
                    throw new IllegalStateException("nginx table " + resource + ": a row has " + cells.length
                            + " cells, the header " + header.length + ": " + line);
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    row.put(header[i], cells[i]);
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    // ---- queries --------------------------------------------------------------------------------------------

    /** The nginx versions the table was generated from, oldest first. */
    List<String> versions() {
        return versions;
    }

    /** Every row named {@code name}, in table order; empty for a name no module of nginx's knows. */
    List<Entry> named(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** The row nginx takes for {@code name} in {@code context}, if any module allows it there. */
    Optional<Entry> lookup(String name, Context context) {
        for (Entry e : named(name)) {
            if (e.allowedIn(context)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Every directive name, sorted. */
    Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    /**
     * The known directive closest to an unknown {@code name} (a typo: transposed, missing, extra or changed
     * letters), preferring one that is allowed in {@code context}; empty when nothing is close.
     */
    Optional<String> suggestion(String name, Context context) {
        String lower = name.toLowerCase(Locale.ROOT);
        int limit = lower.length() <= 4 ? 1 : 2;
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String candidate : names()) {
            if (Math.abs(candidate.length() - lower.length()) > limit) {
                continue;
            }
            int distance = lower.equals(candidate) ? 0 : distance(lower, candidate);
            if (distance > limit) {
                continue;
            }
            boolean here = lookup(candidate, context).isPresent();
            int score = distance * 2 + (here ? 0 : 1);
            if (score < bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Edit distance with adjacent transpositions (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    // ---- versions -------------------------------------------------------------------------------------------

    /** Whether {@code version} is newer than every version the table was generated from. */
    boolean isBeyond(String version) {
        return compare(version, versions.get(versions.size() - 1)) > 0;
    }

    /**
     * Why nginx {@code version} does not have {@code e}, or empty when it has it or the table cannot tell (a version
     * between two generated ones, with no CHANGES entry to say when the directive came or went).
     */
    Optional<String> missingIn(String name, String first, String last, Optional<String> added,
                               Optional<String> removed, String version) {
        if (compare(version, first) < 0) {
            if (added.isPresent()) {
                return compare(version, added.get()) < 0
                        ? Optional.of("\"" + name + "\" needs nginx " + added.get() + "; the stage's nginx is " + version)
                        : Optional.empty();
            }
            Optional<String> lacking = previous(first);
            if (lacking.isPresent() && compare(version, lacking.get()) <= 0) {
                return Optional.of("\"" + name + "\" needs an nginx newer than " + lacking.get() + " (" + first
                        + " has it); the stage's nginx is " + version);
            }
            return Optional.empty();
        }
        if (compare(version, last) > 0) {
            if (removed.isPresent()) {
                return compare(version, removed.get()) >= 0
                        ? Optional.of("\"" + name + "\" is gone since nginx " + removed.get() + "; the stage's nginx is "
                        + version)
                        : Optional.empty();
            }
            Optional<String> without = next(last);
            if (without.isPresent() && compare(version, without.get()) >= 0) {
                return Optional.of("\"" + name + "\" is gone after nginx " + last + " (" + without.get()
                        + " lacks it); the stage's nginx is " + version);
            }
        }
        return Optional.empty();
    }

    Optional<String> missingIn(Entry e, String version) {
        return missingIn(e.name(), e.first(), e.last(), e.added(), e.removed(), version);
    }

    /** Whether nginx {@code version} surely lacks a row present from {@code first} to {@code last}. */
    boolean surelyLacks(String first, String last, String version) {
        return missingIn("", first, last, Optional.empty(), Optional.empty(), version).isPresent();
    }

    private Optional<String> previous(String version) {
        String found = null;
        for (String v : versions) {
            if (compare(v, version) < 0) {
                found = v;
            }
        }
        return Optional.ofNullable(found);
    }

    private Optional<String> next(String version) {
        for (String v : versions) {
            if (compare(v, version) > 0) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * Compares dotted version numbers numerically ("1.9.2" before "1.22.1"); non-digits end a part, and a part "x"
     * (an image tag's "1.25", any patch of it) is above every number.
     */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingNumber(x[i]) : 0;
            int q = i < y.length ? leadingNumber(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int leadingNumber(String part) {
        if (part.equals("x")) {
            return Integer.MAX_VALUE;
        }
        int n = 0;
        for (int i = 0; i < part.length() && Character.isDigit(part.charAt(i)) && n < 100_000; i++) {
            n = n * 10 + (part.charAt(i) - '0');
        }
        return n;
    }

    /** Whether {@code version} looks like an nginx version ("1.26.3", or "1.26.x": any patch of 1.26). */
    static boolean isVersion(String version) {
        return version != null && version.matches("\\d+\\.\\d+(\\.(\\d+|x))?");
    }

    // ---- variables and listen parameters ----------------------------------------------------------------------

    /** The variables of {@code kind} ("http" or "stream") nginx's modules define, prefixes included. */
    List<Variable> variables(String kind) {
        return variables.stream().filter(v -> v.kind().equals(kind)).toList();
    }

    /** Whether nginx's builds have {@code module} without a load_module (no row of it is dynamic-only). */
    boolean isBuiltIn(String module) {
        return byName.values().stream().flatMap(List::stream).noneMatch(e -> e.module().equals(module) && e.dynamic());
    }

    /** The parameters {@code directive} ("listen" or "server") of {@code kind} ("http", "stream", "mail") knows. */
    List<Parameter> parameters(String directive, String kind) {
        return parameters.stream().filter(p -> p.directive().equals(directive) && p.kind().equals(kind)).toList();
    }
}
