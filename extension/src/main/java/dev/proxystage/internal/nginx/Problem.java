package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A finding of {@link StagePlanCheck}. {@link #toString()} is {@code file:line: message}, or {@code file: message} for
 * line 0 (a finding about the configuration as a whole, located at conf.d).
 *
 * @param rule what the finding is about, given where it is made: its stable id in {@code check}'s SARIF log
 */
public record Problem(Severity severity, Rule rule, Path file, int line, String message) {

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    /**
     * What a finding of ProxyStage's checks is about, with an id that stays when its wording changes: the rules of
     * {@code check}'s SARIF log. Each finding is given its rule where it is made.
     */
    public enum Rule {
        NGINX_SYNTAX("nginx-syntax", "conf.d cannot be read as nginx reads it: braces, quotes, a missing \";\", includes"),
        NGINX_UNKNOWN_DIRECTIVE("nginx-unknown-directive", "a directive nginx's modules do not have"),
        NGINX_VERSION("nginx-version", "a directive the stage's nginx may lack: newer than it, or from a loadable module"),
        NGINX_CONTEXT("nginx-context", "a directive where nginx does not allow it"),
        NGINX_ARGS("nginx-args", "a directive with a number of arguments nginx refuses"),
        NGINX_DUPLICATE("nginx-duplicate", "a directive given again where nginx allows it once"),
        NGINX_VALUE("nginx-value", "a value nginx refuses: flags, sizes, times, variables, regexes, if conditions"),
        NGINX_SERVERS("nginx-servers", "server blocks nginx refuses or never routes to: a second default server, a"
                + " server name another block claims first"),
        NGINX_HEADERS("nginx-headers", "a header set twice for one request or answer"),
        NGINX_READINESS("nginx-readiness", "what keeps the stage from waiting for nginx: daemon on, nothing to listen"
                + " on outside the container, no server block"),
        NGINX_FILES("nginx-files", "what nginx needs from its container at start that the stage does not give it:"
                + " files, directories, users"),
        NGINX_MERGE("nginx-merge", "what nginx refuses once it merges the http block's settings into servers and"
                + " locations: buffer sizes that do not fit together, a recoding no charset_map covers"),
        NGINX_TEST("nginx-test", "nginx -t, run as the stage runs nginx, refuses the configuration"),
        NGINX_AT_START("nginx-at-start", "nginx stopped at start with the configuration nginx -t accepted"),
        BACKEND_UNKNOWN("backend-unknown", "a pass to a host that is no backend of the stage"),
        BACKEND_STAGE_SUFFIX("backend-stage-suffix", "a pass to a backend by its per-stage name instead of its shared"
                + " one"),
        BACKEND_PORT("backend-port", "a pass to a port the backend does not serve on"),
        BACKEND_LOCAL("backend-local", "a pass to the nginx container itself, which no stage backend is"),
        BACKEND_UNRESOLVED("backend-unresolved", "a pass whose host the configuration alone does not decide"),
        BACKEND_RESOLVER("backend-resolver", "a pass resolved per request without Docker's DNS as its resolver"),
        BACKEND_UNUSED("backend-unused", "a backend of the stage no pass reaches"),
        TLS_CERTIFICATE("tls-certificate", "the TLS plan: certificates, keys, DH parameters and the server names they are"
                + " issued for"),
        PIPELINE_CONFIG("pipeline-config", "pipeline.yml and its overlays: keys, values, stages and backends"),
        PIPELINE_PLAN("pipeline-plan", "what a start refuses beyond conf.d: the prod guard, files, ports"),
        ROUTES_TABLE("routes-table", "the route table (routes.yml) does not load: keys, values, URLs, regexes"),
        ROUTES_STAGE("routes-stage", "a route table override for a stage the pipeline does not have"),
        ROUTES_CONF("routes-conf", "a route the stage's conf.d cannot answer as the table expects: no listener on its"
                + " port, no such backend");

        private final String id;
        private final String description;

        Rule(String id, String description) {
            this.id = id;
            this.description = description;
        }

        /** The stable id, e.g. {@code nginx-unknown-directive}. */
        public String id() {
            return id;
        }

        /** The rule whose id is {@code id}. */
        public static Rule of(String id) {
            for (Rule rule : values()) {
                if (rule.id.equals(id)) {
                    return rule;
                }
            }
            throw new IllegalArgumentException("no rule " + id);
        }

        /** One line: what findings of this rule are about. */
        public String description() {
            return description;
        }
    }

    /** ERROR stops the stage before any container starts; WARNING is reported and the stage goes on. */
    public enum Severity { ERROR, WARNING }

    /** Where {@code other} is, seen from {@code d}: "line 12" in the same file, else its file:line. */
    static String near(Directive d, Directive other) {
        return d.file().equals(other.file()) ? "line " + other.line() : other.where();
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return NginxConfigException.format(file, line, message);
    }
}
