package dev.proxystage.internal.nginx;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The configuration corpus under src/test/resources/nginx. */
final class Corpus {

    private Corpus() {
    }

    static Path dir(String relative) {
        URL url = Corpus.class.getResource("/nginx/" + relative);
        if (url == null) {
            throw new IllegalStateException("no test resource nginx/" + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static NginxConfig parse(String scenario) {
        return NginxConfig.parse(dir(scenario + "/conf.d"));
    }
}
