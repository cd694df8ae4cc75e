package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Upstream.UpstreamServer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code upstream} blocks, and the variables {@code map}, {@code geo} and {@code split_clients} define. */
final class Upstreams {

    private Upstreams() {
    }

    static Upstream of(Directive d, boolean stream) {
        if (d.args().size() != 1) {
            throw new NginxConfigException(d.file(), d.line(), "invalid number of arguments in \"upstream\" directive");
        }
        List<UpstreamServer> servers = new ArrayList<>();
        for (Directive s : d.children("server")) {
            if (s.args().isEmpty()) {
                throw new NginxConfigException(s.file(), s.line(), "invalid number of arguments in \"server\" "
                        + "directive");
            }
            String address = s.args().get(0);
            if (address.startsWith("unix:")) {
                servers.add(new UpstreamServer(address, 0, s));
                continue;
            }
            Endpoints.Endpoint e = Endpoints.hostPort(address, 0, stream ? 0 : 80);
            if (e == null) {
                // nginx's words where its address parser refuses it (ngx_parse_url), else ProxyStage's
                String message = HandlerValues.urlError(address)
                        .map(err -> err + " in upstream \"" + address + "\"")
                        .orElse("invalid address \"" + address + "\" in upstream \"" + d.args().get(0) + "\"");
                throw new NginxConfigException(s.file(), s.line(), message);
            }
            servers.add(new UpstreamServer(e.host(), e.port(), s));
        }
        if (servers.isEmpty()) {
            // nginx finds it once the block is read: at its "}"
            throw new NginxConfigException(d.file(), d.close(), "no servers are inside upstream (\""
                    + d.args().get(0) + "\", opened at line " + d.line() + ")");
        }
        return new Upstream(d.args().get(0), servers, d.file(), d.line());
    }

    /** map, geo and split_clients define a variable whose possible values are their entries' values. */
    static void defineVariable(Directive d, BlockContext ctx) {
        if (!d.hasBlock() || d.args().isEmpty()) {
            return;
        }
        String variable = d.args().get(d.args().size() - 1);
        if (!variable.startsWith("$")) {
            return;
        }
        Set<String> keywords = switch (d.name()) {
            case "map" -> Set.of("hostnames", "volatile");
            case "geo" -> Set.of("ranges", "delete", "proxy", "proxy_recursive");
            default -> Set.of();
        };
        Map<String, Directive> values = ctx.variables.computeIfAbsent(variable.substring(1),
                k -> new LinkedHashMap<>());
        for (Directive entry : d.block()) {
            if (!keywords.contains(entry.name()) && entry.args().size() == 1 && !entry.args().get(0).isEmpty()) {
                values.putIfAbsent(entry.args().get(0), entry);
            }
        }
    }
}
