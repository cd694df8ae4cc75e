package dev.proxystage.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskTest {

    @Test
    void everyOccurrenceOfEverySecretIsMasked() {
        SecretMask mask = new SecretMask();
        mask.add(List.of("s3cret", "tok-42"));

        assertThat(mask.masked("admin token s3cret, again s3cret; api tok-42"))
                .isEqualTo("admin token ****, again ****; api ****");
    }

    @Test
    void anEmptySecretMasksNothing() {
        SecretMask mask = new SecretMask();
        mask.add(Arrays.asList("", null));

        assertThat(mask.masked("plain line")).isEqualTo("plain line");
    }
}
