package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.hardening.HardeningReport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.Labels;
import dev.proxystage.fixtures.FixtureRuns;
import dev.proxystage.internal.probes.HardeningFixtures.AliasGroundTruth;
import dev.proxystage.internal.probes.HardeningFixtures.AliasTraversalSuppressed;
import dev.proxystage.internal.probes.HardeningFixtures.AllProbes;
import dev.proxystage.internal.probes.HardeningFixtures.DefaultServerSuppressed;
import dev.proxystage.internal.probes.HardeningFixtures.ForwardedHeadersSuppressed;
import dev.proxystage.internal.probes.HardeningFixtures.HeaderSplittingSuppressed;
import dev.proxystage.internal.probes.HardeningFixtures.PlainHttpSuppressed;
import dev.proxystage.internal.probes.HardeningFixtures.Report;
import dev.proxystage.internal.probes.HardeningFixtures.SuppressedByApi;
import dev.proxystage.internal.probes.HardeningFixtures.TlsGroundTruth;
import dev.proxystage.internal.probes.HardeningFixtures.TlsProtocolsSuppressed;
import dev.proxystage.internal.probes.HardeningFixtures.VersionDisclosureSuppressed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Events;
import org.testcontainers.DockerClientFactory;

/**
 * Runs the hardening probes through the real extension, Docker and nginx: the good conf.d passes every probe, and each
 * bad conf.d makes exactly its probe fail, naming the server block's file:line, until that probe is switched off.
 * Each fixture is one EngineTestKit run (one stage) with several fixture classes sharing it.
 */
class HardeningProbesIT {

    private static final Path FIXTURES = Path.of("src/test/resources/probes");

    private final DockerClient docker = DockerClientFactory.instance().client();

    private static EngineExecutionResults run(String fixture, Map<String, String> systemProperties, Class<?>... classes) {
        systemProperties.forEach(System::setProperty);
        try {
            return FixtureRuns.run(FIXTURES.resolve(fixture).resolve("pipeline.yml").toString(), Map.of(), classes);
        } finally {
            systemProperties.keySet().forEach(System::clearProperty);
        }
    }

    /** {@code probes/<fixture>/conf.d/<file>:<line>} as findings print it (whatever the working directory). */
    private static String at(String fixture, String file, int line) {
        return Path.of("probes", fixture, "conf.d", file) + ":" + line;
    }

