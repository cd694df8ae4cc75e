package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values of the standard slots, read as ngx_atoi, ngx_parse_size, ngx_parse_offset and ngx_parse_time read them. */
class SlotValuesTest {

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource(delimiter = ';', value = {
            "ngx_conf_set_off_slot;10m;", "ngx_conf_set_off_slot;10G;", "ngx_conf_set_off_slot;0;",
            "ngx_conf_set_off_slot;10MB;invalid value", "ngx_conf_set_off_slot;1.5m;invalid value",
            "ngx_conf_set_off_slot;k;invalid value",
            "ngx_conf_set_size_slot;128k;", "ngx_conf_set_size_slot;4K;", "ngx_conf_set_size_slot;1g;invalid value",
            "ngx_conf_set_num_slot;5;", "ngx_conf_set_num_slot;-1;invalid number", "ngx_conf_set_num_slot;5k;invalid number",
            "ngx_conf_set_msec_slot;300;", "ngx_conf_set_msec_slot;300s;", "ngx_conf_set_msec_slot;5m;",
            "ngx_conf_set_msec_slot;1h 30m;", "ngx_conf_set_msec_slot;1h30m10s500ms;", "ngx_conf_set_msec_slot;500ms;",
            "ngx_conf_set_msec_slot;1d;", "ngx_conf_set_msec_slot;1y;invalid value",
            "ngx_conf_set_msec_slot;1M;invalid value", "ngx_conf_set_msec_slot;1.5s;invalid value",
            "ngx_conf_set_msec_slot;30m 1h;invalid value", "ngx_conf_set_msec_slot;s;invalid value",
            "ngx_conf_set_sec_slot;1y;", "ngx_conf_set_sec_slot;1d;", "ngx_conf_set_sec_slot;6M;",
            "ngx_conf_set_sec_slot;100ms;invalid value", "ngx_conf_set_sec_slot;10 minutes;invalid value",
            "ngx_conf_set_str_slot;anything;"})
    void slotValuesParseAsNginxParsesThem(String handler, String value, String problem) {
        assertThat(SlotValues.problem(handler, List.of(value)).orElse(null)).isEqualTo(problem);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"4, 8k, ", "32, 4K, ", "0, 8k, invalid value", "4, 0, invalid value", "4, 8kb, invalid value",
            "x, 8k, invalid value"})
    void bufferCountsAndSizes(String number, String size, String problem) {
        assertThat(SlotValues.problem("ngx_conf_set_bufs_slot", List.of(number, size)).orElse(null))
                .isEqualTo(problem);
    }
}
