package dev.proxystage.internal.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A routes.yml: what each request through a stage's nginx must do (see {@link RouteTableLoader}). */
public record RouteTableFile(Path file, List<Route> routes) {

    /**
     * One route: its request, what is expected by default, and per-stage overrides ({@code null}: skipped there).
     *
     * @param urlLocation {@code file:line:column} of the request's url (of the shorthand, when the request is one)
     * @param differs     per stage, why that stage answers this route differently on purpose ({@code differs:}); the
     *                    promotion gate accepts a difference there
     */
    public record Route(String name, String location, Request request, Expect expect, Map<String, Optional<Expect>> stages,
                        Map<String, String> stageLocations, String urlLocation, Map<String, String> differs) {

        public Route(String name, String location, Request request, Expect expect, Map<String, Optional<Expect>> stages,
                     Map<String, String> stageLocations, String urlLocation) {
            this(name, location, request, expect, stages, stageLocations, urlLocation, Map.of());
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
     * @param headers          response headers; a value starting with {@code ~} is a regular expression
     * @param forwardedHeaders headers the echo backend received
     */
    public record Expect(Optional<Integer> status, Optional<String> backend, String backendLocation, Optional<String> redirect,
                         Map<String, String> headers, Map<String, String> forwardedHeaders, boolean websocket) {
    }
}
