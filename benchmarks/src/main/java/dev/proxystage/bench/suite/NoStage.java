package dev.proxystage.bench.suite;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The floor under a fresh test JVM's first test: JUnit and one plain request to nginx's published port
 * ({@code -Dbench.port}), with no ProxyStage at all. Not named *Test: nothing here runs in the build.
 */
public class NoStage {

    @Test
    void plainRequest() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", Integer.getInteger("bench.port"))) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: vw.example.com\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Assertions.assertTrue(response.startsWith("HTTP/1.1 "), response);
        }
    }
}
