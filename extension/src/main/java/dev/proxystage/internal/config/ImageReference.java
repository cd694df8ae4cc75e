package dev.proxystage.internal.config;

import java.util.regex.Pattern;

/**
 * Docker's image reference grammar ({@code [registry[:port]/]path[:tag][@digest]}): what {@code docker pull} and
 * {@code docker run} accept. A compose image whose {@code ${VARIABLES}} are unset interpolates to something like
 * {@code nginx:} or {@code mattermost/:}, which the engine refuses only when the stage starts.
 */
public final class ImageReference {

    private static final String DOMAIN_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern REFERENCE = Pattern.compile(
            "(?:" + DOMAIN_LABEL + "(?:\\." + DOMAIN_LABEL + ")*(?::[0-9]+)?/)?"
                    + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

    private ImageReference() {
    }

    /** Whether {@code image} is a reference the engine accepts (the name only; whether it exists is not known here). */
    public static boolean valid(String image) {
        return image != null && image.length() <= 255 && REFERENCE.matcher(image).matches();
    }

    /** Why {@code image} is refused, for a one-line problem. */
    static String problem(String image) {
        return "'" + image + "' is not an image reference ([registry/]name[:tag][@digest], lower-case name, no empty"
                + " part): the engine would refuse it when the stage starts";
    }
}
