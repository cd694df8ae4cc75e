package dev.proxystage.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceLogTest {

    @Test
    void theDirectPathSendsSyslogToTheReceiverOnly() {
        String conf = TraceLog.conf(Optional.of(new InetSocketAddress("172.18.0.1", 40123)));

        assertThat(conf).contains("access_log syslog:server=172.18.0.1:40123,tag=proxystage,nohostname proxystage_trace"
                + " if=$http_x_proxystage_request;");
        assertThat(conf).doesNotContain("/dev/stdout");
    }

    @Test
    void withoutAReceiverTheTraceGoesToNginxsStdout() {
        assertThat(TraceLog.conf(Optional.empty()))
                .contains("access_log /dev/stdout proxystage_trace if=$http_x_proxystage_request;")
                .contains("log_format proxystage_trace escape=json '" + TraceLog.PREFIX);
    }
}
