package dev.proxystage.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EchoServerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    private final List<ServerSocket> servers = new ArrayList<>();
    private OkHttpClient client;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        ServerSocket server = EchoServer.start(0, Map.of(
                "PROXYSTAGE_STAGE", "prep",
                "PROXYSTAGE_ALIAS", "vaultwarden",
                "PROXYSTAGE_BACKEND", "vaultwarden-backend"));
        servers.add(server);
        port = server.getLocalPort();
        client = new OkHttpClient.Builder()
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    @AfterEach
    void stopServers() throws IOException {
        for (ServerSocket server : servers) {
            server.close();
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port + pathAndQuery;
    }

    private JsonNode getJson(Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
            return MAPPER.readTree(response.body().string());
        }
    }

    @Test
    void echoesJsonShapeAndIdentity() throws IOException {
        JsonNode json = getJson(new Request.Builder().url(url("/a/b?x=1&y=two")).build());

        assertThat(fieldNames(json)).containsExactly("identity", "request", "client");
        JsonNode identity = json.get("identity");
        assertThat(fieldNames(identity)).containsExactly("stage", "alias", "backend", "hostname");
        assertThat(identity.get("stage").asText()).isEqualTo("prep");
        assertThat(identity.get("alias").asText()).isEqualTo("vaultwarden");
        assertThat(identity.get("backend").asText()).isEqualTo("vaultwarden-backend");
        assertThat(identity.get("hostname").asText()).isEqualTo(InetAddress.getLocalHost().getHostName());

        JsonNode request = json.get("request");
        assertThat(fieldNames(request))
                .containsExactly("method", "uri", "path", "query", "protocol", "headers", "bodyLength", "body");
        assertThat(request.get("method").asText()).isEqualTo("GET");
        assertThat(request.get("uri").asText()).isEqualTo("/a/b?x=1&y=two");
        assertThat(request.get("path").asText()).isEqualTo("/a/b");
        assertThat(request.get("query").asText()).isEqualTo("x=1&y=two");
        assertThat(request.get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(request.get("headers").get("host").get(0).asText()).isEqualTo("127.0.0.1:" + port);
        assertThat(request.get("bodyLength").asLong()).isZero();
        assertThat(request.get("body").asText()).isEmpty();

        JsonNode clientNode = json.get("client");
        assertThat(clientNode.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(clientNode.get("port").asInt()).isPositive();
    }

    @Test
    void queryIsEmptyWhenAbsentAndIdentityIsEmptyWhenUnset() throws IOException {
        ServerSocket bare = EchoServer.start(0, Map.of());
        servers.add(bare);
        JsonNode json = getJson(new Request.Builder().url("http://127.0.0.1:" + bare.getLocalPort() + "/alive").build());

        assertThat(json.get("identity").get("stage").asText()).isEmpty();
        assertThat(json.get("identity").get("alias").asText()).isEmpty();
        assertThat(json.get("identity").get("backend").asText()).isEmpty();
        assertThat(json.get("request").get("path").asText()).isEqualTo("/alive");
        assertThat(json.get("request").get("query").asText()).isEmpty();
    }

    @Test
    void headerNamesAreLowerCasedAndRepeatedValuesKeptInOrder() throws IOException {
        JsonNode json = getJson(new Request.Builder().url(url("/headers"))
                .addHeader("X-Multi", "one")
                .addHeader("X-Multi", "two, three")
                .addHeader("X-Request-Id", "abc-123")
                .build());

        JsonNode headers = json.get("request").get("headers");
        assertThat(fieldNames(headers)).allSatisfy(name -> assertThat(name).isEqualTo(name.toLowerCase()));
        assertThat(texts(headers.get("x-multi"))).containsExactly("one", "two, three");
        assertThat(texts(headers.get("x-request-id"))).containsExactly("abc-123");
    }

    @Test
    void keepsHeaderArrivalOrderAndClosesHttp10Connections() throws IOException {
        try (Socket socket = rawSocket()) {
            send(socket, "GET /order HTTP/1.0\r\nHost: order.example\r\nZ-Last: z\r\nA-First: a\r\nz-last: again\r\n\r\n");
            String response = readToEnd(socket.getInputStream());

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nConnection: close\r\n");
            JsonNode json = MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            JsonNode headers = json.get("request").get("headers");
            assertThat(json.get("request").get("protocol").asText()).isEqualTo("HTTP/1.0");
            assertThat(fieldNames(headers)).containsExactly("host", "z-last", "a-first");
            assertThat(texts(headers.get("z-last"))).containsExactly("z", "again");
        }
    }

    @Test
    void reusesKeepAliveConnection() throws IOException {
        List<Integer> clientPorts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JsonNode json = getJson(new Request.Builder().url(url("/keep-alive/" + i)).build());
            assertThat(json.get("request").get("path").asText()).isEqualTo("/keep-alive/" + i);
            clientPorts.add(json.get("client").get("port").asInt());
        }

        assertThat(clientPorts).hasSize(5).containsOnly(clientPorts.get(0));
        assertThat(client.connectionPool().connectionCount()).isEqualTo(1);
    }

    @Test
    void echoesPostBodyWithContentLength() throws IOException {
        String body = "{\"name\": \"caf\u00e9 \\\"quoted\\\"\"}\n\ttab\u0001 end";
        JsonNode json = getJson(new Request.Builder().url(url("/submit"))
                .post(RequestBody.create(body, TEXT)).build());

        JsonNode request = json.get("request");
        assertThat(request.get("method").asText()).isEqualTo("POST");
        assertThat(texts(request.get("headers").get("content-length")))
                .containsExactly(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        assertThat(request.get("bodyLength").asLong()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(request.get("body").asText()).isEqualTo(body);
    }

    @Test
    void echoesChunkedPostBody() throws IOException {
        RequestBody streaming = new RequestBody() {
            @Override
            public MediaType contentType() {
                return TEXT;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8("first chunk, ");
                sink.flush();
                sink.writeUtf8("second chunk \u00fc");
                sink.flush();
            }
        };
        JsonNode json = getJson(new Request.Builder().url(url("/stream")).post(streaming).build());

        JsonNode request = json.get("request");
        assertThat(texts(request.get("headers").get("transfer-encoding"))).containsExactly("chunked");
        assertThat(request.get("headers").has("content-length")).isFalse();
        assertThat(request.get("body").asText()).isEqualTo("first chunk, second chunk \u00fc");
        assertThat(request.get("bodyLength").asLong())
                .isEqualTo("first chunk, second chunk \u00fc".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void truncatesLargeBodyInJsonButReportsFullLength() throws IOException {
        byte[] body = new byte[200_000];
        Arrays.fill(body, (byte) 'x');
        JsonNode json = getJson(new Request.Builder().url(url("/big"))
                .put(RequestBody.create(body, TEXT)).build());

        assertThat(json.get("request").get("bodyLength").asLong()).isEqualTo(200_000);
        assertThat(json.get("request").get("body").asText()).hasSize(64 * 1024);
    }

    @Test
    void answersRequestedStatusWithJsonBody() throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(url("/__echo/status/503?why=test")).build())
                .execute()) {
            assertThat(response.code()).isEqualTo(503);
            JsonNode json = MAPPER.readTree(response.body().string());
            assertThat(json.get("request").get("path").asText()).isEqualTo("/__echo/status/503");
            assertThat(json.get("identity").get("alias").asText()).isEqualTo("vaultwarden");
        }
        try (Response response = client.newCall(new Request.Builder().url(url("/__echo/status/204")).build())
                .execute()) {
            assertThat(response.code()).isEqualTo(204);
            assertThat(response.body().string()).isEmpty();
        }
    }

    @Test
    void closeEndpointDropsTheConnectionWithoutAnswer() throws IOException {
        Request request = new Request.Builder().url(url("/__echo/close")).build();

        assertThatThrownBy(() -> client.newCall(request).execute().close()).isInstanceOf(IOException.class);

        // the server is still fine afterwards
        assertThat(getJson(new Request.Builder().url(url("/after-close")).build())
                .get("request").get("path").asText()).isEqualTo("/after-close");
    }

    @Test
    void sleepEndpointDelaysTheAnswer() throws IOException {
        long started = System.nanoTime();
        JsonNode json = getJson(new Request.Builder().url(url("/__echo/sleep/300")).build());

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(300);
        assertThat(json.get("request").get("path").asText()).isEqualTo("/__echo/sleep/300");
    }

    @Test
    void malformedRequestLineGets400AndTheConnectionCloses() throws IOException {
        try (Socket socket = rawSocket()) {
            send(socket, "THIS IS NOT HTTP\r\n\r\n");
            String response = readToEnd(socket.getInputStream()); // returns only once the server closed

            assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close");
        }
        try (Socket socket = rawSocket()) {
            send(socket, "GET /x HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n");
            assertThat(readToEnd(socket.getInputStream())).startsWith("HTTP/1.1 400 Bad Request\r\n");
        }

        assertThat(getJson(new Request.Builder().url(url("/still-alive")).build())
                .get("request").get("path").asText()).isEqualTo("/still-alive");
    }

    @Test
    void twoHostHeadersAreRefusedWithTheValuesReceived() throws IOException {
        JsonNode refusal = refused("GET /x HTTP/1.1\r\nHost: app.example.com\r\nHost: app.example.com\r\n\r\n");

        assertThat(refusal.get("detail").asText())
                .isEqualTo("2 Host headers (app.example.com, app.example.com); RFC 9112 \u00a73.2 allows one");
        assertThat(refusal.get("status").asInt()).isEqualTo(400);
        assertThat(refusal.get("error").asText()).isEqualTo("Bad Request");
        assertThat(refusal.get("identity").get("alias").asText()).isEqualTo("vaultwarden");
        assertThat(refusal.get("identity").get("stage").asText()).isEqualTo("prep");
    }

    @Test
    void conflictingContentLengthsAreRefused() throws IOException {
        JsonNode refusal = refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");

        assertThat(refusal.get("detail").asText())
                .isEqualTo("conflicting Content-Length values (5, 6); RFC 9110 \u00a78.6 allows one length");
    }

    @Test
    void repeatedEqualContentLengthsAreAccepted() throws IOException {
        try (Socket socket = rawSocket()) {
            send(socket, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n"
                    + "Connection: close\r\n\r\nhello");
            String response = readToEnd(socket.getInputStream());

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("\"body\":\"hello\"");
        }
    }

    @Test
    void contentLengthTogetherWithTransferEncodingIsRefused() throws IOException {
        JsonNode refusal = refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

        assertThat(refusal.get("detail").asText()).isEqualTo(
                "Content-Length (3) together with Transfer-Encoding (chunked); RFC 9112 \u00a76.1 forbids sending both");
    }

    @Test
    void badChunkSizeIsRefusedWithTheLineReceived() throws IOException {
        JsonNode refusal = refused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");

        assertThat(refusal.get("detail").asText()).isEqualTo("bad chunk size 'zz'; RFC 9112 \u00a77.1 wants hexadecimal digits");
    }

    @Test
    void portsComeFromEchoPortThenEchoPorts() {
        assertThat(EchoServer.parsePorts(null, null)).containsExactly(80);
        assertThat(EchoServer.parsePorts("8080", null)).containsExactly(8080);
        assertThat(EchoServer.parsePorts("80", "80, 8080,9090")).containsExactly(80, 8080, 9090);
        assertThat(EchoServer.parsePorts(null, "8080")).containsExactly(80, 8080);
        assertThatThrownBy(() -> EchoServer.parsePorts("80", "8080,web"))
                .hasMessage("ECHO_PORTS is not a number: web");
        assertThatThrownBy(() -> EchoServer.parsePorts("70000", null)).hasMessage("ECHO_PORT out of range: 70000");
    }

    @Test
    void answersOnEveryPortItWasStartedOn() throws IOException {
        ServerSocket second = EchoServer.start(0, Map.of("PROXYSTAGE_ALIAS", "api"));
        servers.add(second);
        try (Response response = client.newCall(new Request.Builder()
                .url("http://127.0.0.1:" + second.getLocalPort() + "/api").build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(MAPPER.readTree(response.body().string()).get("identity").get("alias").asText()).isEqualTo("api");
        }
        assertThat(getJson(new Request.Builder().url(url("/web")).build()).get("request").get("path").asText())
                .isEqualTo("/web");
    }

    /** Sends {@code raw}, expects a 400 that closes the connection, and returns its JSON body. */
    private JsonNode refused(String raw) throws IOException {
        try (Socket socket = rawSocket()) {
            send(socket, raw);
            String response = readToEnd(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close")
                    .contains("Content-Type: application/json; charset=utf-8");
            return MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        }
    }

    @Test
    void webSocketEchoesTextMessages() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket webSocket = client.newWebSocket(
                new Request.Builder().url("ws://127.0.0.1:" + port + "/ws").build(),
                new WebSocketListener() {
                    @Override
                    public void onMessage(WebSocket socket, String text) {
                        received.add(text);
                    }

                    @Override
                    public void onClosing(WebSocket socket, int code, String reason) {
                        socket.close(1000, null);
                    }

                    @Override
                    public void onClosed(WebSocket socket, int code, String reason) {
                        closed.countDown();
                    }

                    @Override
                    public void onFailure(WebSocket socket, Throwable t, Response response) {
                        received.add("FAILURE: " + t);
                        closed.countDown();
                    }
                });

        String medium = "m".repeat(300);      // 16-bit length
        String large = "L\u00e4".repeat(40_000); // 64-bit length
        webSocket.send("hello \u00fcber websocket");
        webSocket.send(medium);
        webSocket.send(large);

        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("hello \u00fcber websocket");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(medium);
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(large);

        webSocket.close(1000, "bye");
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(received).isEmpty();
    }

    @Test
    void webSocketHandlesFragmentsPingAndClose() throws IOException {
        try (Socket socket = rawSocket()) {
            String key = "dGhlIHNhbXBsZSBub25jZQ==";
            send(socket, "GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: WebSocket\r\n"
                    + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                    .contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"); // RFC 6455 example

            OutputStream out = socket.getOutputStream();
            out.write(maskedFrame(false, 0x1, "Hel".getBytes(StandardCharsets.UTF_8)));
            out.write(maskedFrame(true, 0x9, "ping!".getBytes(StandardCharsets.UTF_8)));
            out.write(maskedFrame(true, 0x0, "lo".getBytes(StandardCharsets.UTF_8)));
            out.flush();

            assertThat(readFrame(in)).containsExactly(0x8A, "ping!");
            assertThat(readFrame(in)).containsExactly(0x81, "Hello");

            out.write(maskedFrame(true, 0x8, new byte[] {0x03, (byte) 0xE8}));
            out.flush();
            Object[] close = readFrame(in);
            assertThat(close[0]).isEqualTo(0x88);
            assertThat(((String) close[1]).getBytes(StandardCharsets.ISO_8859_1)).containsExactly(0x03, 0xE8);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void computesWebSocketAcceptAndEscapesJson() {
        assertThat(HttpEcho.webSocketAccept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(EchoJson.jsonString("a\"b\\c\n\r\t\u0001\u001f\u2028 \u00e9"))
                .isEqualTo("\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\\u2028 \u00e9\"");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Socket rawSocket() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the response head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] maskedFrame(boolean fin, int opcode, byte[] payload) {
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        frame.write(0x80 | payload.length); // tests only use short payloads
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /** Reads one short unmasked server frame: {first byte, payload as ISO-8859-1 (UTF-8 for text)}. */
    private static Object[] readFrame(InputStream in) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        assertThat(b1 & 0x80).as("server frames are unmasked").isZero();
        assertThat(b1 & 0x7F).isLessThanOrEqualTo(125);
        byte[] payload = in.readNBytes(b1 & 0x7F);
        int opcode = b0 & 0x0F;
        return new Object[] {b0, new String(payload,
                opcode == 0x1 || opcode == 0x9 || opcode == 0xA ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)};
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array).as("header value array").isNotNull();
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
