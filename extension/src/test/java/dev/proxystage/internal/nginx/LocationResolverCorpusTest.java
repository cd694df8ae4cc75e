package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The resolver against the codes nginx answers for every URI of the corpus, recorded from the real nginx (which
 * LocationResolverIT asks again): no Docker here.
 */
class LocationResolverCorpusTest {

    @Test
    void theResolverPredictsNginxsAnswerForEveryCorpusUri() {
        NginxConfig config = ResolverCorpus.config();
        LocationResolver resolver = new LocationResolver(config);
        List<ResolverCorpus.Case> cases = ResolverCorpus.cases();
        List<String> wrong = new ArrayList<>();
        for (ResolverCorpus.Case c : cases) {
            OptionalInt predicted = ResolverCorpus.predict(config, resolver, c);
            if (predicted.isEmpty() || predicted.getAsInt() != c.expected()) {
                wrong.add(c + ": nginx answers " + c.expected() + ", the resolver says "
                        + (predicted.isEmpty() ? "unknown" : predicted.getAsInt()) + " ("
                        + ResolverCorpus.explain(config, resolver, c) + ")");
            }
        }
        assertThat(cases).hasSizeGreaterThan(150);
        assertThat(wrong).isEmpty();
    }
}
