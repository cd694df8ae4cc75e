package dev.proxystage;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * A WebSocket opened through a stage's nginx with the stage client's routing and trust. Messages are queued, so a
 * test sends, then waits for the answer with a timeout.
 */
public final class StageWebSocket implements AutoCloseable {

    private final String url;
    /** Text messages as they arrive; {@link #CLOSED} once the socket failed, so a waiting receive ends at once. */
    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private static final Object CLOSED = new Object();
    private final CompletableFuture<Response> opened = new CompletableFuture<>();
    /** How the socket ended from the other side: a close frame, or the connection breaking. */
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final WebSocket socket;

    StageWebSocket(OkHttpClient http, Request request) {
        this.url = request.url().toString();
        this.socket = http.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                opened.complete(response);
            }

            @Override
            public void onMessage(WebSocket webSocket, String text) {
                messages.add(text);
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                ended.complete("closed by the server with " + code + (reason.isEmpty() ? "" : " " + reason));
                webSocket.close(code, null);
                messages.add(CLOSED);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                opened.completeExceptionally(t);
                ended.complete("the connection broke: " + t);
                messages.add(CLOSED);
            }
        });
    }

    /** Waits until the upgrade succeeded; returns the 101 response, or throws with the reason it failed. */
    public Response awaitOpen(Duration timeout) {
        try {
            return opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("WebSocket " + url + " failed to open: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("WebSocket " + url + " did not open within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while opening " + url);
        }
    }

    /**
     * Waits until the other side ended the socket (nginx passing on the backend's close, or the connection breaking)
     * and says how; fails when it is still open after {@code timeout}.
     */
    public String awaitClosed(Duration timeout) {
        try {
            return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return "the connection broke: " + e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("WebSocket " + url + " was still open after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + url + " to close");
        }
    }

    /** Sends a text message. */
    public StageWebSocket send(String text) {
        if (!socket.send(text)) {
            throw new IllegalStateException("WebSocket " + url + " is closed");
        }
        return this;
    }

    /** The next text message, if one arrives within {@code timeout}. */
    public Optional<String> receive(Duration timeout) {
        try {
            Object message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == CLOSED) {
                messages.add(CLOSED);
            }
            return message instanceof String text ? Optional.of(text) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        socket.close(1000, "done");
    }
}
