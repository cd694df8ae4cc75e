package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.Stage;
import dev.proxystage.StageBackend;
import dev.proxystage.StageNginx;
import dev.proxystage.internal.engine.StageInternals;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the isolation probe concludes from what it ran in nginx, and what it refuses to probe. */
class IsolationProbeTest {

    private final StageInternals prep = stage("prep", "10.1.0.2");
    private final StageInternals ship = stage("ship", "10.2.0.2");
    private final List<String> scripts = new ArrayList<>();

    @Test
    void aStageWhoseNginxNeitherResolvesNorReachesTheOtherIsIsolated() {
        assertThatCode(() -> IsolationProbe.assertIsolated(prep, script -> {
            scripts.add(script);
            return "10.1.0.2\n"; // the alias resolves to prep's own backend
        }, ship)).doesNotThrowAnyException();

        // The probe aimed at ship's container name, address, port and the shared alias.
        assertThat(scripts).singleElement().asString()
                .contains("getent hosts vaultwarden-ship-r1", "/dev/tcp/10.2.0.2/80", "getent hosts vaultwarden");
    }

    @Test
    void everyLeakIsNamed() {
        assertThatThrownBy(() -> IsolationProbe.assertIsolated(prep, script -> "RESOLVED\nREACHED\n10.2.0.2\n", ship))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("stage prep is not isolated from stage ship")
                .hasMessageContaining("nginx-rp-prep-r1 resolves vaultwarden-ship-r1 of stage ship")
                .hasMessageContaining("nginx-rp-prep-r1 reaches vaultwarden@ship at 10.2.0.2:80")
                .hasMessageContaining("alias 'vaultwarden' resolves to vaultwarden@ship (10.2.0.2)");
    }

    @Test
    void anNginxImageWithoutBashCannotProveUnreachability() {
        assertThatThrownBy(() -> IsolationProbe.assertIsolated(prep, script -> "NO_BASH\n10.1.0.2\n", ship))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("cannot probe reachability: the nginx image nginx:test has no bash");
    }

    @Test
    void aStageIsNotProbedAgainstItself() {
        assertThatThrownBy(() -> IsolationProbe.assertIsolated(prep, script -> "", prep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be isolated from itself");
    }

    @Test
    void aStageThatProxyStageDidNotStartIsRefusedWithAClearMessage() {
        Stage foreign = (Stage) Proxy.newProxyInstance(Stage.class.getClassLoader(), new Class<?>[] {Stage.class},
                (proxy, method, args) -> method.getName().equals("toString") ? "someone else's stage" : null);
        assertThatThrownBy(() -> StageInternals.of(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a stage that ProxyStage started: someone else's stage");
    }

    /** A started stage as the probe sees it: one backend "vaultwarden" at {@code address}, run id r1. */
    private static StageInternals stage(String name, String address) {
        StageBackend backend = proxy(StageBackend.class, Map.of("name", "vaultwarden", "alias", "vaultwarden",
                "containerName", "vaultwarden-" + name + "-r1", "port", 80));
        StageNginx nginx = proxy(StageNginx.class, Map.of("containerName", "nginx-rp-" + name + "-r1", "image", "nginx:test"));
        return proxy(StageInternals.class, Map.of("name", name, "backends", List.of(backend), "nginx", nginx,
                "backendAddress", Optional.of(address)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            if (method.getName().equals("toString")) {
                return type.getSimpleName() + answers;
            }
            if (method.getName().equals("equals")) {
                return self == args[0];
            }
            if (method.getName().equals("hashCode")) {
                return System.identityHashCode(self);
            }
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName() + " is not used by the probe");
            }
            return answers.get(method.getName());
        });
    }
}
