package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * How this JVM reaches a backend for its health check and {@code directUrl()}. When the stage network's bridge is
 * an interface of this host (a local engine on Linux), the container's own address answers, and publishing a port
 * per backend (a proxy process and firewall rules each, unused by tests) is skipped. Otherwise (a remote engine, a
 * VM-backed one) each backend's port is published on the engine's host, as nginx's are.
 */
final class BackendReach {

    private final boolean direct;
    private final String publishedHost;

    private BackendReach(boolean direct, String publishedHost) {
        this.direct = direct;
        this.publishedHost = publishedHost;
    }

    static BackendReach of(DockerEngine engine, String networkId) {
        // Only a local engine's bridge is ours: a remote engine's network may use a subnet this host also has.
        return new BackendReach(engine.endpoint().local() && bridgeIsLocal(engine.client(), networkId),
                engine.publishedHost());
    }

    /** Whether backend ports must be published for this JVM to reach them. */
    boolean publishes() {
        return !direct;
    }

    /** Host and port that reach {@code port} of the started {@code container}, given its network address. */
    String hostOf(String networkAddress) {
        return direct ? networkAddress : publishedHost;
    }

    int portOf(int port, IntUnaryOperator mapped) {
        return direct ? port : mapped.applyAsInt(port);
    }

    String directUrl(IntUnaryOperator mapped, int port, String networkAddress) {
        if (direct && networkAddress == null) {
            throw new IllegalStateException("the backend has no address on the stage network yet");
        }
        return "http://" + hostOf(networkAddress) + ":" + portOf(port, mapped);
    }

    private static boolean bridgeIsLocal(DockerClient docker, String networkId) {
        Network network = docker.inspectNetworkCmd().withNetworkId(networkId).exec();
        List<Network.Ipam.Config> configs = network.getIpam() == null ? null : network.getIpam().getConfig();
        if (configs == null) {
            return false;
        }
        for (Network.Ipam.Config config : configs) {
            String gateway = config.getGateway();
            if (gateway == null || gateway.isBlank()) {
                continue;
            }
            try {
                if (NetworkInterface.getByInetAddress(InetAddress.getByName(gateway)) != null) {
                    return true;
                }
            } catch (SocketException | UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