    @AfterEach
    void nothingIsLeftBehind() {
        String pid = Long.toString(ProcessHandle.current().pid());
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.PID, pid)).exec()).isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of(Labels.PID + "=" + pid)).exec()).isEmpty();
    }

    @Test
    void goodConfigurationPassesEveryProbe() {
        HardeningFixtures.REPORTS.remove("good");
        Events tests = run("good", Map.of(), AllProbes.class, Report.class).testEvents();

        tests.assertStatistics(stats -> stats.started(2).succeeded(2));
        HardeningReport report = HardeningFixtures.REPORTS.get("good");
        assertThat(report.findings()).isEmpty();
        assertThat(report.suppressed()).isEmpty();
        // Not vacuous: every probe that has something to look at in good/ sent requests or handshakes.
        // (good/ has no alias location without trailing slash, so alias-traversal has nothing to probe.)
        assertThat(report.checks()).containsOnlyKeys(Probe.values());
        EnumSet.complementOf(EnumSet.of(Probe.ALIAS_TRAVERSAL))
                .forEach(probe -> assertThat(report.checks().get(probe)).as(probe.id()).isGreaterThan(0));
    }

    @Test
    void defaultServerProbeFailsWhenUnknownHostsReachAnApplication() {
        HardeningReport report = failsOnlyWith("default-server", Probe.DEFAULT_SERVER, DefaultServerSuppressed.class,
                at("default-server", "vaultwarden.conf", 22));
        assertThat(report.findings()).allSatisfy(f -> assertThat(f.toString())
                .contains("the default server of port 443 ssl")
                .contains("unknown-host.proxystage.invalid")
                .contains("from backend 'vaultwarden'"));
        // Port 80's catch-all still works: only port 443 is reported.
        assertThat(report.failureMessage()).doesNotContain("port 80");
    }

    @Test
    void headerSplittingProbeFailsOnDecodedUriInHeaders() {
        HardeningReport report = failsOnlyWith("header-splitting", Probe.HEADER_SPLITTING, HeaderSplittingSuppressed.class,
                at("header-splitting", "vaultwarden.conf", 8), at("header-splitting", "vaultwarden.conf", 23));
        assertThat(report.failureMessage())
                .contains("GET http://vw.example.com/%0d%0aX-Injected:%20yes → 301 with response header X-Injected: yes")
                .contains("GET https://vw.example.com/%0d%0aX-Injected:%20yes → 200 from backend 'vaultwarden', which received header X-Injected");
    }

    @Test
    void aliasTraversalProbeFailsWhenTheParentOfTheAliasIsReachable() {
        HardeningReport report = failsOnlyWith("alias-traversal", Probe.ALIAS_TRAVERSAL, AliasTraversalSuppressed.class,
                at("alias-traversal", "vaultwarden.conf", 22));
        assertThat(report.findings()).singleElement().satisfies(f -> assertThat(f.toString())
                .contains("location /static (").contains(at("alias-traversal", "vaultwarden.conf", 54) + ")")
                .contains("GET https://vw.example.com/static../ → 403 while")
                .contains("/ → 404: /static../ resolves to /srv/probe/static/../"));
        // /assets (no slash on either side) is probed too, and is not a traversal.
        assertThat(report.failureMessage()).doesNotContain("/assets");
        assertThat(HardeningFixtures.GROUND_TRUTH.get("alias")).startsWith("200 secret: outside the alias directory");
    }

    @Test
    void versionDisclosureProbeFailsWithoutServerTokensOff() {
        HardeningReport report = failsOnlyWith("version-disclosure", Probe.VERSION_DISCLOSURE, VersionDisclosureSuppressed.class,
                at("version-disclosure", "default.conf", 2), at("version-disclosure", "vaultwarden.conf", 8),
                at("version-disclosure", "vaultwarden.conf", 22));
        assertThat(report.findings()).allSatisfy(f -> assertThat(f.observed()).containsPattern("nginx/\\d"));
    }

    @Test
    void forwardedHeadersProbeFailsOnDuplicateHostMissingHeadersAndDroppedSecurityHeaders() {
        HardeningReport report = failsOnlyWith("forwarded-headers", Probe.FORWARDED_HEADERS, ForwardedHeadersSuppressed.class,
                at("forwarded-headers", "vaultwarden.conf", 22));
        String message = report.failureMessage();
        assertThat(message)
                // the snippet's Host plus the location's own
                .contains("location / (").contains(at("forwarded-headers", "vaultwarden.conf", 34) + ")")
                .contains("2 proxy_set_header Host entries in effect (")
                .contains(at("forwarded-headers", "snippets/proxy-headers.conf", 2) + ", ")
                .contains(at("forwarded-headers", "vaultwarden.conf", 38) + "): nginx sends 2 Host headers")
                // its own proxy_set_headers, none of the forwarded ones
                .contains("location /notifications/hub (").contains(at("forwarded-headers", "vaultwarden.conf", 41) + ")")
                .contains("received Host: vaultwarden instead of the client's vw.example.com")
                .contains("received no X-Real-IP")
                .contains("received no X-Forwarded-Proto")
                // add_header in the location drops the server's security headers
                .contains("location /static/ (").contains(at("forwarded-headers", "vaultwarden.conf", 56) + ")")
                .contains("without Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options");
        assertThat(report.findings()).hasSize(3);
    }

    @Test
    void plainHttpProbeFailsWhenPort80ServesTheApplication() {
        HardeningReport report = failsOnlyWith("plain-http", Probe.PLAIN_HTTP, PlainHttpSuppressed.class,
                at("plain-http", "vaultwarden.conf", 8));
        assertThat(report.findings()).singleElement().satisfies(f -> assertThat(f.toString())
                .contains("GET http://vw.example.com/ → 200 from backend 'vaultwarden': served over plain HTTP by a backend"));
    }

    @Test
    void tlsProbeFailsWhenNginxReallyAcceptsTls10And11() {
        HardeningReport report = failsOnlyWith("tls-protocols", Probe.TLS_PROTOCOLS, TlsProtocolsSuppressed.class,
                at("tls-protocols", "default.conf", 2), at("tls-protocols", "vaultwarden.conf", 22));
        assertThat(report.findings()).extracting(f -> f.where().endsWith(at("tls-protocols", "default.conf", 2)) ? "default" : "vw",
                Finding::request).containsExactly(
                tuple("default", "TLS ClientHello offering only TLSv1 to port 443 without SNI"),
                tuple("default", "TLS ClientHello offering only TLSv1.1 to port 443 without SNI"),
                tuple("vw", "TLS ClientHello offering only TLSv1 to port 443 with SNI vw.example.com"),
                tuple("vw", "TLS ClientHello offering only TLSv1.1 to port 443 with SNI vw.example.com"));
        assertThat(report.findings()).extracting(Finding::observed)
                .allSatisfy(o -> assertThat(o).contains("ServerHelloDone: the server accepts TLSv1"));
        // legacy.example.com lists TLSv1 too, but OpenSSL's default security level refuses it: no finding.
        assertThat(report.failureMessage()).doesNotContain("legacy.example.com");
        // openssl inside the container agrees with every verdict.
        Map<String, String> truth = HardeningFixtures.GROUND_TRUTH;
        for (String accepted : List.of(" tls1", " tls1_1", "vw.example.com tls1", "vw.example.com tls1_1")) {
            assertThat(truth.get(accepted)).as(accepted).contains("Cipher is ").doesNotContain("Cipher is (NONE)");
        }
        for (String refused : List.of("legacy.example.com tls1", "legacy.example.com tls1_1")) {
            assertThat(truth.get(refused)).as(refused).contains("alert").contains("Cipher is (NONE)");
        }
    }

    /**
     * Runs the contract, the report, the suppressed contract and the API suppression against {@code fixture}: the
     * contract fails with findings of {@code probe} only, each naming one of {@code blocks}, and every block is
     * named; with the probe switched off (annotation or API), the stage passes.
     */
    private HardeningReport failsOnlyWith(String fixture, Probe probe, Class<?> suppressed, String... blocks) {
        HardeningFixtures.REPORTS.remove(fixture);
        List<Class<?>> classes = new ArrayList<>(List.of(AllProbes.class, Report.class, suppressed, SuppressedByApi.class));
        if (probe == Probe.TLS_PROTOCOLS) {
            classes.add(TlsGroundTruth.class);
        }
        if (probe == Probe.ALIAS_TRAVERSAL) {
            classes.add(AliasGroundTruth.class);
        }
        Events tests = run(fixture, Map.of("fixture.probe", probe.id()), classes.toArray(Class<?>[]::new)).testEvents();

        tests.assertStatistics(stats -> stats.started(classes.size()).failed(1).succeeded(classes.size() - 1));
        tests.failed().assertThatEvents().haveExactly(1, event(test("passesHardeningProbes"),
                finishedWithFailure(instanceOf(AssertionError.class))));
        String message = tests.failed().stream().findFirst().orElseThrow().getRequiredPayload(
                TestExecutionResult.class).getThrowable().orElseThrow().getMessage();
        List<String> lines = message.lines().filter(l -> l.startsWith("[")).toList();
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("[" + probe.id() + "] "));
        assertThat(lines).allSatisfy(line -> assertThat(Arrays.stream(blocks).anyMatch(line::contains))
                .as("names one of %s: %s", Arrays.toString(blocks), line).isTrue());
        Arrays.stream(blocks).forEach(block -> assertThat(message).contains(block));

        HardeningReport report = HardeningFixtures.REPORTS.get(fixture);
        Set<Probe> failing = report.findings().stream().map(Finding::probe).collect(Collectors.toSet());
        assertThat(failing).containsExactly(probe);
        return report;
    }
}
