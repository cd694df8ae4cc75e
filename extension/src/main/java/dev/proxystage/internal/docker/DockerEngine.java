package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.proxystage.EngineUnavailableException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.ResourceReaper;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * The Docker engine, as Testcontainers finds it ({@code tc.host}, {@code DOCKER_HOST}, {@code docker.host} in
 * ~/.testcontainers.properties, the local socket), and the one address its published ports are bound to and reached
 * on. ProxyStage decides that address itself, so that Testcontainers never runs a container to guess it.
 */
public final class DockerEngine {

    private static final Logger LOG = LoggerFactory.getLogger(DockerEngine.class);
    private static final int CONNECT_TIMEOUT_MS = 3000;

    private static volatile Optional<String> publishHostSetting = Optional.empty();
    private static Endpoint endpoint;
    private static DockerClient client;

    private DockerEngine() {
    }

    /**
     * Where the engine is and where its published ports are.
     *
     * @param dockerHost    the engine's address, e.g. {@code unix:///var/run/docker.sock}, {@code tcp://10.0.0.5:2376}
     * @param source        where that address came from, for messages ({@code DOCKER_HOST}, {@code default}, …)
     * @param publishedHost the address ports are bound to on the engine's machine and reached on from this JVM
     */
    public record Endpoint(String dockerHost, String source, String publishedHost) {

        /** A unix socket or named pipe is this machine's engine; a TCP address on loopback too. */
        public boolean local() {
            return isLocal(dockerHost);
        }

        @Override
        public String toString() {
            return dockerHost + " (" + source + ")";
        }
    }

    /** Sets {@code proxystage.publishHost} for this JVM's engine; empty: decided from the engine's address. */
    public static void usePublishHost(Optional<String> publishHost) {
        publishHostSetting = publishHost.map(String::strip).filter(h -> !h.isEmpty());
    }

    /**
     * The published host for an engine at {@code dockerHost}: an explicit setting wins; a unix socket or named pipe
     * is loopback; {@code tcp://HOST:PORT} is HOST (as an address, since Docker binds to addresses).
     */
    static String publishedHost(String dockerHost, Optional<String> setting) {
        if (setting.isPresent()) {
            return setting.get();
        }
        if (isLocal(dockerHost)) {
            return "127.0.0.1";
        }
        return URI.create(dockerHost).getHost();
    }

    static boolean isLocal(String dockerHost) {
        URI uri = URI.create(dockerHost);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (scheme.equals("unix") || scheme.equals("npipe")) {
            return true;
        }
        String host = uri.getHost();
        return host == null || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    /** The engine address Testcontainers will try first, and where it came from (same order as Testcontainers). */
    static Endpoint configured(Optional<String> setting) {
        TestcontainersConfiguration config = TestcontainersConfiguration.getInstance();
        String tcHost = config.getEnvVarOrUserProperty("tc.host", null);
        String envHost = System.getenv("DOCKER_HOST");
        String propertyHost = config.getEnvVarOrUserProperty("docker.host", null);
        String host;
        String source;
        if (tcHost != null && !tcHost.isBlank()) {
            host = tcHost.strip();
            source = "tc.host";
        } else if (envHost != null && !envHost.isBlank()) {
            host = envHost.strip();
            source = "DOCKER_HOST";
        } else if (propertyHost != null && !propertyHost.isBlank()) {
            host = propertyHost.strip();
            source = "docker.host in ~/.testcontainers.properties";
        } else {
            host = "unix:///var/run/docker.sock";
            source = "default";
        }
        return new Endpoint(host, source, publishedHost(host, setting));
    }

    /** The engine address this JVM will try first, decided without connecting (nor loading the Docker client). */
    static Endpoint configured() {
        return configured(publishHostSetting);
    }

    /** The engine address that will be tried, for a progress line before the first connection. */
    public static String configuredAddress() {
        return configured(publishHostSetting).toString();
    }

    /** The engine this JVM uses; its first call connects (and fails within seconds, naming the address). */
    public static synchronized Endpoint endpoint() {
        client();
        return endpoint;
    }

    public static boolean isAvailable() {
        try {
            client();
            return true;
        } catch (EngineUnavailableException e) {
            return false;
        }
    }

    private static CompletableFuture<DockerClient> connecting;
    /** Not the class's monitor: {@link #client()} holds that for as long as connecting takes. */
    private static final Object CONNECTING_LOCK = new Object();

    /**
     * The client as it is being connected on a thread of its own (started by the first call), for work that can
     * go on without it: its failure is the one {@link #client()} would throw.
     */
    static CompletableFuture<DockerClient> connecting() {
        synchronized (CONNECTING_LOCK) {
            if (connecting == null || connecting.isCompletedExceptionally()) {
                connecting = CompletableFuture.supplyAsync(DockerEngine::client, task -> {
                    Thread thread = new Thread(task, "proxystage-engine-connect");
                    thread.setDaemon(true);
                    thread.start();
                });
            }
            return connecting;
        }
    }

    /** The client, or a one-line error naming the address tried when no engine answers. */
    public static synchronized DockerClient client() {
        if (client != null) {
            return client;
        }
        Endpoint wanted = configured(publishHostSetting);
        requireReachable(wanted);
        DockerClientFactory factory = DockerClientFactory.instance();
        String actual;
        try {
            actual = factory.getTransportConfig().getDockerHost().toString();
        } catch (RuntimeException e) {
            throw unavailable(wanted, firstLine(e));
        }
        Endpoint found = actual.equals(wanted.dockerHost()) ? wanted
                : new Endpoint(actual, "found by Testcontainers", publishedHost(actual, publishHostSetting));
        pinHostAddress(factory, found.publishedHost());
        decideRyuk(factory);
        DockerClient connected;
        try {
            connected = factory.client();
        } catch (RuntimeException e) {
            throw unavailable(found, firstLine(e));
        }
        refuseWhatStagesCannotRunOn(connected, found);
        client = connected;
        endpoint = found;
        LOG.info("Docker engine {}: published ports on {}", found, found.publishedHost());
        return client;
    }

    /** An engine that answers but would run stages wrongly fails here, in one line ({@link EngineCheck}). */
    private static void refuseWhatStagesCannotRunOn(DockerClient docker, Endpoint found) {
        if ("off".equals(System.getProperty(EngineCheck.PROPERTY, "").strip())) {
            return;
        }
        java.util.Map<String, String> components;
        try {
            components = EngineCheck.components(docker.versionCmd().exec());
        } catch (RuntimeException e) {
            LOG.debug("the engine's version answer could not be read; nothing is checked", e);
            return;
        }
        EngineCheck.refusal(found.dockerHost(), components).ifPresent(line -> {
            throw new dev.proxystage.ProxyStageException(line);
        });
    }

    /** The address that published ports are reached on: loopback for a local engine. */
    public static String publishedHost() {
        return endpoint().publishedHost();
    }

    /** The address ports are bound to on the engine's machine: one address, never every interface. */
    public static String bindAddress() {
        String host = publishedHost();
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new EngineUnavailableException("the published host '" + host + "' (" + endpoint() + ") does not resolve;"
                    + " set -Dproxystage.publishHost to the engine's address");
        }
    }

