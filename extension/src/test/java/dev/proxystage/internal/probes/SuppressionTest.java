package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Probe;
import dev.proxystage.hardening.Suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.hardening.SuppressProbe;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class SuppressionTest {

    @SuppressProbe(value = "plain-http", reason = "status page")
    @SuppressProbe(value = "tls-protocols", reason = "legacy clients")
    static class Base {
    }

    static class Derived extends Base {
    }

    @SuppressProbe(value = "version-disclosure", reason = "outer")
    static class Outer {
        static class Inner {
            @SuppressProbe(value = "alias-traversal", reason = "on the method")
            void method() {
            }
        }
    }

    @Test
    void byIdWithReason() {
        assertThat(Suppression.of("version-disclosure", "  OPS-42 ")).isEqualTo(new Suppression(Probe.VERSION_DISCLOSURE, "OPS-42"));
        assertThat(Probe.byId("forwarded-headers")).isEqualTo(Probe.FORWARDED_HEADERS);
    }

    @Test
    void unknownIdListsTheKnownOnes() {
        assertThatThrownBy(() -> Suppression.of("version", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown hardening probe 'version' (known: default-server, header-splitting, alias-traversal,"
                        + " version-disclosure, forwarded-headers, plain-http, tls-protocols)");
    }

    @Test
    void aReasonIsRequired() {
        assertThatThrownBy(() -> Suppression.of("plain-http", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("switching off hardening probe 'plain-http' needs a reason");
    }

    @Test
    void repeatedAnnotationsAreInherited() {
        assertThat(Suppression.declaredOn(Derived.class)).containsExactly(
                new Suppression(Probe.PLAIN_HTTP, "status page"), new Suppression(Probe.TLS_PROTOCOLS, "legacy clients"));
    }

    @Test
    void enclosingClassesAndMethodsCount() throws Exception {
        Method method = Outer.Inner.class.getDeclaredMethod("method");

        assertThat(Suppression.declaredOn(Outer.Inner.class, method)).containsExactly(
                new Suppression(Probe.VERSION_DISCLOSURE, "outer"), new Suppression(Probe.ALIAS_TRAVERSAL, "on the method"));
    }

    @Test
    @SuppressProbe(value = "default-server", reason = "from TestInfo")
    void fromTheCurrentTest(TestInfo info) {
        assertThat(Suppression.declaredOn(info)).containsExactly(new Suppression(Probe.DEFAULT_SERVER, "from TestInfo"));
    }
}
