package dev.proxystage.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * "Up to the first 200": GET http://vw.example.com/ and follow conf.d's own redirects (the example conf.d sends
 * port 80 to https) until a 200, at most three hops. Every case ends with this, whatever client it has.
 */
final class FirstOk {

    static final String START = "http://vw.example.com/";

    /** A status and the Location header (or null). */
    record Answer(int status, String location) {
    }

    private FirstOk() {
    }

    /** Follows redirects from {@link #START}; returns the URL that answered 200. */
    static String follow(Function<String, Answer> get) {
        String url = START;
        for (int hop = 0; hop <= 3; hop++) {
            Answer answer = get.apply(url);
            if (answer.status() == 200) {
                return url;
            }
            if (answer.status() / 100 != 3 || answer.location() == null) {
                throw new IllegalStateException("GET " + url + " through nginx answered " + answer.status());
            }
            url = HttpUrl.get(url).resolve(answer.location()).toString();
        }
        throw new IllegalStateException("more than 3 redirects from " + START);
    }

    static Answer answer(Response response) {
        try (response) {
            response.body().string();
            return new Answer(response.code(), response.header("Location"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
