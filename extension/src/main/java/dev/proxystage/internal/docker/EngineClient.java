package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.net.URI;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.testcontainers.shaded.com.github.dockerjava.core.DefaultDockerClientConfig;
import org.testcontainers.shaded.com.github.dockerjava.core.DockerClientConfig;
import org.testcontainers.shaded.com.github.dockerjava.core.DockerClientConfigDelegate;
import org.testcontainers.shaded.com.github.dockerjava.core.DockerClientImpl;
import org.testcontainers.shaded.com.github.dockerjava.core.RemoteApiVersion;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.RegistryAuthLocator;

/**
 * docker-java's client for one engine address, made as Testcontainers' {@code getClientForConfig} makes it
 * (docker-java's default configuration for that host, the zerodep transport, API 1.44 when the engine answers a ping
 * at it, else 1.32) but without its registry-credential lookup on every command that names an image. For an image
 * without a registry host (every Docker Hub name) that lookup first runs Testcontainers' whole engine discovery
 * ({@code DockerClientFactory}) to learn the default registry: in a fresh JVM, a second on the way to the first
 * backend's {@code create}, which needs no credentials. Pulls still take Testcontainers' ({@link #pullCredentials}).
 */
final class EngineClient {

    private EngineClient() {
    }

    /** The client for {@code dockerHost}; an engine that is not there shows at its first request. */
    static DockerClient connect(String dockerHost, SSLConfig ssl) {
        URI host = URI.create(dockerHost);
        DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(host)
                .sslConfig(ssl == null && "unix".equals(host.getScheme()) ? EngineClient::noTls : ssl).build();
        try {
            DefaultDockerClientConfig.Builder config = config(dockerHost);
            if (config.build().getApiVersion() == RemoteApiVersion.UNKNOWN_VERSION) {
                config.withApiVersion(RemoteApiVersion.VERSION_1_44);
            }
            DockerClient client = DockerClientImpl.getInstance(new NoCredentials(config.build()), http);
            client.pingCmd().exec();
            return client;
        } catch (Exception olderEngine) {
            return DockerClientImpl.getInstance(
                    new NoCredentials(config(dockerHost).withApiVersion(RemoteApiVersion.VERSION_1_32).build()), http);
        }
    }

    /**
     * The TLS context of a unix socket's transport, which never speaks TLS but sets TLS up anyway: without a context
     * of its own it would load the JDK's default one, parsing every certificate of the platform's trust store.
     */
    private static SSLContext noTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[0], new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context: " + e.getMessage(), e);
        }
    }

    private static DefaultDockerClientConfig.Builder config(String dockerHost) {
        return DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost);
    }

    /** The credentials a pull of {@code image} sends: Testcontainers' lookup, as its own clients do it. */
    static AuthConfig pullCredentials(String image) {
        AuthConfig fallback;
        try {
            fallback = DefaultDockerClientConfig.createDefaultConfigBuilder().build().effectiveAuthConfig(image);
        } catch (Exception unreadable) {
            fallback = new AuthConfig();
        }
        return RegistryAuthLocator.instance().lookupAuthConfig(DockerImageName.parse(image), fallback);
    }

    /** Commands that name an image carry no credentials: only a pull needs them, and it is given them explicitly. */
    private static final class NoCredentials extends DockerClientConfigDelegate {

        NoCredentials(DockerClientConfig config) {
            super(config);
        }

        @Override
        public AuthConfig effectiveAuthConfig(String imageName) {
            return null;
        }
    }
}
