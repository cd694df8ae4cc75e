package dev.proxystage.internal.report;

import java.util.Optional;

/**
 * How one route of a route table answered in one stage: what the matrix across stages compares.
 *
 * @param table          the route table's file, as given
 * @param route          the route's place in the table ({@code file:line:column}): its identity across stages
 * @param name           the route's name
 * @param stage          the stage it ran in
 * @param passed         whether the route's expectations held
 * @param failure        what differed, when it failed ("" when it passed)
 * @param status         the status nginx sent; empty when there was no HTTP answer (a WebSocket, a refused connection)
 * @param backend        the backend that answered, by its pipeline name; empty when nginx answered by itself
 * @param backendStage   the stage that backend belongs to
 * @param upstreamStatus the status the upstream answered
 * @param outcome        what happened when there is no HTTP status ({@code websocket open}, or the error); with a
 *                       status, {@code no trace} when nginx left none (who answered is then unknown), else ""
 * @param trace          nginx's routing trace of the request, one line ("" when there was none)
 */
public record RouteAnswer(String table, String route, String name, String stage, boolean passed, String failure,
                          Optional<Integer> status, Optional<String> backend, Optional<String> backendStage,
                          Optional<Integer> upstreamStatus, String outcome, String trace) {

    /**
     * What must be equal for two stages to answer alike: the status, who answered (a backend by name, or nginx) and
     * the upstream's status. The backend's stage is left out: each stage answers from its own copy.
     */
    public String key() {
        if (status.isEmpty()) {
            return outcome;
        }
        if (!outcome.isEmpty()) {
            return status.get() + " (" + outcome + ")";
        }
        return status.get() + " from " + backend.orElse("nginx") + upstreamStatus.map(s -> " (upstream " + s + ")").orElse("");
    }

    /** The cell's text: {@code 200 vaultwarden@prep (upstream 200)}. */
    public String describe() {
        if (status.isEmpty()) {
            return outcome;
        }
        if (!outcome.isEmpty()) {
            return status.get() + " (" + outcome + ")";
        }
        return status.get() + " " + backend.map(b -> b + "@" + backendStage.orElse("?")).orElse("nginx")
                + upstreamStatus.map(s -> " (upstream " + s + ")").orElse("");
    }
}
