package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.probes.ConfigView.LocationInfo;
import dev.proxystage.internal.probes.ConfigView.Target;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Alias traversal (gixy's alias_traversal): for every prefix location without a trailing slash that uses
 * {@code alias} ({@code location /static { alias /srv/static/; }}), {@code GET /static../} maps to the parent of the
 * alias directory. It must answer like a path that does not exist there ({@code /static..<random>/}): a 200, 206, 3xx
 * or 403 where the baseline is something else means the request reached a directory outside the alias.
 */
final class AliasTraversalProbe implements ProbeCheck {

    private static final Set<Integer> ESCAPED = Set.of(200, 206, 301, 302, 403);

    @Override
    public Probe probe() {
        return Probe.ALIAS_TRAVERSAL;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        ConfigView view = context.view();
        String absent = "..proxystage-absent-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000) + "/";
        for (ServerBlock block : view.config().servers()) {
            List<LocationInfo> aliases = view.aliasLocations(block);
            if (aliases.isEmpty()) {
                continue;
            }
            Optional<Target> target = view.targets(block).stream().findFirst();
            if (target.isEmpty()) {
                context.note(ConfigView.where(block) + ": alias-traversal cannot reach " + ConfigView.describe(block)
                        + " (no server name and not a default server)");
                continue;
            }
            for (LocationInfo alias : aliases) {
                if (!context.budgetLeft()) {
                    return;
                }
                String prefix = alias.location().pattern();
                Exchange escape = context.get(target.get().url(prefix + "../"));
                Exchange baseline = context.get(target.get().url(prefix + absent));
                boolean escaped = escape.answered() && escape.echo().isEmpty() && ESCAPED.contains(escape.status())
                        && escape.status() != baseline.status();
                if (escaped) {
                    String aliasPath = alias.directive().children("alias").get(0).arg(0).orElse("?");
                    findings.add(finding(block, alias.describe(), escape.request(), escape.outcome() + " while "
                            + baseline.request() + " → " + baseline.outcome() + ": " + prefix + "../ resolves to "
                            + aliasPath + "../, outside the alias directory; end the location with a slash (location "
                            + prefix + "/)"));
                }
            }
        }
    }
}
