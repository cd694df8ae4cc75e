package dev.proxystage.internal.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a stage gets the certificates its conf.d names.
 *
 * @param generate   {@link Generate#AUTO}: generate a certificate for every referenced path that the user does not
 *                   ship; {@link Generate#ALWAYS}: generate them all, replacing shipped ones
 * @param testNames  concrete host names for server names that are not one ({@code ~regex}, or to override a rule),
 *                   keyed by the server_name as written
 * @param trust      extra PEM certificates the client trusts besides the run's test CA (for shipped certificates)
 */
public record TlsSpec(Generate generate, Map<String, String> testNames, List<Path> trust) {

    public enum Generate { AUTO, ALWAYS }

    public static final TlsSpec DEFAULT = new TlsSpec(Generate.AUTO, Map.of(), List.of());

    public TlsSpec {
        testNames = Map.copyOf(testNames);
        trust = List.copyOf(trust);
    }
}
