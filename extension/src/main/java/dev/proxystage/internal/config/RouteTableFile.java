package dev.proxystage.internal.config;

import dev.proxystage.Fault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A routes.yml: what each request through a stage's nginx must do (see {@link RouteTableLoader}). */
public record RouteTableFile(Path file, List<Route> routes) {

    /**
     * One route: its request, what is expected by default, per-stage overrides ({@code null}: skipped there), and
     * the fault in force on a backend while the route runs, if any.
     *
     * @param urlLocation {@code file:line:column} of the request's url (of the shorthand, when the request is one)
     * @param differs     per stage, why that stage answers this route differently on purpose ({@code differs:}); the
     *                    promotion gate accepts a difference there
     * @param fault       the fault in force on a backend while the route runs ({@code fault:}), if any
     */
    public record Route(String name, String location, Request request, Expect expect, Map<String, Optional<Expect>> stages,
                        Map<String, String> stageLocations, String urlLocation, Map<String, String> differs,
                        Optional<RouteFault> fault) {

        /** A route that runs on a healthy stage. */
        public Route(String name, String location, Request request, Expect expect, Map<String, Optional<Expect>> stages,
                     Map<String, String> stageLocations, String urlLocation) {
            this(name, location, request, expect, stages, stageLocations, urlLocation, Map.of(), Optional.empty());
        }

        /** Why {@code stage} answers this route differently on purpose; empty when it should answer as the others. */
        public Optional<String> differsIn(String stage) {
            return Optional.ofNullable(differs.get(stage));
        }

        /** What this route expects in {@code stage}; empty when the stage skips it. */
        public Optional<Expect> expectIn(String stage) {
            return stages.getOrDefault(stage, Optional.of(expect));
        }
    }

    public record Request(String method, String url, Map<String, String> headers, Optional<String> body) {
    }

    /**
     * {@code fault: {backend: vaultwarden, hang: true}}: the fault applied to that backend (by its name in
     * pipeline.yml) for this route only, healed after it.
     *
     * @param location {@code file:line:column} of the fault's entry
     */
    public record RouteFault(String backend, Fault fault, String location) {
    }

    /**
     * @param backends         the backend that answers ({@code backend: name}), or one of several
     *                         ({@code backend: [a, b]}, an upstream's servers); empty: not checked
     * @param headers          response headers; a value starting with {@code ~} is a regular expression
     * @param forwardedHeaders headers the echo backend received
     */
    public record Expect(Optional<Integer> status, List<String> backends, String backendLocation, Optional<String> redirect,
                         Map<String, String> headers, Map<String, String> forwardedHeaders, boolean websocket) {

        public Expect {
            backends = List.copyOf(backends);
        }
    }
}
