package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.DirectiveTable.Args;
import dev.proxystage.internal.nginx.DirectiveTable.Context;
import dev.proxystage.internal.nginx.DirectiveTable.Duplicate;
import dev.proxystage.internal.nginx.DirectiveTable.Entry;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generated table as the check reads it: rows, contexts, argument rules, handlers, versions, suggestions. */
class DirectiveTableTest {

    private final DirectiveTable table = DirectiveTable.get();

    @Test
    void theTableIsGeneratedFromTheTwoDebianVersionsAndHoldsEveryModuleFamily() {
        assertThat(table.versions()).containsExactly("1.22.1", "1.26.3");
        assertThat(table.names()).hasSizeGreaterThan(600)
                .contains("proxy_pass", "worker_connections", "ssl_preread", "imap_capabilities", "include");
        assertThat(table.named("no_such_directive")).isEmpty();
    }

    @Test
    void proxyPassIsOneDirectiveInHttpAndAnotherInStream() {
        Entry http = table.lookup("proxy_pass", Context.LOCATION).orElseThrow();
        Entry stream = table.lookup("proxy_pass", Context.STREAM_SERVER).orElseThrow();

        assertThat(http.module()).isEqualTo("ngx_http_proxy_module");
        assertThat(http.contexts()).containsExactlyInAnyOrder(Context.LOCATION, Context.IF_IN_LOCATION,
                Context.LIMIT_EXCEPT);
        assertThat(stream.module()).isEqualTo("ngx_stream_proxy_module");
        assertThat(table.lookup("proxy_pass", Context.SERVER)).isEmpty();
        assertThat(table.lookup("proxy_pass", Context.HTTP)).isEmpty();
    }

    @Test
    void includeIsAllowedEverywhereAndIfOnlyInServerAndLocation() {
        for (Context c : Context.values()) {
            assertThat(table.lookup("include", c)).as(c.label).isPresent();
        }
        Entry ifBlock = table.lookup("if", Context.SERVER).orElseThrow();
        assertThat(ifBlock.block()).isTrue();
        assertThat(table.lookup("if", Context.IF_IN_LOCATION)).isEmpty();
        assertThat(table.lookup("return", Context.IF_IN_SERVER)).isPresent();
        assertThat(table.lookup("deny", Context.LIMIT_EXCEPT)).isPresent();
        assertThat(table.lookup("keepalive", Context.UPSTREAM)).isPresent();
        assertThat(table.lookup("keepalive", Context.LOCATION)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'1', 0, false", "'1', 1, true", "'1', 2, false",
            "'12', 2, true", "'12', 3, false", "'01', 0, true",
            "'flag', 1, true", "'flag', 2, false",
            "'1+', 0, false", "'1+', 9, true", "'2+', 1, false", "'2+', 2, true",
            "'any', 0, true", "'1234', 4, true", "'1234', 5, false"})
    void argumentRulesFollowNginxsCountCheck(String rule, int count, boolean accepted) {
        assertThat(Args.parse(rule).accepts(count)).isEqualTo(accepted);
    }

    @Test
    void handlersTellFlagsEnumsAndDuplicates() {
        Entry tokens = table.lookup("server_tokens", Context.SERVER).orElseThrow();
        Entry nodelay = table.lookup("tcp_nodelay", Context.SERVER).orElseThrow();
        Entry header = table.lookup("add_header", Context.SERVER).orElseThrow();
        Entry pass = table.lookup("proxy_pass", Context.LOCATION).orElseThrow();
        Entry protocols = table.lookup("ssl_protocols", Context.SERVER).orElseThrow();

        assertThat(tokens.isEnumSlot()).isTrue();
        assertThat(tokens.values()).containsExactlyInAnyOrder("on", "off", "build");
        assertThat(nodelay.isFlagSlot()).isTrue();
        assertThat(nodelay.duplicate()).isEqualTo(Duplicate.SLOT);
        assertThat(pass.duplicate()).isEqualTo(Duplicate.HANDLER);
        assertThat(header.duplicate()).isEqualTo(Duplicate.NONE);
        assertThat(protocols.isBitmaskSlot()).isTrue();
        assertThat(protocols.values()).contains("TLSv1.2", "TLSv1.3");
    }

