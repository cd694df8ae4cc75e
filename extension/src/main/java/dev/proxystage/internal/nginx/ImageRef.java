package dev.proxystage.internal.nginx;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference taken apart as the engine reads it: {@code [registry/]repository[:tag][@digest]}. The first
 * path component is a registry when it has a dot or a port, or is {@code localhost}; so {@code host:5000/nginx:1.25}
 * is repository {@code nginx} with tag {@code 1.25} on {@code host:5000}.
 *
 * @param registry   the registry's host (and port), if the reference names one
 * @param repository the path within the registry, e.g. {@code nginx}, {@code library/nginx}, {@code proxystage/nginx}
 * @param tag        the tag, if given (the engine then assumes {@code latest})
 * @param digest     the digest after {@code @}, e.g. {@code sha256:…}, if given
 */
public record ImageRef(Optional<String> registry, String repository, Optional<String> tag, Optional<String> digest) {

    private static final List<String> HUB = List.of("docker.io", "index.docker.io");

    // Docker's grammar ([registry[:port]/]path[:tag][@digest]): a compose image whose ${VARIABLES} are unset
    // interpolates to something like "nginx:" or "mattermost/:", which the engine refuses only at the stage's start.
    private static final String DOMAIN_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern REFERENCE = Pattern.compile(
            "(?:" + DOMAIN_LABEL + "(?:\\." + DOMAIN_LABEL + ")*(?::[0-9]+)?/)?"
                    + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

    /** Whether {@code image} is a reference the engine accepts (the name only; whether it exists is not known here). */
    public static boolean valid(String image) {
        return image != null && image.length() <= 255 && REFERENCE.matcher(image).matches();
    }

    /** Why {@code image} is refused, for a one-line problem. */
    public static String problem(String image) {
        return "'" + image + "' is not an image reference ([registry/]name[:tag][@digest], lower-case name, no empty"
                + " part): the engine would refuse it when the stage starts";
    }

    /** {@code image} taken apart; nothing in it is refused. */
    public static ImageRef parse(String image) {
        String rest = image;
        Optional<String> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Optional.of(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = Optional.of(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
        }
        Optional<String> registry = Optional.empty();
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = Optional.of(first);
                rest = rest.substring(slash + 1);
            }
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    /** The last component of the repository: {@code nginx} for {@code host:5000/library/nginx:1.25}. */
    public String name() {
        return repository.substring(repository.lastIndexOf('/') + 1);
    }

    /**
     * The repository as Docker Hub names it, without {@code library/} ({@code nginx}, {@code proxystage/nginx}),
     * when the image is on Docker Hub (no registry, or Docker Hub's own); empty for any other registry.
     */
    public Optional<String> hubRepository() {
        if (registry.isPresent() && !HUB.contains(registry.get())) {
            return Optional.empty();
        }
        return Optional.of(repository.startsWith("library/") ? repository.substring("library/".length()) : repository);
    }
}
