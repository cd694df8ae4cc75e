package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import dev.proxystage.EngineUnavailableException;
import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.shaded.com.github.dockerjava.core.LocalDirectorySSLConfig;

/**
 * The Docker engine at one {@link EngineEndpoint}, and its client. The client is made for that address alone
 * ({@link EngineClient}): no search through strategies, no Ryuk, no helper container. Stages create their
 * containers with this client themselves, so Testcontainers' own discovery never runs in a ProxyStage JVM unless an
 * image is pulled (a user's own Testcontainers containers still get theirs).
 */
public final class DockerEngine {

    private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
    private static final int CONNECT_TIMEOUT_MS = 3000;
    /** One client per engine address and JVM: runs and stages of one JVM share its connections. */
    private static final Map<EngineEndpoint, DockerEngine> ENGINES = new ConcurrentHashMap<>();

    private final EngineEndpoint endpoint;
    private CompletableFuture<DockerClient> connecting;

    private DockerEngine(EngineEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The engine at {@code endpoint}, not connected yet. */
    public static DockerEngine at(EngineEndpoint endpoint) {
        return ENGINES.computeIfAbsent(endpoint, DockerEngine::new);
    }

    public EngineEndpoint endpoint() {
        return endpoint;
    }

    /** The address ports are published on and reached on. */
    public String publishedHost() {
        return endpoint.publishedHost();
    }

    /**
     * The client as it is being connected on a thread of its own (started by the first call), for work that can go
     * on without it: its failure is the one {@link #client()} would throw.
     */
    synchronized CompletableFuture<DockerClient> connecting() {
        if (connecting == null || connecting.isCompletedExceptionally()) {
            connecting = CompletableFuture.supplyAsync(this::connect, task -> {
                Thread thread = new Thread(task, "proxystage-engine-connect");
                thread.setDaemon(true);
                thread.start();
            });
        }
        return connecting;
    }

    /** The client, or a one-line error naming the address tried when no engine answers. */
    public DockerClient client() {
        try {
            return connecting().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    public boolean isAvailable() {
        try {
            client();
            return true;
        } catch (EngineUnavailableException e) {
            return false;
        }
    }

    /** The address ports are bound to on the engine's machine: one address, never every interface. */
    public String bindAddress() {
        String host = endpoint.publishedHost();
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new EngineUnavailableException("the published host '" + host + "' (" + endpoint + ") does not resolve;"
                    + " set -Dproxystage.publishHost to the engine's address");
        }
    }

    private DockerClient connect() {
        requireReachable();
        DockerClient client;
        try {
            // Settles the API version the engine speaks (one ping; an engine that is not there shows below).
            client = EngineClient.connect(endpoint.dockerHost(),
                    endpoint.tlsCertificates().map(dir -> new LocalDirectorySSLConfig(dir.toString())).orElse(null));
        } catch (RuntimeException e) {
            throw unavailable(firstLine(e));
        }
        refuseWhatStagesCannotRunOn(client);
        LOG.info("Docker engine {}: published ports on {}", endpoint, endpoint.publishedHost());
        return client;
    }

    /**
     * The engine's version answer is this JVM's first request to it: no answer is an engine that is not there, and
     * an engine that answers but would run stages wrongly fails here too, in one line ({@link EngineCheck}).
     */
    private void refuseWhatStagesCannotRunOn(DockerClient docker) {
        Version version;
        try {
            version = docker.versionCmd().exec();
        } catch (RuntimeException e) {
            throw unavailable(firstLine(e));
        }
        if ("off".equals(System.getProperty(EngineCheck.PROPERTY, "").strip())) {
            return;
        }
        Map<String, String> components;
        try {
            components = EngineCheck.components(version);
        } catch (RuntimeException e) {
            LOG.debug("the engine's version answer could not be read; nothing is checked", e);
            return;
        }
        EngineCheck.refusal(endpoint.dockerHost(), components).ifPresent(line -> {
            throw new ProxyStageException(line);
        });
    }

    private void requireReachable() {
        URI uri = URI.create(endpoint.dockerHost());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!(scheme.equals("tcp") || scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            return;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 2375;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw unavailable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private EngineUnavailableException unavailable(String why) {
        return new EngineUnavailableException("no Docker engine answers at " + endpoint + ": " + why
                + "; start one or fix the address, or pass -Dproxystage.skipWithoutDocker=true to skip stage tests without Docker");
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