    private static void requireReachable(Endpoint wanted) {
        URI uri = URI.create(wanted.dockerHost());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!(scheme.equals("tcp") || scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            return;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 2375;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw unavailable(wanted, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static EngineUnavailableException unavailable(Endpoint tried, String why) {
        return new EngineUnavailableException("no Docker engine answers at " + tried + ": " + why
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

    /**
     * Testcontainers logs the engine's host address when it connects and, without TESTCONTAINERS_HOST_OVERRIDE, finds
     * it by running a container when it thinks it runs in one (/.dockerenv). Its strategy caches that address in a
     * field; setting it first gives Testcontainers the address ProxyStage decided.
     */
    private static void pinHostAddress(DockerClientFactory factory, String host) {
        String override = System.getenv("TESTCONTAINERS_HOST_OVERRIDE");
        if (override != null && !override.isBlank()) {
            return;
        }
        try {
            Field strategyField = DockerClientFactory.class.getDeclaredField("strategy");
            strategyField.setAccessible(true);
            Object strategy = strategyField.get(factory);
            Field address = org.testcontainers.dockerclient.DockerClientProviderStrategy.class.getDeclaredField("dockerHostIpAddress");
            address.setAccessible(true);
            synchronized (strategy) {
                if (address.get(strategy) == null) {
                    address.set(strategy, host);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("could not give Testcontainers the engine's address; it will look for it itself", e);
        }
    }

    /**
     * Testcontainers 2.0 starts Ryuk (its reaper container) unless the environment variable
     * TESTCONTAINERS_RYUK_DISABLED is true; nothing else turns it off. ProxyStage does not need it (its label sweeper
     * and shutdown hooks clean up), so when that variable is not set and Ryuk's image is not on the engine, Ryuk is
     * left out instead of being pulled; an image that is there is used, for the other containers of the JVM.
     */
    private static void decideRyuk(DockerClientFactory factory) {
        if (System.getenv("TESTCONTAINERS_RYUK_DISABLED") != null) {
            return;
        }
        try {
            Field instance = ResourceReaper.class.getDeclaredField("instance");
            instance.setAccessible(true);
            synchronized (ResourceReaper.class) {
                if (instance.get(null) != null) {
                    return;
                }
                String image = TestcontainersConfiguration.getInstance().getRyukImage();
                Field strategyField = DockerClientFactory.class.getDeclaredField("strategy");
                strategyField.setAccessible(true);
                var strategy = (org.testcontainers.dockerclient.DockerClientProviderStrategy) strategyField.get(factory);
                try {
                    strategy.getDockerClient().inspectImageCmd(image).exec();
                    return;
                } catch (NotFoundException absent) {
                    LOG.info("Testcontainers' Ryuk image {} is not on the engine: left out, ProxyStage's sweeper and "
                            + "shutdown hooks remove its containers", image);
                }
                var hook = Class.forName("org.testcontainers.utility.JVMHookResourceReaper").getDeclaredConstructor();
                hook.setAccessible(true);
                instance.set(null, hook.newInstance());
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("could not decide on Ryuk; Testcontainers decides", e);
        }
    }
}
