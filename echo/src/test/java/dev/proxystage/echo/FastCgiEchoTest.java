package dev.proxystage.echo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The echo as nginx's fastcgi_pass and uwsgi_pass reach it, spoken to by a minimal client of the test's own. */
class FastCgiEchoTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ServerSocket server;

    @BeforeEach
    void start() throws IOException {
        server = EchoServer.start(0, Map.of("PROXYSTAGE_STAGE", "prep", "PROXYSTAGE_ALIAS", "phpfpm",
                "PROXYSTAGE_BACKEND", "phpfpm"));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void answersAResponderRequestWithACgiHeaderBlockAndTheJsonReport() throws IOException {
        try (Socket socket = connect()) {
            List<String[]> params = List.of(
                    pair("SCRIPT_FILENAME", "/var/www/html/index.php"),
                    pair("SCRIPT_NAME", "/index.php"),
                    pair("REQUEST_METHOD", "POST"),
                    pair("REQUEST_URI", "/index.php?page=2"),
                    pair("DOCUMENT_URI", "/index.php"),
                    pair("QUERY_STRING", "page=2"),
                    pair("SERVER_PROTOCOL", "HTTP/1.1"),
                    pair("CONTENT_TYPE", "text/plain"),
                    pair("CONTENT_LENGTH", "11"),
                    pair("HTTP_HOST", "shop.example.com"),
                    pair("HTTP_X_FORWARDED_PROTO", "https"),
                    pair("HTTP_X_LONG", "x".repeat(300)));
            send(socket, 1, false, params, List.of("hello ", "world"));

            Answer answer = readAnswer(socket.getInputStream(), 1);
            assertThat(answer.protocolStatus).isEqualTo(FastCgiEcho.REQUEST_COMPLETE);
            assertThat(answer.head).startsWith("Status: 200 OK\r\n").contains("Content-Type: application/json; charset=utf-8\r\n");
            JsonNode json = MAPPER.readTree(answer.body);
            assertThat(json.at("/identity/alias").asText()).isEqualTo("phpfpm");
            assertThat(json.at("/request/method").asText()).isEqualTo("POST");
            assertThat(json.at("/request/uri").asText()).isEqualTo("/index.php?page=2");
            assertThat(json.at("/request/path").asText()).isEqualTo("/index.php");
            assertThat(json.at("/request/query").asText()).isEqualTo("page=2");
            assertThat(json.at("/request/protocol").asText()).isEqualTo("HTTP/1.1");
            assertThat(json.at("/request/headers/host/0").asText()).isEqualTo("shop.example.com");
            assertThat(json.at("/request/headers/x-forwarded-proto/0").asText()).isEqualTo("https");
            assertThat(json.at("/request/headers/x-long/0").asText()).hasSize(300);
            assertThat(json.at("/request/headers/content-type/0").asText()).isEqualTo("text/plain");
            assertThat(json.at("/request/body").asText()).isEqualTo("hello world");
            assertThat(json.at("/request/bodyLength").asLong()).isEqualTo(11);
            assertThat(json.at("/gateway/protocol").asText()).isEqualTo("fastcgi");
            assertThat(json.at("/gateway/scriptName").asText()).isEqualTo("/index.php");
            assertThat(json.at("/gateway/scriptFilename").asText()).isEqualTo("/var/www/html/index.php");
            assertThat(json.at("/gateway/params/REQUEST_METHOD/0").asText()).isEqualTo("POST");
        }
    }

    @Test
    void aParamSentTwiceIsReportedWithBothValuesInOrder() throws IOException {
        try (Socket socket = connect()) {
            send(socket, 1, false, List.of(pair("SCRIPT_FILENAME", "/etc/nginx/html/index.php"),
                    pair("REQUEST_METHOD", "GET"), pair("REQUEST_URI", "/"),
                    pair("SCRIPT_FILENAME", "/var/www/html/index.php"), pair("HTTP_HOST", "a.example.com"),
                    pair("HTTP_HOST", "b.example.com")), List.of());

            JsonNode json = MAPPER.readTree(readAnswer(socket.getInputStream(), 1).body);
            assertThat(texts(json.at("/gateway/params/SCRIPT_FILENAME")))
                    .containsExactly("/etc/nginx/html/index.php", "/var/www/html/index.php");
            assertThat(texts(json.at("/request/headers/host"))).containsExactly("a.example.com", "b.example.com");
            assertThat(json.at("/gateway/scriptFilename").asText()).isEqualTo("/etc/nginx/html/index.php");
        }
    }

    @Test
    void keepsTheConnectionForTheNextRequestWhenNginxAsks() throws IOException {
        try (Socket socket = connect()) {
            for (int id = 1; id <= 3; id++) {
                send(socket, id, true, List.of(pair("REQUEST_METHOD", "GET"), pair("REQUEST_URI", "/r" + id)), List.of());
                JsonNode json = MAPPER.readTree(readAnswer(socket.getInputStream(), id).body);
                assertThat(json.at("/request/uri").asText()).isEqualTo("/r" + id);
            }
        }
    }

    @Test
    void closesTheConnectionAfterTheRequestWithoutKeepConn() throws IOException {
        try (Socket socket = connect()) {
            send(socket, 1, false, List.of(pair("REQUEST_METHOD", "GET"), pair("REQUEST_URI", "/")), List.of());
            readAnswer(socket.getInputStream(), 1);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aStatusPathAnswersThatStatusInTheCgiHeader() throws IOException {
        try (Socket socket = connect()) {
            send(socket, 7, false, List.of(pair("REQUEST_METHOD", "GET"), pair("REQUEST_URI", "/__echo/status/503")),
                    List.of());
            assertThat(readAnswer(socket.getInputStream(), 7).head).startsWith("Status: 503 Service Unavailable\r\n");
        }
    }

    @Test
    void anAnswerLongerThanOneRecordIsSplitAcrossStdoutRecords() throws IOException {
        try (Socket socket = connect()) {
            String body = "b".repeat(70_000);
            List<String> chunks = new ArrayList<>();
            for (int i = 0; i < body.length(); i += 60_000) {
                chunks.add(body.substring(i, Math.min(body.length(), i + 60_000)));
            }
            send(socket, 1, false, List.of(pair("REQUEST_METHOD", "POST"), pair("REQUEST_URI", "/upload"),
                    pair("HTTP_X_PAD", "p".repeat(20_000))), chunks);

            Answer answer = readAnswer(socket.getInputStream(), 1);
            assertThat(answer.stdoutRecords).isGreaterThan(1);
            JsonNode json = MAPPER.readTree(answer.body);
            assertThat(json.at("/request/bodyLength").asLong()).isEqualTo(70_000);
            assertThat(json.at("/request/body").asText()).hasSize(64 * 1024);
        }
    }

    @Test
    void anotherRoleIsRefusedAsUnknown() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            record(out, FastCgiEcho.BEGIN_REQUEST, 1, new byte[] {0, 2, 0, 0, 0, 0, 0, 0}); // the authorizer role
            out.flush();
            Answer answer = readAnswer(socket.getInputStream(), 1);
            assertThat(answer.protocolStatus).isEqualTo(FastCgiEcho.UNKNOWN_ROLE);
        }
    }

    @Test
    void getValuesIsAnsweredOnTheManagementId() throws IOException {
        try (Socket socket = connect()) {
            ByteArrayOutputStream asked = new ByteArrayOutputStream();
            FastCgiEcho.writePair(asked, "FCGI_MPXS_CONNS", "");
            record(socket.getOutputStream(), FastCgiEcho.GET_VALUES, 0, asked.toByteArray());
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int[] header = readHeader(in);
            assertThat(header[0]).isEqualTo(FastCgiEcho.GET_VALUES_RESULT);
            assertThat(header[1]).isZero();
            byte[] content = in.readNBytes(header[2]);
            in.readNBytes(header[3]);
            assertThat(FastCgiEcho.params(content)).containsEntry("FCGI_MPXS_CONNS", List.of("0"));
        }
    }

    @Test
    void theSamePortStillAnswersHttpSoAnHttpHealthCheckWorks() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /health HTTP/1.0\r\nHost: phpfpm\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("\"path\":\"/health\"");
        }
    }

    @Test
    void aTruncatedParamsStreamClosesTheConnectionWithoutAnAnswer() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            record(out, FastCgiEcho.BEGIN_REQUEST, 1, new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
            record(out, FastCgiEcho.PARAMS, 1, new byte[] {5, 100, 'N', 'A', 'M', 'E', 'x'}); // value longer than sent
            record(out, FastCgiEcho.PARAMS, 1, new byte[0]);
            record(out, FastCgiEcho.STDIN, 1, new byte[0]);
            out.flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void uwsgiGetsTheSameReportAnsweredWithAStatusLine() throws IOException {
        try (Socket socket = connect()) {
            ByteArrayOutputStream vars = new ByteArrayOutputStream();
            for (String[] p : List.of(pair("REQUEST_METHOD", "PUT"), pair("REQUEST_URI", "/api?x=1"),
                    pair("QUERY_STRING", "x=1"), pair("SERVER_PROTOCOL", "HTTP/1.1"), pair("CONTENT_LENGTH", "4"),
                    pair("HTTP_HOST", "api.example.com"))) {
                byte[] key = p[0].getBytes(StandardCharsets.ISO_8859_1);
                byte[] value = p[1].getBytes(StandardCharsets.UTF_8);
                vars.write(key.length & 0xFF);
                vars.write(key.length >>> 8);
                vars.writeBytes(key);
                vars.write(value.length & 0xFF);
                vars.write(value.length >>> 8);
                vars.writeBytes(value);
            }
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {0, (byte) vars.size(), (byte) (vars.size() >>> 8), 0});
            out.write(vars.toByteArray());
            out.write("data".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n");
            JsonNode json = MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(json.at("/request/method").asText()).isEqualTo("PUT");
            assertThat(json.at("/request/headers/host/0").asText()).isEqualTo("api.example.com");
            assertThat(json.at("/request/body").asText()).isEqualTo("data");
            assertThat(json.at("/gateway/protocol").asText()).isEqualTo("uwsgi");
        }
    }

    // ------------------------------------------------------------------------------------------------ the client

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.getLocalPort());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String[] pair(String name, String value) {
        return new String[] {name, value};
    }

    /** BEGIN_REQUEST (responder), the params in records of at most 1000 bytes, then stdin, as nginx sends them. */
    private static void send(Socket socket, int id, boolean keepConn, List<String[]> params, List<String> stdin)
            throws IOException {
        OutputStream out = socket.getOutputStream();
        record(out, FastCgiEcho.BEGIN_REQUEST, id, new byte[] {0, 1, (byte) (keepConn ? 1 : 0), 0, 0, 0, 0, 0});
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String[] p : params) {
            FastCgiEcho.writePair(all, p[0], p[1]);
        }
        byte[] bytes = all.toByteArray();
        for (int at = 0; at < bytes.length; at += 1000) {
            byte[] part = Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 1000));
            record(out, FastCgiEcho.PARAMS, id, part);
        }
        record(out, FastCgiEcho.PARAMS, id, new byte[0]);
        for (String chunk : stdin) {
            record(out, FastCgiEcho.STDIN, id, chunk.getBytes(StandardCharsets.UTF_8));
        }
        record(out, FastCgiEcho.STDIN, id, new byte[0]);
        out.flush();
    }

    /** A record with a padding of 3 bytes, which the server must skip. */
    private static void record(OutputStream out, int type, int id, byte[] content) throws IOException {
        out.write(new byte[] {1, (byte) type, (byte) (id >>> 8), (byte) id, (byte) (content.length >>> 8),
                (byte) content.length, 3, 0});
        out.write(content);
        out.write(new byte[3]);
    }

    private record Answer(String head, String body, int protocolStatus, int stdoutRecords) {
    }

    private static Answer readAnswer(InputStream raw, int id) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int records = 0;
        while (true) {
            int[] header = readHeader(in);
            byte[] content = in.readNBytes(header[2]);
            in.readNBytes(header[3]);
            assertThat(header[1]).as("request id").isEqualTo(id);
            if (header[0] == FastCgiEcho.STDOUT) {
                if (content.length > 0) {
                    records++;
                }
                stdout.writeBytes(content);
            } else if (header[0] == FastCgiEcho.END_REQUEST) {
                String all = stdout.toString(StandardCharsets.UTF_8);
                int split = all.indexOf("\r\n\r\n");
                return new Answer(split < 0 ? all : all.substring(0, split + 2), split < 0 ? "" : all.substring(split + 4),
                        content[4], records);
            } else {
                throw new AssertionError("unexpected record type " + header[0]);
            }
        }
    }

    private static int[] readHeader(DataInputStream in) throws IOException {
        byte[] header = in.readNBytes(8);
        assertThat(header).as("a whole record header").hasSize(8);
        assertThat(header[0]).as("version").isEqualTo((byte) 1);
        return new int[] {header[1] & 0xFF, ((header[2] & 0xFF) << 8) | (header[3] & 0xFF),
                ((header[4] & 0xFF) << 8) | (header[5] & 0xFF), header[6] & 0xFF};
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
