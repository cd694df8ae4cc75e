package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.NginxValues.Cidr;
import org.junit.jupiter.api.Test;

class NginxValuesTest {

    @Test
    void numbersSizesAndOffsetsAsNginxParsesThem() {
        assertThat(NginxValues.atoi("0042")).isEqualTo(42);
        assertThat(NginxValues.atoi("")).isEqualTo(-1);
        assertThat(NginxValues.atoi("-1")).isEqualTo(-1);
        assertThat(NginxValues.atoi("99999999999999999999")).isEqualTo(-1);
        assertThat(NginxValues.parseSize("16k")).isEqualTo(16 * 1024);
        assertThat(NginxValues.parseSize("1M")).isEqualTo(1024 * 1024);
        assertThat(NginxValues.parseSize("1g")).isEqualTo(-1);
        assertThat(NginxValues.parseSize("10mb")).isEqualTo(-1);
        assertThat(NginxValues.parseOffset("1g")).isEqualTo(1024L * 1024 * 1024);
    }

    @Test
    void percentsWithTwoDecimalsIgnoreTheRest() {
        assertThat(NginxValues.atofp("0.5", 2)).isEqualTo(50);
        assertThat(NginxValues.atofp("49.555", 2)).isEqualTo(4955);
        assertThat(NginxValues.atofp("100", 2)).isEqualTo(10000);
        assertThat(NginxValues.atofp("1.2.3", 2)).isEqualTo(-1);
        assertThat(NginxValues.atofp("abc", 2)).isEqualTo(-1);
    }

    @Test
    void addressesAndNetworksAsNgxPtocidrReadsThem() {
        assertThat(NginxValues.cidr("10.0.0.0/8")).isEqualTo(Cidr.OK);
        assertThat(NginxValues.cidr("10.1.2.3/8")).isEqualTo(Cidr.DONE);
        assertThat(NginxValues.cidr("10.0.0.0/33")).isEqualTo(Cidr.ERROR);
        assertThat(NginxValues.cidr("300.1.1.1")).isEqualTo(Cidr.ERROR);
        assertThat(NginxValues.cidr("10..0.1")).isEqualTo(Cidr.OK); // an empty octet is 0 to ngx_inet_addr
        assertThat(NginxValues.cidr("255.255.255.255")).isEqualTo(Cidr.ERROR); // INADDR_NONE
        assertThat(NginxValues.cidr("2001:db8::/32")).isEqualTo(Cidr.OK);
        assertThat(NginxValues.cidr("::1")).isEqualTo(Cidr.OK);
        assertThat(NginxValues.cidr("::ffff:10.0.0.1")).isEqualTo(Cidr.OK);
        assertThat(NginxValues.cidr("1:2:3:4:5:6:7:8")).isEqualTo(Cidr.OK);
        assertThat(NginxValues.cidr("1:2:3:4:5:6:7:8:9")).isEqualTo(Cidr.ERROR);
        assertThat(NginxValues.cidr("1::2::3")).isEqualTo(Cidr.ERROR);
        assertThat(NginxValues.cidr("2001:db8::/129")).isEqualTo(Cidr.ERROR);
        assertThat(NginxValues.cidr("example.com")).isEqualTo(Cidr.ERROR);
    }

    @Test
    void upstreamAddressesAsNgxParseUrlRefusesThem() {
        assertThat(HandlerValues.urlError("http://127.0.0.1:8001")).contains("invalid host");
        assertThat(HandlerValues.urlError("127.0.0.1:0")).contains("invalid port");
        assertThat(HandlerValues.urlError("127.0.0.1:70000")).contains("invalid port");
        assertThat(HandlerValues.urlError(":8080")).contains("no host");
        assertThat(HandlerValues.urlError("backend")).isEmpty();
        assertThat(HandlerValues.urlError("[::1]:8080")).isEmpty();
        assertThat(HandlerValues.urlError("unix:/run/app.sock")).isEmpty();
    }
}
