package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules nginx itself applies to a whole configuration, beyond syntax: nginx's own directive table (names,
 * contexts, argument counts, flags, duplicates, the version that has each: {@link DirectiveRules}), values as nginx
 * parses them ({@link ValueRules}), one default server per address:port, server names claimed twice, headers set
 * twice, variables left open. Each finding points at the directive's own file and line, never at the include that
 * carries it.
 */
public final class NginxRules {

    /**
     * The nginx of the offline image ({@code proxystage/nginx:offline}, Debian trixie's nginx-light, which
     * scripts/build-offline-images.sh installs). An IT holds the image to it.
     */
    public static final String OFFLINE_IMAGE_NGINX = "1.26.3";

    /**
     * What the check knows about the nginx that will run the configuration.
     *
     * @param version the stage's nginx version ("1.26.3"); without it, a directive of any version in the table is
     *                accepted
     * @param modules third-party modules the stage's nginx has (pipeline.yml); with any, or with load_module in the
     *                main config, a directive or variable nginx's own modules lack is a warning, not an error
     * @param image   the stage's nginx image: which of nginx's own modules it has only as dynamic ones
     */
    public record Options(Optional<String> version, Set<String> modules, Optional<String> image) {

        public static final Options NONE = new Options(Optional.empty(), Set.of());

        public Options {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(image, "image");
            version = version.filter(DirectiveTable::isVersion);
            modules = Set.copyOf(modules);
        }

        /** Without an image: nothing is assumed of which modules it builds in or ships. */
        public Options(Optional<String> version, Set<String> modules) {
            this(version, modules, Optional.empty());
        }

        /** The layout of the stage's image ({@link ImageLayout#OTHER} when none is named). */
        ImageLayout layout() {
            return image.map(ImageLayout::of).orElse(ImageLayout.OTHER);
        }

        public static Options version(String version) {
            return new Options(Optional.ofNullable(version), Set.of());
        }

        /**
         * What the image reference tells of the stage's nginx: the version of an nginx image's tag
         * ({@code nginx:1.24.0}, {@code nginx:1.24-alpine}, {@code nginxinc/nginx-unprivileged:1.25.3}), when the
         * table reaches it. A tag that names only major.minor stands for the newest patch of it. Other images (a
         * tag such as {@code stable}, an image whose tag is its own version, a version newer than the table) give
         * none: the newest table judges, and nginx -t, when it runs, has the last word.
         */
        public static Options forImage(String image, Set<String> modules) {
            return new Options(imageVersion(image).filter(v -> !DirectiveTable.get().isBeyond(v)), modules,
                    Optional.of(image));
        }

        static Optional<String> imageVersion(String image) {
            if (ImageLayout.of(image) == ImageLayout.DEBIAN) {
                return Optional.of(OFFLINE_IMAGE_NGINX);
            }
            ImageRef ref = ImageRef.parse(image);
            if (!ref.name().equals("nginx") && !ref.name().equals("nginx-unprivileged")) {
                return Optional.empty();
            }
            Optional<Matcher> version = ref.tag().map(NGINX_TAG::matcher).filter(Matcher::matches);
            if (version.isEmpty()) {
                return Optional.empty();
            }
            Matcher m = version.get();
            // "1.25" is whatever 1.25.x the registry serves now: "1.25.x" compares as the newest patch of 1.25.
            return Optional.of(m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "x" : m.group(3)));
        }
    }

    /** An nginx image tag that is nginx's version: 1.24.0, 1.24, 1.24.0-alpine, 1.25.3-alpine-slim, 1.26-perl. */
    private static final Pattern NGINX_TAG =
            Pattern.compile("(1)\\.(\\d{1,3})(?:\\.(\\d{1,3}))?(?:-[A-Za-z0-9._-]+)?");

    /** Arguments that are patterns or names, where "${" is no variable. */
    private static final Set<String> NO_VARIABLES = Set.of("location", "server_name", "if", "log_format");

    private NginxRules() {
    }

    /**
     * Whether {@code p} is one of nginx's certificate errors that the stage plan's certificate check reports in
     * its own words for a server that listens with ssl (its missing certificate or key).
     */
    public static boolean coveredByCertificatePlan(Problem p) {
        return p.message().equals(ValueRules.NO_CERTIFICATE) || p.message().endsWith(Merges.LISTENS_SSL);
    }

    /** Errors (nginx would not start) first, then warnings, each in configuration order; any nginx version. */
    public static List<Problem> check(NginxConfig config) {
        return check(config, Options.NONE);
    }

    /** Errors (nginx would not start) first, then warnings, each in configuration order. */
    public static List<Problem> check(NginxConfig config, Options options) {
        List<Problem> all = new ArrayList<>();
        DirectiveTable table = DirectiveTable.get();
        boolean modulesOpen = config.loadsModules() || !options.modules().isEmpty();
        DirectiveRules directives = new DirectiveRules(table, options, modulesOpen,
                config.request().mainConf().isEmpty());
        all.addAll(directives.check(config.directives()));
        all.addAll(new ValueRules(table, options, modulesOpen, config.request().mainConf().isEmpty())
                .check(directives.placed));
        all.addAll(Merges.check(config.directives(), config.request().mainConf().isEmpty()));
        all.addAll(DefaultServers.duplicateDefaults(config.servers()));
        all.addAll(HashBuckets.check(config.directives(), config.servers()));
        unclosedVariables(config.directives(), all);
        all.addAll(DefaultServers.conflictingNames(config.servers()));
        all.addAll(HeaderRedefinitions.check(config.directives()));
        // Errors in configuration order (files as read, then lines), as nginx would meet them; warnings as found.
        List<Path> files = config.files();
        List<Problem> sorted = new ArrayList<>(all.stream().filter(Problem::isError)
                .sorted(Comparator.comparingInt((Problem p) -> files.indexOf(p.file()) < 0
                        ? Integer.MAX_VALUE : files.indexOf(p.file())).thenComparingInt(Problem::line))
                .toList());
        sorted.addAll(all.stream().filter(p -> !p.isError()).toList());
        return sorted;
    }

    /** {@code ${name} without its "}"}: nginx stops with "the closing bracket in ... variable is missing". */
    private static void unclosedVariables(List<Directive> top, List<Problem> problems) {
        Directive.walk(top, d -> {
            // an if compiles only its compared value or tested path; its variable is one name, "${a" included;
            // a rewrite compiles only its replacement (its first argument is a regex)
            List<String> values = d.name().equals("if") ? ValueRules.ifValues(d.args())
                    : d.name().equals("rewrite") ? d.args().subList(Math.min(1, d.args().size()),
                            Math.min(2, d.args().size()))
                    : NO_VARIABLES.contains(d.name()) ? List.of() : d.args();
            for (String arg : values) {
                String open = unclosed(arg);
                if (open != null) {
                    problems.add(new Problem(Severity.ERROR, Rule.NGINX_VALUE, d.file(), d.line(), "the closing bracket in \""
                            + open + "\" variable is missing (in \"" + arg + "\" of the \"" + d.name()
                            + "\" directive)"));
                    break;
                }
            }
        });
    }

    /** The name after the first "${" that no "}" closes, or null. */
    private static String unclosed(String arg) {
        int from = 0;
        while (true) {
            int open = arg.indexOf("${", from);
            if (open < 0) {
                return null;
            }
            int end = open + 2;
            while (end < arg.length() && isNameChar(arg.charAt(end))) {
                end++;
            }
            if (end >= arg.length() || arg.charAt(end) != '}') {
                return arg.substring(open + 2, end);
            }
            from = end + 1;
        }
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
