package dev.proxystage.hardening;

import java.util.Objects;

/**
 * One problem a probe found.
 *
 * @param probe    the probe that found it
 * @param where    {@code file:line} of the server block (the host file the user edits)
 * @param subject  the server block (and location) in words, e.g. {@code server vw.example.com, location /api
 *                 (/.../app.conf:20)}
 * @param request  what the probe sent, e.g. {@code GET https://vw.example.com/ with Host: unknown...}
 * @param observed what came back, and why it is a problem
 */
public record Finding(Probe probe, String where, String subject, String request, String observed) {

    public Finding {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(observed, "observed");
    }

    /** One line: {@code [probe] file:line subject: request → observed}. */
    @Override
    public String toString() {
        return "[" + probe.id() + "] " + where + " " + subject + ": " + request + " → " + observed;
    }
}
