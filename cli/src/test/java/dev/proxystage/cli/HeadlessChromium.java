package dev.proxystage.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * Debian's chromium, headless, driven over the DevTools protocol on a loopback port (OkHttp's WebSocket client):
 * opens a page and reports its console errors, its network requests and a screenshot. The browser comes from
 * scripts/chromium.sh (scripts/test.sh provisions it); its path may be given as {@code PROXYSTAGE_CHROMIUM}.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a page did while it loaded. */
    record PageLoad(List<String> consoleErrors, List<String> requests, byte[] screenshot) {
    }

    private final Process process;
    private final Path profile;
    private final Path tmp;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(WAIT).build();
    private final int port;

    private HeadlessChromium(Process process, Path profile, Path tmp, int port) {
        this.process = process;
        this.profile = profile;
        this.tmp = tmp;
        this.port = port;
    }

    static String browser() {
        String given = System.getenv("PROXYSTAGE_CHROMIUM");
        if (given != null && !given.isBlank()) {
            return given;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new AssertionError("no chromium on the PATH: scripts/chromium.sh installs Debian's (scripts/test.sh runs it)");
    }

    static HeadlessChromium start(Path scratch) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(scratch, "chromium-profile");
        ProcessBuilder builder = new ProcessBuilder(browser(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=1280,2000", "about:blank")
                .redirectErrorStream(true);
        // Its singleton socket's directory (org.chromium.Chromium.*) outlives a browser that is stopped: in a
        // directory of its own, it goes with it. A short path: a unix socket's may not exceed 107 bytes.
        Path tmp = Files.createTempDirectory("chromium-tmp");
        builder.environment().put("TMPDIR", tmp.toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            delete(tmp);
            throw e;
        }
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(2)));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new AssertionError("chromium ended without a DevTools port: " + output));
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new HeadlessChromium(process, profile, tmp, port.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            delete(tmp);
            throw new AssertionError("chromium did not start: " + e.getMessage() + " " + output, e);
        }
    }

    /** Opens {@code page} in a fresh tab and waits for its load event, counting what it logged and requested. */
    PageLoad open(Path page) throws Exception {
        String target;
        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/json/new?about:blank")
                .put(RequestBody.create(new byte[0])).build()).execute()) {
            target = JSON.readTree(r.body().string()).path("webSocketDebuggerUrl").asText();
        }
        BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
        AtomicInteger ids = new AtomicInteger();
        WebSocket socket = http.newWebSocket(new Request.Builder().url(target).build(), new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, String text) {
                try {
                    JsonNode message = JSON.readTree(text);
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> reply = replies.remove(message.get("id").asInt());
                        if (reply != null) {
                            reply.complete(message);
                        }
                    } else {
                        events.add(message);
                    }
                } catch (IOException e) {
                    events.add(JSON.createObjectNode().put("method", "unreadable"));
                }
            }
        });
        try {
            Cdp cdp = (method, params) -> {
                int id = ids.incrementAndGet();
                CompletableFuture<JsonNode> reply = new CompletableFuture<>();
                replies.put(id, reply);
                ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
                message.set("params", params == null ? JSON.createObjectNode() : params);
                socket.send(JSON.writeValueAsString(message));
                JsonNode answer = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (answer.has("error")) {
                    throw new AssertionError(method + ": " + answer.get("error"));
                }
                return answer.path("result");
            };
            for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
                cdp.call(domain + ".enable", null);
            }
            cdp.call("Page.navigate", JSON.createObjectNode().put("url", page.toUri().toString()));
            List<String> errors = new ArrayList<>();
            List<String> requests = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean loaded = false;
            while (!loaded) {
                JsonNode event = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new AssertionError("the page did not finish loading within " + WAIT.toSeconds() + " s");
                }
                loaded = record(event, errors, requests);
            }
            // anything the page does right after its load event (a late script, a lazy image) is counted too
            Thread.sleep(500);
            for (JsonNode event; (event = events.poll()) != null; ) {
                record(event, errors, requests);
            }
            String png = cdp.call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
                    .put("captureBeyondViewport", true)).path("data").asText();
            return new PageLoad(List.copyOf(errors), List.copyOf(requests), Base64.getDecoder().decode(png));
        } finally {
            socket.close(1000, null);
        }
    }

    /** Adds what {@code event} says; true for the page's load event. */
    private static boolean record(JsonNode event, List<String> errors, List<String> requests) {
        JsonNode p = event.path("params");
        switch (event.path("method").asText()) {
            case "Runtime.consoleAPICalled" -> {
                if (p.path("type").asText().equals("error")) {
                    errors.add("console.error: " + p.path("args"));
                }
            }
            case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
            case "Log.entryAdded" -> {
                if (p.path("entry").path("level").asText().equals("error")) {
                    errors.add("log: " + p.path("entry").path("text").asText());
                }
            }
            case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
            case "Page.loadEventFired" -> {
                return true;
            }
            default -> {
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface Cdp {
        JsonNode call(String method, ObjectNode params) throws Exception;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        delete(profile);
        delete(tmp);
    }

    private static void delete(Path tree) throws IOException {
        if (Files.exists(tree)) {
            try (var files = Files.walk(tree)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
