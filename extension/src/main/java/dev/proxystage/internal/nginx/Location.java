package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.List;

/**
 * A {@code location} block.
 *
 * @param modifier  how {@code pattern} matches
 * @param pattern   the URI prefix, regex or name (without {@code @}), as written
 * @param locations the nested locations
 * @param directive the whole directive, for anything not modelled here
 */
public record Location(Modifier modifier, String pattern, Path file, int line, List<Location> locations,
                       Directive directive) {

    public Location {
        locations = List.copyOf(locations);
    }

    /** The location modifiers of nginx. */
    public enum Modifier {
        /** {@code location /path} */
        PREFIX(""),
        /** {@code location = /path} */
        EXACT("="),
        /** {@code location ^~ /path}: a prefix that stops the regex search */
        PREFERRED_PREFIX("^~"),
        /** {@code location ~ regex} */
        REGEX("~"),
        /** {@code location ~* regex} */
        REGEX_CASE_INSENSITIVE("~*"),
        /** {@code location @name} */
        NAMED("@");

        private final String symbol;

        Modifier(String symbol) {
            this.symbol = symbol;
        }

        /** The modifier as written in nginx ({@code ""} for a plain prefix). */
        public String symbol() {
            return symbol;
        }
    }
}
