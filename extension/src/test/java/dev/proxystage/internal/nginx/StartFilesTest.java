package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every path nginx opens at start that nothing places in the container is named at its directive's file:line. */
class StartFilesTest {

    private static final String OFFICIAL = "nginx:1.27.3";
    private static final String OFFLINE = "proxystage/nginx:offline";

    @TempDir
    Path dir;

    private final Map<String, Path> files = new LinkedHashMap<>();
    private Path main;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private List<String> check(String image) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        ParseRequest request = ParseRequest.of(dir.resolve("conf.d")).withFiles(files);
        if (main != null) {
            request = request.withMainConf(main);
        }
        return StartFiles.check(NginxConfig.parse(request), image).stream().map(p -> p.severity() + " " + p).toList();
    }

    private static String tls(String extra) {
        return """
                server {
                    listen 443 ssl;
                    server_name app.example.com;
                    ssl_certificate /etc/nginx/certs/app.crt;
                    ssl_certificate_key /etc/nginx/certs/app.key;
                """ + extra + """
                    location / { proxy_pass http://app:8080; }
                }
                """;
    }

    @Test
    void aLoadModuleOfAFileTheOfflineImageLacksIsNginxsDlopenError() throws IOException {
        write("conf.d/app.conf", "server { listen 80; }\n");
        main = write("nginx.conf", """
                load_module modules/ngx_stream_module.so;
                load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
                load_module modules/ngx_http_echo_module.so;
                events {}
                http { include /etc/nginx/conf.d/*.conf; }
                """);

        assertThat(check(OFFLINE)).containsExactly("ERROR " + main + ":1: dlopen() \"/usr/share/nginx/modules/"
                + "ngx_stream_module.so\" failed (/usr/share/nginx/modules/ngx_stream_module.so: cannot open shared object"
                + " file: No such file or directory): proxystage/nginx:offline has no such module file; place it under"
                + " nginx.files in pipeline.yml, or use an image that ships it");
        // the official image's module files differ between its variants, and an unknown image may have any
        assertThat(check(OFFICIAL)).isEmpty();
        assertThat(check("example.org/edge/nginx:7")).isEmpty();
    }

    @Test
    void aLoadModuleOfAPlacedFileIsNoProblem() throws IOException {
        write("conf.d/app.conf", "server { listen 80; }\n");
        files.put("/usr/share/nginx/modules/ngx_stream_module.so", write("modules/ngx_stream_module.so", "ELF"));
        main = write("nginx.conf", "load_module modules/ngx_stream_module.so;\nevents {}\n"
                + "http { include /etc/nginx/conf.d/*.conf; }\n");

        assertThat(check(OFFLINE)).isEmpty();
    }

    @Test
    void aDhparamNothingPlacesIsAnErrorSayingHowToPlaceIt() throws IOException {
        Path app = write("conf.d/app.conf", tls("    ssl_dhparam /etc/nginx/dhparams.pem;\n"));

        assertThat(check(OFFICIAL)).containsExactly("ERROR " + app + ":6: \"ssl_dhparam\" reads /etc/nginx/dhparams.pem,"
                + " which nothing places in the nginx container; add it under nginx.files in pipeline.yml (e.g."
                + " \"/etc/nginx/dhparams.pem: certs/dhparams.pem\")");
    }

    @Test
    void aSingleFileUnderNginxFilesPlacesIt() throws IOException {
        write("conf.d/app.conf", tls("    ssl_dhparam /etc/nginx/dhparams.pem;\n"));
        files.put("/etc/nginx/dhparams.pem", write("certs/dhparams.pem", "-----BEGIN DH PARAMETERS-----\n"));

        assertThat(check(OFFICIAL)).isEmpty();
    }

    @Test
    void aFileUnderConfDMustExistOnTheHostAsConfDReplacesTheImages() throws IOException {
        Path app = write("conf.d/app.conf", tls("    ssl_dhparam conf.d/dh.pem;\n    ssl_trusted_certificate conf.d/ca.pem;\n"));
        write("conf.d/ca.pem", "pem\n");

        assertThat(check(OFFICIAL)).containsExactly("ERROR " + app + ":6: \"ssl_dhparam\" reads /etc/nginx/conf.d/dh.pem,"
                + " which nothing places in the nginx container (it would be " + dir.resolve("conf.d/dh.pem") + ", which"
                + " does not exist); add it under nginx.files in pipeline.yml (e.g. \"/etc/nginx/conf.d/dh.pem:"
                + " certs/dh.pem\")");
    }

    @Test
    void theSslModulesFilesCountWhereAServerWithCertificatesUsesThem() throws IOException {
        Path app = write("conf.d/app.conf", """
                ssl_dhparam /etc/nginx/dh-http.pem;
                ssl_client_certificate /etc/nginx/clients.pem;
                server {
                    listen 80;
                    ssl_trusted_certificate /etc/nginx/plain-only.pem;
                    location / { proxy_pass http://app:8080; }
                }
                """ + tls("    ssl_stapling_file /etc/nginx/ocsp.der;\n"));

        // No server verifies clients and none staples: only the dhparam the TLS server inherits is loaded.
        assertThat(check(OFFICIAL)).singleElement().asString().startsWith("ERROR " + app + ":1: \"ssl_dhparam\" reads"
                + " /etc/nginx/dh-http.pem,");
    }

    @Test
    void upstreamTlsFilesWhereALocationPassesOverHttpsAndTrustedOnesWhereItVerifies() throws IOException {
        Path app = write("conf.d/app.conf", """
                server {
                    listen 80;
                    proxy_ssl_trusted_certificate /etc/nginx/ca/internal.pem;
                    location /verified/ { proxy_pass https://app:8443; proxy_ssl_verify on; }
                    location /client/ {
                        proxy_ssl_certificate /etc/nginx/client.crt;
                        proxy_ssl_certificate_key /etc/nginx/client.key;
                        proxy_pass https://app:8443;
                    }
                    location /plain/ { proxy_ssl_certificate /etc/nginx/unused.crt; proxy_pass http://app:8080; }
                }
                """);

        // the plain pass builds no TLS context, so its certificate is never read
        assertThat(check(OFFICIAL)).extracting(line -> line.substring(0, line.indexOf(" reads ")))
                .containsExactly("ERROR " + app + ":3: \"proxy_ssl_trusted_certificate\"",
                        "ERROR " + app + ":6: \"proxy_ssl_certificate\"", "ERROR " + app + ":7: \"proxy_ssl_certificate_key\"");
    }

    @Test
    void aTrustedCertificateWithoutVerificationIsNeverRead() throws IOException {
        write("conf.d/app.conf", "server { listen 80; location / { proxy_pass https://app:8443;"
                + " proxy_ssl_trusted_certificate /etc/nginx/ca/internal.pem; } }\n");

        assertThat(check(OFFICIAL)).isEmpty();
    }

    @Test
    void aCacheDirectoryNeedsItsParent() throws IOException {
        Path app = write("conf.d/app.conf", """
                proxy_cache_path /var/cache/nginx/app keys_zone=app:10m;
                proxy_cache_path /srv/cache/app keys_zone=other:10m;
                server { listen 80; location / { proxy_cache app; proxy_pass http://app:8080; } }
                """);

        // the official image has /var/cache/nginx, the offline one does not; neither has /srv/cache
        assertThat(check(OFFICIAL)).singleElement().asString().startsWith("ERROR " + app + ":2: \"proxy_cache_path\"");
        assertThat(check(OFFLINE)).hasSize(2);
    }

    @Test
    void clientCertificatesWhereClientsAreVerifiedAndStaplingFilesWhereStaplingIsOn() throws IOException {
        Path app = write("conf.d/app.conf", tls("""
                    ssl_verify_client optional;
                    ssl_client_certificate /etc/nginx/clients.pem;
                    ssl_stapling on;
                    ssl_stapling_file /etc/nginx/ocsp.der;
                    ssl_crl /etc/nginx/revoked.pem;
                    ssl_password_file /etc/nginx/keys.pass;
                    ssl_session_ticket_key /etc/nginx/ticket.key;
                """));

        assertThat(check(OFFICIAL)).extracting(line -> line.substring(0, line.indexOf(" reads ")))
                .containsExactly("ERROR " + app + ":7: \"ssl_client_certificate\"", "ERROR " + app + ":9: \"ssl_stapling_file\"",
                        "ERROR " + app + ":10: \"ssl_crl\"", "ERROR " + app + ":11: \"ssl_password_file\"",
                        "ERROR " + app + ":12: \"ssl_session_ticket_key\"");
    }

    @Test
    void whatTheImageHasIsNeverReported() throws IOException {
        main = write("nginx.conf", """
                pid /var/run/nginx.pid;
                error_log /var/log/nginx/error.log warn;
                error_log stderr;
                events {}
                http {
                    include /etc/nginx/mime.types;
                    access_log /var/log/nginx/access.log;
                    access_log syslog:server=unix:/dev/log;
                    access_log off;
                    access_log /var/log/nginx/$host.log;
                    proxy_temp_path /tmp/proxy 1 2;
                    include /etc/nginx/conf.d/*.conf;
                }
                """);
        write("conf.d/app.conf", tls("    ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n"
                + "    ssl_stapling on;\n"));

        assertThat(check(OFFICIAL)).isEmpty();
        assertThat(check(OFFLINE)).isEmpty();
    }

    @Test
    void aPidLogOrTempDirectoryTheImageLacksIsAnError() throws IOException {
        main = write("nginx.conf", """
                pid /var/run/nginx/nginx.pid;
                error_log /var/log/app/error.log;
                events {}
                http {
                    access_log /srv/logs/app/access.log;
                    client_body_temp_path /var/cache/nginx/body;
                    include /etc/nginx/conf.d/*.conf;
                }
                """);
        write("conf.d/app.conf", "server {\n    listen 80;\n    location / { proxy_pass http://app:8080; }\n}\n");

        assertThat(check(OFFICIAL)).containsExactly(
                "ERROR " + main + ":1: \"pid\" writes /var/run/nginx/nginx.pid, but its directory /var/run/nginx is not"
                        + " in the nginx container (nginx creates the file, not the directory); use a directory the"
                        + " image has (e.g. /run/nginx.pid), or place one under nginx.files in pipeline.yml",
                "ERROR " + main + ":2: \"error_log\" writes /var/log/app/error.log, but its directory /var/log/app is"
                        + " not in the nginx container (nginx creates the file, not the directory); use a directory"
                        + " the image has (e.g. /var/log/nginx/error.log), or place one under nginx.files in"
                        + " pipeline.yml",
                "ERROR " + main + ":5: \"access_log\" writes /srv/logs/app/access.log, but its directory /srv/logs/app"
                        + " is not in the nginx container (nginx creates the file, not the directory); use a directory"
                        + " the image has (e.g. /var/log/nginx/access.log), or place one under nginx.files in"
                        + " pipeline.yml");
        // Debian's nginx (the offline image) keeps its temp files in /var/lib/nginx: it has no /var/cache/nginx.
        assertThat(check(OFFLINE)).last().asString().isEqualTo("ERROR " + main + ":6: \"client_body_temp_path\""
                + " /var/cache/nginx/body: nginx creates that directory at start, but not its parent /var/cache/nginx,"
                + " which is not in the nginx container; use a directory under one the image has (e.g. /tmp/body), or"
                + " place it under nginx.files in pipeline.yml");
    }

    @Test
    void aMappedDirectoryOrOneTheCopyCreatesIsThere() throws IOException {
        main = write("nginx.conf", """
                pid /config/run/nginx.pid;
                error_log /config/nginx/error.log;
                events {}
                http {
                    include /etc/nginx/conf.d/*.conf;
                }
                """);
        Files.createDirectories(dir.resolve("run"));
        files.put("/config/run", dir.resolve("run"));
        files.put("/config/nginx/site.conf", write("site.conf", "# placed as a single file\n"));
        write("conf.d/app.conf", "server {\n    listen 80;\n}\n");

        assertThat(check(OFFICIAL)).isEmpty();
    }

    @Test
    void aBasicAuthFileIsReadPerRequestSoMissingItIsAWarning() throws IOException {
        Path app = write("conf.d/app.conf", """
                server {
                    listen 80;
                    location / {
                        auth_basic "admin";
                        auth_basic_user_file /etc/nginx/.htpasswd;
                        proxy_pass http://app:8080;
                    }
                }
                """);

        assertThat(check(OFFICIAL)).containsExactly("WARNING " + app + ":5: \"auth_basic_user_file\" reads"
                + " /etc/nginx/.htpasswd per request, which nothing places in the nginx container; nginx starts, but"
                + " requests there answer 500; add it under nginx.files in pipeline.yml (e.g. \"/etc/nginx/.htpasswd:"
                + " certs/.htpasswd\")");
    }

    @Test
    void withAnImageOfItsOwnAMissingFileIsOnlyAWarning() throws IOException {
        Path app = write("conf.d/app.conf", tls("    ssl_dhparam /etc/nginx/dhparams.pem;\n"));

        assertThat(check("registry.example.com/team/nginx-custom:3")).containsExactly("WARNING " + app + ":6:"
                + " \"ssl_dhparam\" reads /etc/nginx/dhparams.pem, which nothing places in the nginx container and is"
                + " no standard path of the official or offline nginx image; unless"
                + " registry.example.com/team/nginx-custom:3 has it, nginx stops at start: add it under nginx.files in"
                + " pipeline.yml (e.g. \"/etc/nginx/dhparams.pem: certs/dhparams.pem\")");
    }

    @Test
    void imagesAreKnownByTheirRepository() {
        assertThat(ImageLayout.of("nginx")).isEqualTo(ImageLayout.OFFICIAL);
        assertThat(ImageLayout.of("nginx:1.27.3-alpine")).isEqualTo(ImageLayout.OFFICIAL);
        assertThat(ImageLayout.of("docker.io/library/nginx@sha256:0123")).isEqualTo(ImageLayout.OFFICIAL);
        assertThat(ImageLayout.of("proxystage/nginx:offline")).isEqualTo(ImageLayout.DEBIAN);
        assertThat(ImageLayout.of("localhost:5000/nginx")).isEqualTo(ImageLayout.OTHER);
        assertThat(ImageLayout.of("bitnami/nginx:1.27")).isEqualTo(ImageLayout.OTHER);
    }

    /** A PEM file of Diffie-Hellman parameters with a prime of {@code bits}, from the JDK's own groups. */
    private static String dhParameters(int bits) throws GeneralSecurityException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("DH");
        generator.initialize(bits);
        DHParameterSpec group =
                ((DHPublicKey) generator.generateKeyPair().getPublic()).getParams();
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("DH");
        parameters.init(new DHParameterSpec(group.getP(), group.getG()));
        return "-----BEGIN DH PARAMETERS-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(parameters.getEncoded())
                + "\n-----END DH PARAMETERS-----\n";
    }

    @Test
    void dhParametersTheImagesOpenSslRefusesAsTooSmallAreAnError() throws Exception {
        Path app = write("conf.d/app.conf", tls("    ssl_dhparam /etc/nginx/dhparams.pem;\n"));
        files.put("/etc/nginx/dhparams.pem", write("certs/dhparams.pem", dhParameters(1024)));

        assertThat(check(OFFLINE)).containsExactly("ERROR " + app + ":6: SSL_CTX_set_tmp_dh(\"/etc/nginx/dhparams.pem\")"
                + " failed (SSL: error:0A00018A:SSL routines::dh key too small): dhparams.pem holds 1024-bit parameters,"
                + " and the image's OpenSSL needs at least 2048 (make new ones: openssl dhparam -out dhparams.pem 2048)");
        assertThat(check("example/nginx-custom:1")).as("an image whose OpenSSL ProxyStage does not know").isEmpty();

        files.put("/etc/nginx/dhparams.pem", write("certs/dhparams.pem", dhParameters(2048)));
        assertThat(check(OFFICIAL)).isEmpty();
    }

    @Test
    void aUserTheImageLacksIsAnErrorAsNginxStopsAtItsLookup() throws IOException {
        write("conf.d/app.conf", "server { listen 80; location / { return 200; } }\n");
        main = write("nginx.conf", "user appuser;\nevents {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n");

        assertThat(check(OFFICIAL)).containsExactly("ERROR " + main + ":1: getpwnam(\"appuser\") failed: " + OFFICIAL
                + " has no user \"appuser\"; use one it has (\"nginx\" in the official and the offline image), or an"
                + " image of your own that adds it");
        assertThat(check(OFFLINE)).hasSize(1);
        assertThat(check("example/nginx-custom:1")).as("an image of one's own may add any account").isEmpty();

        main = write("nginx.conf", "user www-data www-data;\nevents {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n");
        assertThat(check(OFFICIAL)).isEmpty();
        main = write("nginx.conf", "user nginx;\nevents {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n");
        assertThat(check(OFFLINE)).isEmpty();
    }
}
