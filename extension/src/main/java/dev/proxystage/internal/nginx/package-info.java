/**
 * Understanding the nginx configuration a stage tests, before any container starts.
 *
 * <ul>
 *   <li>{@link dev.proxystage.internal.nginx.NginxConfig#parse(dev.proxystage.internal.nginx.ParseRequest)} reads conf.d (and
 *       optionally a main nginx.conf) into crossplane-like {@link dev.proxystage.internal.nginx.Directive}s, with includes
 *       spliced in and container paths mapped back to host files; a broken file fails with
 *       {@link dev.proxystage.internal.nginx.NginxConfigException} ({@code file:line: message}).</li>
 *   <li>The same object offers the view a stage needs: servers, listen ports, locations, upstreams, resolvers and
 *       where each {@code proxy_pass} goes ({@link dev.proxystage.internal.nginx.ProxyTarget}), variables included.</li>
 *   <li>{@link dev.proxystage.internal.nginx.StagePlanCheck} compares those targets with a stage's declared backends
 *       (hosts and ports), and adds {@link dev.proxystage.internal.nginx.NginxRules}: where nginx allows each
 *       directive, one default server per address:port ({@link dev.proxystage.internal.nginx.DefaultServers}, also
 *       the rule the probes use), names claimed twice, headers set twice, variables left open.</li>
 *   <li>{@link dev.proxystage.internal.nginx.LocationResolver} says which location nginx picks for a request and
 *       what answers it (rewrites, try_files, error_page and named locations followed), with
 *       {@link dev.proxystage.internal.nginx.VirtualServers} for the server a host reaches and
 *       {@link dev.proxystage.internal.nginx.NginxRegex} for PCRE read by Java.</li>
 * </ul>
 *
 * <p>The tokenizer follows nginx's own (ngx_conf_read_token), not a guess at it: an unquoted "{" always opens a block,
 * so a regex with a brace quantifier must be quoted, exactly as nginx requires.
 */
package dev.proxystage.internal.nginx;