    @Test
    void dynamicOnlyModulesAreMarked() {
        assertThat(table.lookup("geoip_country", Context.HTTP).orElseThrow().dynamic()).isTrue();
        assertThat(table.lookup("proxy_pass", Context.STREAM_SERVER).orElseThrow().dynamic()).isFalse();
    }

    @ParameterizedTest(name = "{0} on nginx {1}")
    @CsvSource({
            "http2, 1.22.1, '\"http2\" needs nginx 1.25.1; the stage''s nginx is 1.22.1'",
            "http2, 1.24.0, '\"http2\" needs nginx 1.25.1; the stage''s nginx is 1.24.0'",
            "http2, 1.25.1, ''",
            "http2, 1.26.3, ''",
            "http3, 1.22.1, '\"http3\" needs an nginx newer than 1.22.1 (1.26.3 has it); the stage''s nginx is 1.22.1'",
            "http3, 1.24.0, ''",
            "proxy_pass, 1.18.0, ''",
            "proxy_pass, 1.31.0, ''"})
    void aVersionLacksWhatCameLaterOnlyWhereTheTableIsSure(String name, String version, String expected) {
        Entry e = table.named(name).get(0);
        assertThat(table.missingIn(e, version)).isEqualTo(Optional.ofNullable(expected).filter(s -> !s.isEmpty()));
    }

    @Test
    void aRemovedDirectiveIsGoneFromItsRemovalOn() {
        Entry ssl = table.lookup("ssl", Context.SERVER).orElseThrow();

        assertThat(table.missingIn(ssl, "1.26.3")).contains("\"ssl\" is gone since nginx 1.25.1; the stage's nginx is 1.26.3");
        assertThat(table.missingIn(ssl, "1.24.0")).isEmpty();
        assertThat(table.missingIn(ssl, "1.22.1")).isEmpty();
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(DirectiveTable.compare("1.9.2", "1.22.1")).isNegative();
        assertThat(DirectiveTable.compare("1.26.3", "1.26.3")).isZero();
        assertThat(DirectiveTable.compare("1.27", "1.26.3")).isPositive();
        assertThat(table.isBeyond("1.27.0")).isTrue();
        assertThat(table.isBeyond("1.26.3")).isFalse();
        assertThat(DirectiveTable.isVersion("1.26.3")).isTrue();
        assertThat(DirectiveTable.isVersion("latest")).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"retrun, return", "proxy_pas, proxy_pass", "proxy_set_headers, proxy_set_header",
            "server_nmae, server_name", "lisen, listen", "Return, return"})
    void aNearMissSuggestsTheDirective(String typo, String meant) {
        assertThat(table.suggestion(typo, Context.LOCATION)).contains(meant);
    }

    @Test
    void farNamesSuggestNothing() {
        assertThat(table.suggestion("more_set_headers", Context.LOCATION)).isEmpty();
        assertThat(table.suggestion("xyz", Context.LOCATION)).isEmpty();
        assertThat(DirectiveTable.distance("retrun", "return")).isEqualTo(1);
        assertThat(DirectiveTable.distance("abc", "abc")).isZero();
    }

    @Test
    void variablesAndListenParametersComeWithTheTable() {
        assertThat(table.variables("http")).extracting(DirectiveTable.Variable::name)
                .contains("request_uri", "proxy_add_x_forwarded_for", "upstream_cache_status", "http_", "arg_")
                .doesNotContain("proxy_add_via");
        assertThat(table.variables("stream")).extracting(DirectiveTable.Variable::name)
                .contains("ssl_preread_server_name").doesNotContain("request_uri");
        assertThat(table.parameters("listen", "http")).extracting(DirectiveTable.Parameter::name)
                .contains("default_server", "ssl", "http2", "quic", "backlog=", "reuseport", "proxy_protocol");
        assertThat(table.parameters("listen", "stream")).extracting(DirectiveTable.Parameter::name).contains("udp");
        assertThat(table.parameters("server", "http")).extracting(DirectiveTable.Parameter::name)
                .containsExactlyInAnyOrder("weight=", "max_conns=", "max_fails=", "fail_timeout=", "backup", "down");
    }
}
