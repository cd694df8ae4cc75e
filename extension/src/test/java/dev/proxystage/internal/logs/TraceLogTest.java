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

    @Test
    void nginxsOwnLinesAreKeptAndOnlyTheRecordsLeftOut() {
        String access = "172.18.0.1 - - [01/Dec/2026:15:00:00 +0000] \"GET / HTTP/1.1\" 200 3 \"-\" \"okhttp\"\n";
        String record = TraceLog.PREFIX + "{\"id\":\"a1\",\"server\":\"vw.example.com\",\"status\":\"200\"}\n";
        // a user's line that merely mentions the prefix is nginx's, not ours
        String mention = "2026/12/01 15:00:00 [warn] 7#7: *1 a line about " + TraceLog.PREFIX + "records";

        assertThat(TraceLog.withoutRecords(access + record + access + record + mention)).isEqualTo(access + access + mention);
        assertThat(TraceLog.withoutRecords(access)).isSameAs(access);
        assertThat(TraceLog.isRecord(record)).isTrue();
        assertThat(TraceLog.isRecord(access)).isFalse();
        assertThat(TraceLog.isRecord(mention)).isFalse();
    }
}
