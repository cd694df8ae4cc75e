package dev.proxystage;

import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/** Assertions on what the echo backend received from nginx. */
public final class EchoReportAssert extends AbstractAssert<EchoReportAssert, EchoReport> {

    EchoReportAssert(EchoReport actual) {
        super(actual, EchoReportAssert.class);
    }

    /** The backend received header {@code name} exactly once, with exactly {@code value}. */
    public EchoReportAssert hasHeader(String name, String value) {
        isNotNull();
        List<String> values = actual.request().headerValues(name);
        if (!values.equals(List.of(value))) {
            failWithMessage("expected the backend (%s@%s) to receive %s: %s but it received %s", actual.identity().alias(),
                    actual.identity().stage(), name, value, values.isEmpty() ? "no such header" : values);
        }
        return this;
    }

    /** The backend received header {@code name}, with any value. */
    public EchoReportAssert hasHeader(String name) {
        isNotNull();
        if (actual.request().headerValues(name).isEmpty()) {
            failWithMessage("expected the backend (%s@%s) to receive header %s; it received %s", actual.identity().alias(),
                    actual.identity().stage(), name, actual.request().headers().keySet());
        }
        return this;
    }

    /**
     * The backend, reached over FastCGI or uwsgi, received param {@code name} exactly once, with exactly
     * {@code value}; a param that the configuration sets twice (an included {@code fastcgi_params} and a line of the
     * site's own) fails with both values.
     */
    public EchoReportAssert hasParam(String name, String value) {
        isNotNull();
        List<String> values = actual.gateway().paramValues(name);
        if (!values.equals(List.of(value))) {
            failWithMessage("expected the backend (%s@%s, over %s) to receive param %s: %s but it received %s",
                    actual.identity().alias(), actual.identity().stage(), actual.gateway().protocol(), name, value,
                    values.isEmpty() ? "no such param" : values);
        }
        return this;
    }

    /** The backend, reached over FastCGI or uwsgi, received param {@code name} exactly once. */
    public EchoReportAssert hasParam(String name) {
        isNotNull();
        List<String> values = actual.gateway().paramValues(name);
        if (values.size() != 1) {
            failWithMessage("expected the backend (%s@%s, over %s) to receive param %s once; it received %s",
                    actual.identity().alias(), actual.identity().stage(), actual.gateway().protocol(), name,
                    values.isEmpty() ? "none (params: " + actual.gateway().params().keySet() + ")" : values);
        }
        return this;
    }

    public EchoReportAssert doesNotHaveHeader(String name) {
        isNotNull();
        List<String> values = actual.request().headerValues(name);
        if (!values.isEmpty()) {
            failWithMessage("expected the backend not to receive %s, but it received %s", name, values);
        }
        return this;
    }

    /** The backend received the request for {@code uri} (path and query). */
    public EchoReportAssert hasUri(String uri) {
        isNotNull();
        if (!Objects.equals(uri, actual.request().uri())) {
            failWithMessage("expected the backend to receive %s but it received %s", uri, actual.request().uri());
        }
        return this;
    }

    public EchoReportAssert hasMethod(String method) {
        isNotNull();
        if (!Objects.equals(method, actual.request().method())) {
            failWithMessage("expected the backend to receive a %s but it received a %s", method, actual.request().method());
        }
        return this;
    }
}
