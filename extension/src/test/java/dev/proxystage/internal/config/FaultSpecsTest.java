package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.Fault;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FaultSpecsTest {

    @Test
    void everyKindWithItsValueAsRouteTablesAndTheCommandLineWriteThem() {
        assertThat(FaultSpecs.parse("hang", Optional.of("true"))).isEqualTo(Fault.hang());
        assertThat(FaultSpecs.parse("down", Optional.empty())).isEqualTo(Fault.down());
        assertThat(FaultSpecs.parse("slow", Optional.of("1500ms"))).isEqualTo(Fault.slow(Duration.ofMillis(1500)));
        assertThat(FaultSpecs.parse("slow", Optional.of("2s"))).isEqualTo(Fault.slow(Duration.ofSeconds(2)));
        assertThat(FaultSpecs.parse("slow-chunks", Optional.of("100"))).isEqualTo(Fault.slowChunks(Duration.ofMillis(100)));
        assertThat(FaultSpecs.parse("throttle", Optional.of("1000"))).isEqualTo(Fault.throttle(1000));
        assertThat(FaultSpecs.parse("reset", Optional.empty())).isEqualTo(Fault.reset());
        assertThat(FaultSpecs.parse("resetAfter", Optional.of("100"))).isEqualTo(Fault.resetAfter(100));
        assertThat(FaultSpecs.parse("flaky", Optional.of("25%"))).isEqualTo(Fault.flaky(0.25));
        assertThat(FaultSpecs.parse("flaky", Optional.of("0.5"))).isEqualTo(Fault.flaky(0.5));
        assertThat(FaultSpecs.parse("restart", Optional.empty())).isEqualTo(Fault.restartWithNewAddress());
        assertThat(Fault.flaky(0.25)).hasToString("flaky 25%");
        assertThat(Fault.slowChunks(Duration.ofMillis(100))).hasToString("slowChunks 100 ms");
        assertThat(Fault.hang().needsFaultProxy()).isFalse();
        assertThat(Fault.restartWithNewAddress().needsFaultProxy()).isFalse();
        assertThat(Fault.throttle(10).needsFaultProxy()).isTrue();
    }

    @Test
    void aBadOneSaysWhatIsWrongAndWhatIsExpected() {
        assertThatThrownBy(() -> FaultSpecs.parse("melt", Optional.empty())).hasMessage("unknown fault 'melt' (known: down,"
                + " hang, slow <duration>, slowChunks <duration>, throttle <bytes per second>, reset, resetAfter <bytes>,"
                + " flaky <fraction>, restartWithNewAddress)");
        assertThatThrownBy(() -> FaultSpecs.parse("slow", Optional.empty()))
                .hasMessage("fault 'slow' takes a duration such as 500ms, 2s or 1m, got ''");
        assertThatThrownBy(() -> FaultSpecs.parse("slow", Optional.of("2h")))
                .hasMessage("fault 'slow' takes a duration such as 500ms, 2s or 1m, got '2h'");
        assertThatThrownBy(() -> FaultSpecs.parse("hang", Optional.of("false")))
                .hasMessage("fault 'hang' takes no value (or true), got 'false'");
        assertThatThrownBy(() -> FaultSpecs.parse("throttle", Optional.of("fast")))
                .hasMessage("fault 'throttle' takes a whole number of bytes per second, e.g. 1000, got 'fast'");
        assertThatThrownBy(() -> FaultSpecs.parse("flaky", Optional.of("150%")))
                .hasMessage("fault 'flaky' takes a fraction of connections, more than 0 and at most 1 (0.25 or 25%), got '150%'");
    }
}
