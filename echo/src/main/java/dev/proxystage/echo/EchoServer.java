package dev.proxystage.echo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The ProxyStage echo backend: a tiny server that answers every request with a JSON description of what it
 * received (identity, request line, headers, body, client address). It speaks HTTP/1.1 with WebSocket
 * ({@link HttpEcho}), and FastCGI ({@link FastCgiEcho}) and uwsgi ({@link UwsgiEcho}) as nginx's
 * {@code fastcgi_pass} and {@code uwsgi_pass} send them, telling them apart by a connection's first byte, so every
 * port answers all three and an HTTP health check works on a FastCGI port.
 *
 * <p>ProxyStage ships this package as one small jar into a plain JRE container and runs
 * {@code java -cp /opt/proxystage-echo/proxystage-echo.jar dev.proxystage.echo.EchoServer}. Only java.base is used.
 */
public final class EchoServer {

    private static final int DEFAULT_PORT = 80;
    private static final int IDLE_TIMEOUT_MILLIS = 60_000;
    /** A FastCGI record starts with its version, 1. */
    private static final int FASTCGI_VERSION = 1;
    /** A uwsgi packet starts with modifier1, 0 for the variables nginx's uwsgi_pass sends. */
    private static final int UWSGI_MODIFIER = 0;

    private EchoServer() {
    }

    /** Container entry point: reads the environment, starts the server and blocks forever. */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        List<Integer> ports;
        try {
            ports = parsePorts(env.get("ECHO_PORT"), env.get("ECHO_PORTS"));
        } catch (IllegalArgumentException e) {
            System.err.println("echo: " + e.getMessage());
            System.exit(2);
            return;
        }
        for (int port : ports) {
            start(port, env);
        }
        new CountDownLatch(1).await();
    }

    /**
     * Binds {@code 0.0.0.0:port} (0 = ephemeral) and accepts connections on a daemon thread.
     * Closing the returned socket stops accepting and closes the open connections.
     *
     * @param env identity source: {@code PROXYSTAGE_STAGE}, {@code PROXYSTAGE_ALIAS}, {@code PROXYSTAGE_BACKEND},
     *            {@code HOSTNAME} (hostname fallback)
     */
    public static ServerSocket start(int port, Map<String, String> env) throws IOException {
        Map<String, String> source = env == null ? Map.of() : env;
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("stage", envOrEmpty(source, "PROXYSTAGE_STAGE"));
        identity.put("alias", envOrEmpty(source, "PROXYSTAGE_ALIAS"));
        identity.put("backend", envOrEmpty(source, "PROXYSTAGE_BACKEND"));
        identity.put("hostname", hostname(source));
        Map<String, String> fixedIdentity = Collections.unmodifiableMap(identity);
        String tag = identity.get("stage") + "/" + identity.get("alias");

        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), port), 128);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }

        Set<Socket> open = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "echo-connection");
            thread.setDaemon(true);
            return thread;
        });
        Thread acceptor = new Thread(() -> acceptLoop(server, pool, open, fixedIdentity, tag),
                "echo-acceptor-" + server.getLocalPort());
        acceptor.setDaemon(true);
        log("echo listening on :" + server.getLocalPort() + " as " + tag);
        acceptor.start();
        return server;
    }

    // ------------------------------------------------------------------------------------------------ accepting

    private static void acceptLoop(ServerSocket server, ExecutorService pool, Set<Socket> open,
                                   Map<String, String> identity, String tag) {
        try {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    if (server.isClosed()) {
                        break;
                    }
                    log("echo accept failed: " + e);
                    pause(50);
                    continue;
                } catch (RuntimeException | Error e) {
                    log("echo accept failed: " + e);
                    pause(50);
                    continue;
                }
                open.add(socket);
                try {
                    pool.execute(() -> serveConnection(socket, open, identity, tag));
                } catch (RuntimeException | Error e) {
                    log("echo could not schedule connection: " + e);
                    open.remove(socket);
                    closeQuietly(socket);
                }
            }
        } finally {
            pool.shutdownNow();
            for (Socket socket : open) {
                closeQuietly(socket);
            }
        }
    }

    private static void serveConnection(Socket socket, Set<Socket> open, Map<String, String> identity, String tag) {
        try {
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            // An HTTP request starts with a method (a letter) or a blank line, never with these bytes.
            in.mark(1);
            int first = in.read();
            if (first < 0) {
                return;
            }
            in.reset();
            if (first == FASTCGI_VERSION) {
                FastCgiEcho.serve(socket, in, out, identity, tag);
            } else if (first == UWSGI_MODIFIER) {
                UwsgiEcho.serve(socket, in, out, identity, tag);
            } else {
                boolean keepAlive = true;
                while (keepAlive) {
                    keepAlive = HttpEcho.serveRequest(socket, in, out, identity, tag);
                }
            }
        } catch (ProtocolException e) {
            // FastCGI and uwsgi have no error answer of their own: the log says what was wrong.
            log("echo " + tag + " " + socket.getInetAddress().getHostAddress() + " refused: " + printable(e.getMessage()));
        } catch (IOException e) {
            // Idle timeout, client went away or the server was stopped: just close the connection.
        } catch (RuntimeException | Error e) {
            log("echo connection error: " + e);
        } finally {
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** The ports to listen on: {@code ECHO_PORT} (the main one, default 80) first, then {@code ECHO_PORTS}. */
    static List<Integer> parsePorts(String echoPort, String echoPorts) {
        List<Integer> ports = new ArrayList<>();
        ports.add(echoPort == null || echoPort.isBlank() ? DEFAULT_PORT : parsePort("ECHO_PORT", echoPort));
        if (echoPorts != null) {
            for (String item : echoPorts.split(",")) {
                if (!item.isBlank() && !ports.contains(parsePort("ECHO_PORTS", item))) {
                    ports.add(parsePort("ECHO_PORTS", item));
                }
            }
        }
        return ports;
    }

    private static int parsePort(String variable, String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(variable + " out of range: " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " is not a number: " + value, e);
        }
    }

    private static String envOrEmpty(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null ? "" : value;
    }

    private static String hostname(Map<String, String> env) {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            if (name != null && !name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the environment
        }
        return envOrEmpty(env, "HOSTNAME");
    }

    /** Keeps log lines on one line and reasonably short, whatever the client sent. */
    static String printable(String value) {
        StringBuilder text = new StringBuilder(Math.min(value.length(), 512));
        for (int i = 0; i < value.length() && i < 512; i++) {
            char c = value.charAt(i);
            text.append(c < 0x20 || c == 0x7F || c == '"' ? '?' : c);
        }
        if (value.length() > 512) {
            text.append("...");
        }
        return text.toString();
    }

    static void log(String line) {
        System.out.println(line);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
