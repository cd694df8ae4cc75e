package dev.proxystage.faultproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault proxy on loopback, in front of a tiny origin that answers each line it gets. */
class FaultProxyTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private ServerSocket origin;
    private final ExecutorService originThreads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "origin");
        thread.setDaemon(true);
        return thread;
    });
    /** The answer's size in bytes: "answer:" and the line, padded with 'x'. */
    private volatile int answerBytes = 0;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        origin = new ServerSocket(0, 50, LOOPBACK);
        originThreads.execute(() -> {
            while (!origin.isClosed()) {
                try {
                    Socket socket = origin.accept();
                    originThreads.execute(() -> answer(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.start(LOOPBACK, new int[] {0}, "127.0.0.1", new int[] {origin.getLocalPort()}, 0,
                new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        origin.close();
        originThreads.shutdownNow();
    }

    /** Reads one line, answers it, then closes (as an HTTP/1.0 backend does). */
    private void answer(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            StringBuilder answer = new StringBuilder("answer:" + line);
            while (answer.length() < answerBytes) {
                answer.append('x');
            }
            OutputStream out = socket.getOutputStream();
            out.write(answer.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the test's client went away
        }
    }

    private String exchange(String line) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, proxy.port(0)), 2000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** What arrived before the connection was reset, and whether it was. */
    private record Outcome(String received, boolean reset) {
    }

    private Outcome exchangeUntilReset(String line) throws IOException {
        try (Socket socket = new Socket()) {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                // A reset may come as soon as the connection is made: inside the connect, on a fast machine.
                socket.connect(new InetSocketAddress(LOOPBACK, proxy.port(0)), 2000);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    received.write(buffer, 0, n);
                }
                return new Outcome(received.toString(StandardCharsets.US_ASCII), false);
            } catch (SocketException e) {
                return new Outcome(received.toString(StandardCharsets.US_ASCII), true);
            }
        }
    }

    private static long millisOf(ThrowingRunnable action) throws Exception {
        long started = System.nanoTime();
        action.run();
        return (System.nanoTime() - started) / 1_000_000;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** One control request, raw HTTP/1.1; status line and body. */
    private String control(String method, String path, String body) throws IOException {
        try (Socket socket = new Socket(LOOPBACK, proxy.controlPort())) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: proxy\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(bytes);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String status = response.substring(0, response.indexOf("\r\n"));
            return status + "\n" + response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void aHealthyProxyPassesBothWaysAndTheBackendsEndOfStream() throws Exception {
        assertThat(exchange("hello")).isEqualTo("answer:hello");
        answerBytes = 200_000;
        assertThat(exchange("big")).hasSize(200_000).startsWith("answer:big");
        assertThat(logged.toString(StandardCharsets.UTF_8)).containsPattern(
                "^\\d{4}-\\d\\d-\\d\\dT[^ ]+Z fault proxy ready: :\\d+ -> 127\\.0\\.0\\.1:\\d+; control :\\d+\\n");
    }

    @Test
    void theClientsEndOfStreamReachesTheBackendAsAHalfClose() throws Exception {
        // No new line: the origin answers once it reads the end of the stream, which only the half-close brings.
        try (Socket socket = new Socket(LOOPBACK, proxy.port(0))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("half".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertThat(socket.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("answer:half");
        }
        waitUntil(() -> proxy.stats().equals("accepted=1 reset=0 open=0"));
    }

    @Test
    void theSocketsOfEndedConnectionsAreClosedWhileTheProxyIsIdle() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "counts this JVM's open files in /proc");
        exchange("warm-up");
        waitUntil(() -> proxy.stats().equals("accepted=1 reset=0 open=0"));
        long before = openFiles(fds);
        for (int i = 0; i < 40; i++) {
            assertThat(exchange("n" + i)).isEqualTo("answer:n" + i);
        }
        waitUntil(() -> proxy.stats().equals("accepted=41 reset=0 open=0"));
        // Both of each connection's sockets are closed after the loop's next select, which comes without more traffic.
        waitUntil(() -> openFiles(fds) <= before + 1);
        assertThat(openFiles(fds)).as("open files after 40 ended connections").isLessThanOrEqualTo(before + 1);
    }

    private static long openFiles(Path fds) {
        try (Stream<Path> files = Files.list(fds)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void manyConnectionsAtOnceEachGetTheirOwnAnswerWhole() throws Exception {
        // Requests and answers larger than a socket's buffers: each waits for its peer's window, interleaved.
        answerBytes = 300_000;
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<String> lines = new ArrayList<>();
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String line = i + "-" + "r".repeat(100_000);
                lines.add(line);
                answers.add(clients.submit(() -> exchange(line)));
            }
            for (int i = 0; i < answers.size(); i++) {
                String expected = "answer:" + lines.get(i);
                expected += "x".repeat(answerBytes - expected.length());
                assertThat(answers.get(i).get().equals(expected)).as("answer %d arrived whole", i).isTrue();
            }
        } finally {
            clients.shutdownNow();
        }
        waitUntil(() -> proxy.stats().equals("accepted=24 reset=0 open=0"));
    }

    @Test
    void aFaultStartedWhileAConnectionIsOpenAppliesToIt() throws Exception {
        answerBytes = 5000;
        try (Socket socket = new Socket(LOOPBACK, proxy.port(0))) {
            socket.setSoTimeout(10_000);
            waitUntil(() -> proxy.stats().contains("open=1"));
            control("POST", "/fault", "kind=reset&after=100");
            socket.getOutputStream().write("open\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            assertThatThrownBy(() -> {
                byte[] chunk = new byte[1024];
                for (int n; (n = socket.getInputStream().read(chunk)) >= 0; ) {
                    received.write(chunk, 0, n);
                }
            }).isInstanceOf(SocketException.class);
            assertThat(received.toString(StandardCharsets.US_ASCII)).hasSize(100).startsWith("answer:open");
        }
    }

    @Test
    void downRefusesNewConnectionsResetsOpenOnesAndItsHealListensOnTheSamePortAgain() throws Exception {
        // A port below the ephemeral range: a connect to a closed ephemeral port can, rarely, meet itself.
        proxy.close();
        for (int candidate = 20_000 + new Random().nextInt(5_000); ; candidate++) {
            try {
                proxy = FaultProxy.start(LOOPBACK, new int[] {candidate}, "127.0.0.1", new int[] {origin.getLocalPort()}, 0,
                        new PrintStream(logged, true, StandardCharsets.UTF_8));
                break;
            } catch (BindException taken) {
                // another one
            }
        }
        int port = proxy.port(0);
        Socket open = new Socket(LOOPBACK, port);
        open.setSoTimeout(10_000);
        // The open connection reaches the origin, which waits for its line.
        waitUntil(() -> proxy.stats().contains("open=1"));

        control("POST", "/fault", "kind=down");

        assertThatThrownBy(() -> new Socket(LOOPBACK, port).close()).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> open.getInputStream().read()).isInstanceOf(SocketException.class);
        open.close();

        assertThat(control("POST", "/heal", "")).contains("fault down healed");
        assertThat(proxy.port(0)).isEqualTo(port);
        assertThat(exchange("again")).isEqualTo("answer:again");
    }

    @Test
    void slowHoldsEachNewConnectionBeforeForwardingIt() throws Exception {
        control("POST", "/fault", "kind=slow&ms=300");
        assertThat(millisOf(() -> assertThat(exchange("late")).isEqualTo("answer:late"))).isGreaterThanOrEqualTo(300);
    }

    @Test
    void slowChunksHoldsEachChunkOfTheAnswer() throws Exception {
        control("POST", "/fault", "kind=slow-chunks\nms=300");
        // the answer is at least one chunk
        assertThat(millisOf(() -> assertThat(exchange("chunks")).isEqualTo("answer:chunks"))).isGreaterThanOrEqualTo(300);
    }

    @Test
    void throttleKeepsTheAnswerToItsRateAndNeverHoldsTheRequest() throws Exception {
        answerBytes = 1000;
        control("POST", "/fault", "kind=throttle&bytesPerSecond=2000");
        // 1000 bytes at 2000 bytes/s: half a second, less the first slice, which goes at once
        assertThat(millisOf(() -> assertThat(exchange("t")).hasSize(1000))).isGreaterThanOrEqualTo(450);

        // A 100000-byte request line through a 10 bytes/s throttle reaches the origin, which answers at once.
        control("POST", "/fault", "kind=throttle&bytesPerSecond=10");
        answerBytes = 0;
        try (Socket socket = new Socket(LOOPBACK, proxy.port(0))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("x".repeat(100_000) + "\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(socket.getInputStream().readNBytes(8)).asString(StandardCharsets.US_ASCII).isEqualTo("answer:x");
        }
    }

    @Test
    void resetAtOnceResetsEveryConnection() throws Exception {
        control("POST", "/fault", "kind=reset");
        Outcome outcome = exchangeUntilReset("x");
        assertThat(outcome.reset()).isTrue();
        assertThat(outcome.received()).isEmpty();
        control("POST", "/heal", "kind=reset");
        assertThat(exchange("back")).isEqualTo("answer:back");
    }

    @Test
    void resetAfterLetsThatManyBytesOfTheAnswerThroughThenResets() throws Exception {
        answerBytes = 5000;
        control("POST", "/fault", "kind=reset&after=100");
        Outcome outcome = exchangeUntilReset("cut");
        assertThat(outcome.reset()).isTrue();
        assertThat(outcome.received()).hasSize(100).startsWith("answer:cut");
    }

    @Test
    void flakyResetsThatShareOfNewConnectionsSpreadEvenly() throws Exception {
        control("POST", "/fault", "kind=flaky&fraction=0.25");
        List<Boolean> reset = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reset.add(exchangeUntilReset("n" + i).reset());
        }
        assertThat(reset).containsExactly(false, false, false, true, false, false, false, true);
    }

    @Test
    void faultsOfDifferentKindsAddUpAndHealOneByOne() throws Exception {
        assertThat(control("GET", "/faults", "")).isEqualTo("HTTP/1.1 200 OK\nhealthy\n");
        control("POST", "/fault", "kind=slow&ms=50");
        control("POST", "/fault", "kind=throttle&bytesPerSecond=100000");
        assertThat(control("GET", "/faults", "")).isEqualTo("HTTP/1.1 200 OK\nslow ms=50\nthrottle bytesPerSecond=100000\n");

        assertThat(control("POST", "/heal", "kind=slow")).containsPattern("Z fault slow healed\n$");
        assertThat(control("GET", "/faults", "")).endsWith("\nthrottle bytesPerSecond=100000\n");
        assertThat(control("POST", "/heal", "")).contains("fault throttle healed");
        assertThat(control("POST", "/heal", "")).endsWith("nothing to heal\n");

        String log = logged.toString(StandardCharsets.UTF_8);
        assertThat(log).containsPattern("Z fault slow started \\(50 ms before each connection is forwarded\\)\n");
        assertThat(log).containsPattern("Z fault throttle started \\(100000 bytes/s for each connection's answer\\)\n");
        assertThat(log.lines()).allMatch(line -> line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z .+"));
    }

    @Test
    void badCommandsAreRefusedWithTheirReasonInOneLine() throws Exception {
        assertThat(control("POST", "/fault", "kind=melt"))
                .isEqualTo("HTTP/1.1 400 Bad Request\nunknown fault kind 'melt' (known: down, slow, slow-chunks, throttle, reset, flaky)\n");
        assertThat(control("POST", "/fault", "kind=slow")).isEqualTo("HTTP/1.1 400 Bad Request\nmissing ms\n");
        assertThat(control("POST", "/fault", "kind=flaky&fraction=1.5"))
                .isEqualTo("HTTP/1.1 400 Bad Request\nfraction must be more than 0 and at most 1, got '1.5'\n");
        assertThat(control("POST", "/fault", "kind=throttle&bytesPerSecond=fast"))
                .startsWith("HTTP/1.1 400 Bad Request\nbytesPerSecond must be a whole number");
        assertThat(control("POST", "/fault", "slow")).isEqualTo("HTTP/1.1 400 Bad Request\nexpected key=value, got 'slow'\n");
        assertThat(control("DELETE", "/fault", "")).startsWith("HTTP/1.1 404 Not Found\nunknown command DELETE /fault");
        assertThat(control("GET", "/faults", "")).endsWith("healthy\n");
    }

    @Test
    void aBackendThatRefusesResetsTheClientsConnection() throws Exception {
        // Port 1: nothing listens there, and it is never an ephemeral port a connect could meet itself on.
        proxy.close();
        proxy = FaultProxy.start(LOOPBACK, new int[] {0}, "127.0.0.1", new int[] {1}, 0,
                new PrintStream(logged, true, StandardCharsets.UTF_8));
        assertThat(exchangeUntilReset("nobody").reset()).isTrue();
    }

    @Test
    void statsCountAcceptedAndResetConnections() throws Exception {
        exchange("one");
        control("POST", "/fault", "kind=reset");
        exchangeUntilReset("two");
        assertThat(proxy.stats()).isEqualTo("accepted=2 reset=1 open=0");
    }

    @Test
    void parametersAreAmpersandOrLineSeparated() {
        assertThat(FaultProxy.parameters("kind=reset&after=10")).isEqualTo(Map.of("kind", "reset", "after", "10"));
        assertThat(FaultProxy.parameters("kind=reset\r\nafter=10\n")).isEqualTo(Map.of("kind", "reset", "after", "10"));
        assertThatThrownBy(() -> FaultProxy.parsePorts("80,x")).hasMessage("'x' is not a port (1-65535) in '80,x'");
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
