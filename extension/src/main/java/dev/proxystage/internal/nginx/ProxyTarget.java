package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where one {@code proxy_pass} (or {@code grpc_pass}, {@code uwsgi_pass}, {@code fastcgi_pass}, {@code scgi_pass})
 * sends requests. A pass through an {@code upstream} block yields one target per upstream server; a variable with
 * several possible values (a {@code map}, a {@code set} inside an {@code if}) yields one per value.
 *
 * @param directive           the pass directive
 * @param via                 how the host was found
 * @param scheme              {@code http}, {@code https}, {@code grpc}, {@code grpcs}, {@code uwsgi}, {@code suwsgi},
 *                            {@code fastcgi}, {@code scgi}, or {@code tcp} in a stream block; empty when unresolved
 * @param host                the host, lower-cased as DNS compares it; for {@link Via#UNRESOLVED} the target text
 *                            with whatever could be substituted
 * @param port                the port, the scheme's default when omitted; 0 when unknown (unresolved, a unix socket,
 *                            or a protocol without default port)
 * @param upstream            the {@code upstream} block name the target went through, if any
 * @param unresolvedVariables the variables that no {@code set} or {@code map} in scope defines (without {@code $})
 * @param hostDefinedBy       the directive where the host is written: the pass itself, an upstream {@code server},
 *                            a {@code set}, or a {@code map} entry; problems with the host point there
 * @param resolver            the {@code resolver} in effect at the pass, if any
 * @param portDefinedBy       the directive where the port is written (a {@code set $upstream_port}, an upstream
 *                            {@code server}); the pass itself when the port is the scheme's default
 */
public record ProxyTarget(Directive directive, Via via, String scheme, String host, int port,
                          Optional<String> upstream, List<String> unresolvedVariables, Directive hostDefinedBy,
                          Optional<Resolver> resolver, Directive portDefinedBy) {

    public ProxyTarget {
        unresolvedVariables = List.copyOf(unresolvedVariables);
    }

    /** How a target's host was found. */
    public enum Via {
        /** Written in the pass: {@code proxy_pass http://vaultwarden:80;} */
        LITERAL,
        /** A literal upstream name: {@code proxy_pass http://backend;} with {@code upstream backend { ... }} */
        UPSTREAM,
        /** Through {@code set}/{@code map} variables: {@code proxy_pass $proto://$app:$port;} */
        VARIABLES,
        /** A variable ProxyStage cannot resolve (set nowhere in scope, a request variable, a regex capture) */
        UNRESOLVED
    }

    /** The pass argument as written. */
    public String target() {
        return directive.args().isEmpty() ? "" : directive.args().get(0);
    }

    public Path file() {
        return directive.file();
    }

    public int line() {
        return directive.line();
    }

    public boolean resolved() {
        return via != Via.UNRESOLVED;
    }
}
