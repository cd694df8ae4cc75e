package dev.proxystage.internal.logs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Values that must never be shown (secrets from {@code ${env:NAME}}); they print as {@link #MASK}. */
public final class SecretMask {

    public static final String MASK = "****";

    private final List<String> secrets = new CopyOnWriteArrayList<>();

    public void add(List<String> values) {
        values.stream().filter(v -> v != null && !v.isEmpty()).forEach(secrets::add);
    }

    public String masked(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }
}
