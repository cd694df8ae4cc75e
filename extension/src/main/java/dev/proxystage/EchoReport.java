package dev.proxystage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What ProxyStage's echo backend saw: its own identity (stage, alias, container) and the request exactly as nginx
 * forwarded it. Header names are lower-case. Over FastCGI or uwsgi ({@code fastcgi_pass}, {@code uwsgi_pass}) the
 * headers are the {@code HTTP_*} params nginx sent, and {@link #gateway()} has every param.
 */
public record EchoReport(Identity identity, Request request, Client client, Gateway gateway) {

    public EchoReport {
        gateway = gateway == null ? Gateway.HTTP : gateway;
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Which echo container answered. */
    public record Identity(String stage, String alias, String backend, String hostname) {
    }

    /** The request as the backend received it. */
    public record Request(String method, String uri, String path, String query, String protocol,
                          Map<String, List<String>> headers, long bodyLength, String body) {

        public Request {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        /** All values of header {@code name}, in arrival order. */
        public List<String> headerValues(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The first value of header {@code name}. */
        public Optional<String> header(String name) {
            return headerValues(name).stream().findFirst();
        }
    }

    /** The peer the backend saw: nginx's address on the stage network. */
    public record Client(String address, int port) {
    }

    /**
     * How nginx reached the echo: {@code http} (with no params), {@code fastcgi} or {@code uwsgi}.
     *
     * @param protocol       {@code http}, {@code fastcgi} or {@code uwsgi}
     * @param scriptName     the first {@code SCRIPT_NAME} param, empty when none came
     * @param scriptFilename the first {@code SCRIPT_FILENAME} param, empty when none came
     * @param params         every param by name, each with all the values nginx sent, in order (a param written
     *                       twice in the configuration arrives twice)
     */
    public record Gateway(String protocol, String scriptName, String scriptFilename, Map<String, List<String>> params) {

        /** What an echo reached over HTTP reports. */
        public static final Gateway HTTP = new Gateway("http", "", "", Map.of());

        public Gateway {
            protocol = protocol == null ? "http" : protocol;
            scriptName = scriptName == null ? "" : scriptName;
            scriptFilename = scriptFilename == null ? "" : scriptFilename;
            params = params == null ? Map.of() : Map.copyOf(params);
        }

        /** All values of param {@code name} (case as sent), in arrival order. */
        public List<String> paramValues(String name) {
            return params.getOrDefault(name, List.of());
        }
    }

    /**
     * The echo backend refused the request (it answers ambiguous framing as real servers do: 400 with the reason).
     *
     * @param identity which echo container refused it
     * @param status   the status it answered
     * @param error    the status's reason phrase
     * @param detail   what was wrong, with the values it received
     */
    public record Refusal(Identity identity, int status, String error, String detail) {

        @Override
        public String toString() {
            return "echo backend " + identity.alias() + "@" + identity.stage() + " refused the request: " + detail;
        }
    }

    /** Parses an echo backend's refusal; anything else (an echo report, another backend's body) gives empty. */
    static Optional<Refusal> parseRefusal(String contentType, String body) {
        if (contentType == null || !contentType.startsWith("application/json") || !body.contains("\"identity\"")
                || !body.contains("\"detail\"")) {
            return Optional.empty();
        }
        try {
            Refusal refusal = JSON.readValue(body, Refusal.class);
            return refusal.identity() == null || refusal.detail() == null || refusal.status() == 0
                    ? Optional.empty() : Optional.of(refusal);
        } catch (IOException notARefusal) {
            return Optional.empty();
        }
    }

    /** Parses an echo answer; anything else (another backend, an nginx error page) gives empty. */
    static Optional<EchoReport> parse(String contentType, String body) {
        if (contentType == null || !contentType.startsWith("application/json") || !body.contains("\"identity\"")) {
            return Optional.empty();
        }
        try {
            EchoReport report = JSON.readValue(body, EchoReport.class);
            return report.identity() == null || report.request() == null ? Optional.empty() : Optional.of(report);
        } catch (IOException notAnEcho) {
            return Optional.empty();
        }
    }
}
