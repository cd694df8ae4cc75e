package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Suppression;
import dev.proxystage.hardening.HardeningReport;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HardeningReportTest {

    private static final Finding VERSION = new Finding(Probe.VERSION_DISCLOSURE, "conf.d/app.conf:3", "server vw.example.com",
            "TRACE https://vw.example.com/", "405, Server: nginx/1.22.1");
    private static final Finding SPLIT = new Finding(Probe.HEADER_SPLITTING, "conf.d/app.conf:3",
            "server vw.example.com, location / (conf.d/app.conf:9)", "GET https://vw.example.com/%0d%0aX-Injected:%20yes",
            "301 with response header X-Injected: yes");

    @Test
    void oneFindingPerLineThenWhatWasSwitchedOff() {
        HardeningReport report = new HardeningReport("prep", List.of(SPLIT, VERSION),
                List.of(Suppression.of("tls-protocols", "legacy clients")), Map.of(Probe.VERSION_DISCLOSURE, 4), List.of("a note"));

        assertThat(report.passed()).isFalse();
        assertThat(report.failureMessage()).isEqualTo("""
                Expected stage 'prep' to pass the hardening probes, but 2 probes failed with 2 findings:
                [header-splitting] conf.d/app.conf:3 server vw.example.com, location / (conf.d/app.conf:9): \
                GET https://vw.example.com/%0d%0aX-Injected:%20yes → 301 with response header X-Injected: yes
                [version-disclosure] conf.d/app.conf:3 server vw.example.com: TRACE https://vw.example.com/ → \
                405, Server: nginx/1.22.1
                switched off: tls-protocols (legacy clients)
                note: a note""");
        assertThat(report.findings(Probe.VERSION_DISCLOSURE)).containsExactly(VERSION);
    }

    @Test
    void noFindingsPasses() {
        HardeningReport report = new HardeningReport("prep", List.of(), List.of(), Map.of(Probe.PLAIN_HTTP, 3), List.of());

        assertThat(report.passed()).isTrue();
        assertThat(report.toString()).startsWith("stage 'prep' passes the hardening probes");
    }

    @Test
    void versionPatterns() {
        assertThat(VersionDisclosureProbe.SERVER_VERSION.matcher("nginx/1.22.1").find()).isTrue();
        assertThat(VersionDisclosureProbe.SERVER_VERSION.matcher("openresty/1.25.3.1").find()).isTrue();
        assertThat(VersionDisclosureProbe.SERVER_VERSION.matcher("nginx").find()).isFalse();
        assertThat(VersionDisclosureProbe.PAGE_VERSION.matcher("<hr><center>nginx/1.27.3</center>").find()).isTrue();
        assertThat(VersionDisclosureProbe.PAGE_VERSION.matcher("<hr><center>nginx</center>").find()).isFalse();
    }
}
