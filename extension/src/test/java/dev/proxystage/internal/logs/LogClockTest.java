package dev.proxystage.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogClockTest {

    @Test
    void dockerTimestampsAndMarksShareOneClock() {
        long mark = LogClock.now();
        long later = LogClock.parse(Instant.now().plusSeconds(1).toString());

        assertThat(later).isGreaterThan(mark);
        assertThat(LogClock.parse("2026-12-01T09:30:00.123456789Z") % 1_000_000_000L).isEqualTo(123_456_789L);
        assertThat(LogClock.epochSecond(LogClock.parse("2026-12-01T09:30:00.5Z")))
                .isEqualTo(Instant.parse("2026-12-01T09:30:00Z").getEpochSecond());
        assertThat(LogClock.parse("not-a-time")).isEqualTo(-1);
    }

    @Test
    void marksStrictlyIncrease() {
        long a = LogClock.now();
        long b = LogClock.now();
        assertThat(b).isGreaterThan(a);
    }
}
