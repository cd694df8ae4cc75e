package dev.proxystage.internal.nginx;

import dev.proxystage.ProxyStageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every way a configuration breaks fails fast with the exact host file and line. */
class NginxConfigErrorsTest {

    private static NginxConfigException failure(String scenario) {
        return assertThrows(NginxConfigException.class, () -> Corpus.parse("errors/" + scenario));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unclosed-block               | site.conf   | 3 | unexpected end of file, expecting "}": the "location" block opened here is probably not closed (the "}" on line 9 that closes it is indented like an outer block)
            extra-close                  | site.conf   | 4 | unexpected "}": no block is open here
            unterminated-quote           | site.conf   | 3 | unterminated " quote: the string opened here runs to the end of the file
            quote-runs-on                | site.conf   | 3 | the " string opened on this line closes on line 4 and is followed by "b"; is a closing quote missing here?
            text-after-quote             | site.conf   | 3 | unexpected "b" right after a closing " quote; put a space or ";" after the closing quote
            semicolon-before-close       | site.conf   | 4 | directive "return" is not terminated by ";" before "}" on line 5
            semicolon-swallows-directive | site.conf   | 4 | directive "proxy_pass" is not terminated by ";" (line 5 starts "proxy_set_header")
            semicolon-before-block       | site.conf   | 2 | directive "listen" is not terminated by ";" (line 3 starts "location")
            semicolon-at-eof             | site.conf   | 4 | directive "gzip" is not terminated by ";" before the end of the file
            no-opening-brace             | site.conf   | 3 | directive "location" has no opening "{"
            unquoted-quantifier          | site.conf   | 3 | an unquoted argument contains the regex quantifier {2}, but nginx starts a block at an unquoted "{"; put the whole regex in double quotes
            missing-include              | site.conf   | 3 | open() "/etc/nginx/conf.d/snippets/missing.conf" failed (2: No such file or directory): it is 
            include-loop                 | loop/b.conf | 3 | include loop: a.conf -> b.conf -> a.conf
            unmapped-include             | site.conf   | 4 | open() "/config/nginx/proxy.conf" failed (2: No such file or directory): nothing places it in the nginx container (conf.d is /etc/nginx/conf.d); map its directory via nginx.files in pipeline.yml, e.g. "/config/nginx": ./nginx
            not-utf8                     | site.conf   | 3 | invalid UTF-8 byte 0xE9; save the file as UTF-8
            bom                          | site.conf   | 1 | file starts with a UTF-8 byte order mark
            bad-listen                   | site.conf   | 2 | invalid port in "99999" of the "listen" directive
            bad-proxy-pass               | site.conf   | 4 | invalid URL prefix in "vaultwarden:80" of the "proxy_pass" directive; use http:// or https://
            upstream-with-port           | site.conf   | 7 | upstream "backend" may not have port 8080
            """)
    void pointsAtTheFileAndLine(String scenario, String file, int line, String message) {
        NginxConfigException e = failure(scenario);
        Path expectedFile = Corpus.dir("errors/" + scenario + "/conf.d").resolve(file);
        assertThat(e.file()).isEqualTo(expectedFile);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.detail()).startsWith(message);
        assertThat(e.getMessage()).isEqualTo(expectedFile + ":" + line + ": " + e.detail());
    }

    @Test
    void isAProxyStageExceptionWithoutStackTrace() {
        NginxConfigException e = failure("extra-close");
        assertThat(e).isInstanceOf(ProxyStageException.class);
        assertThat(e.getStackTrace()).isEmpty();
    }

    @Test
    void missingIncludeNamesTheContainerAndHostPaths() {
        NginxConfigException e = failure("missing-include");
        assertThat(e.detail()).endsWith(": it is "
                + Corpus.dir("errors/missing-include/conf.d").resolve("snippets/missing.conf") + " on the host, which"
                + " does not exist");
    }

    @Test
    void aMissingConfDIsAnError(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope");
        NginxConfigException e = assertThrows(NginxConfigException.class, () -> NginxConfig.parse(missing));
        assertThat(e.getMessage()).isEqualTo(missing + ": conf.d directory does not exist");
    }

    @Test
    void aBrokenIncludedFileIsReportedAtItsOwnLine(@TempDir Path tmp) throws Exception {
        Path confD = tmp.resolve("conf.d");
        Files.createDirectories(confD.resolve("snippets"));
        Files.writeString(confD.resolve("site.conf"), "server {\n    include conf.d/snippets/x.conf;\n}\n");
        Files.writeString(confD.resolve("snippets/x.conf"), "# fine\nlocation / {\n");
        NginxConfigException e = assertThrows(NginxConfigException.class, () -> NginxConfig.parse(confD));
        assertThat(e.file()).isEqualTo(confD.resolve("snippets/x.conf"));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.detail()).isEqualTo("unexpected end of file, expecting \"}\": the \"location\" block opened "
                + "here is never closed");
    }

    @Test
    void aNonUtf8ByteInAMultiByteSequenceReportsItsLine(@TempDir Path tmp) throws Exception {
        Path confD = tmp.resolve("conf.d");
        Files.createDirectories(confD);
        // "é" in UTF-8 is C3 A9; C3 followed by "x" is malformed.
        byte[] bytes = "server {\n\n\n    return 200 \"caf\u00c3x\";\n}\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(confD.resolve("a.conf"), bytes);
        NginxConfigException e = assertThrows(NginxConfigException.class, () -> NginxConfig.parse(confD));
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.detail()).startsWith("invalid UTF-8 byte 0xC3");
    }

    @Test
    void aDeeperClosingBraceStyleDoesNotMisleadTheUnclosedBlockHint(@TempDir Path tmp) throws Exception {
        Path confD = tmp.resolve("conf.d");
        Files.createDirectories(confD);
        Files.writeString(confD.resolve("a.conf"), """
                server {
                    listen 80;
                    location / {
                        return 200;
                        }
                    location /b {
                        return 200;
                """);
        NginxConfigException e = assertThrows(NginxConfigException.class, () -> NginxConfig.parse(confD));
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.detail()).isEqualTo("unexpected end of file, expecting \"}\": the \"location\" block opened "
                + "here is never closed");
    }
}
