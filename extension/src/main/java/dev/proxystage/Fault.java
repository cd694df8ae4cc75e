package dev.proxystage;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A way to break one backend of a running stage, to reproduce a backend issue behind nginx:
 * {@code stage.backend("vaultwarden").orElseThrow().fault(Fault.hang())}. Apply it with
 * {@link StageBackend#fault(Fault)}, which returns the {@link ActiveFault} that heals it.
 *
 * <p>{@link #hang()} and {@link #restartWithNewAddress()} work on any backend: the engine pauses, or moves, the
 * container that holds the backend's alias. The others need ProxyStage's fault proxy in the backend's path
 * ({@code faults: true} on the backend in pipeline.yml, or {@code proxystage.faults=true} for every backend), which
 * takes the alias on the stage network and forwards to the backend until it is told to break the path.
 */
public final class Fault {

    /** The kinds, by the names route tables and the command line use. */
    public static final List<String> KINDS = List.of("down", "hang", "slow", "slowChunks", "throttle", "reset",
            "resetAfter", "flaky", "restartWithNewAddress");

    private final String kind;
    private final Duration duration;
    private final long amount;
    private final double fraction;

    private Fault(String kind, Duration duration, long amount, double fraction) {
        this.kind = kind;
        this.duration = duration;
        this.amount = amount;
        this.fraction = fraction;
    }

    /** The backend is down: connections to it are refused, and open ones are reset. Needs the fault proxy. */
    public static Fault down() {
        return new Fault("down", null, -1, Double.NaN);
    }

    /**
     * The backend hangs: connections are accepted and nothing is answered (the engine pauses the container that
     * holds the alias: the fault proxy where there is one, else the backend itself). Works on any backend.
     */
    public static Fault hang() {
        return new Fault("hang", null, -1, Double.NaN);
    }

    /** Each new connection waits {@code perConnection} before it reaches the backend. Needs the fault proxy. */
    public static Fault slow(Duration perConnection) {
        return new Fault("slow", positive(perConnection, "perConnection"), -1, Double.NaN);
    }

    /** Every chunk of the backend's answer waits {@code perChunk}: a slow body. Needs the fault proxy. */
    public static Fault slowChunks(Duration perChunk) {
        return new Fault("slowChunks", positive(perChunk, "perChunk"), -1, Double.NaN);
    }

    /**
     * Each connection's answer (from the backend) is held to {@code bytesPerSecond}; requests are not held. Needs
     * the fault proxy.
     */
    public static Fault throttle(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be at least 1, got " + bytesPerSecond);
        }
        return new Fault("throttle", null, bytesPerSecond, Double.NaN);
    }

    /** Every connection is reset (RST) at once, and so are the open ones. Needs the fault proxy. */
    public static Fault reset() {
        return new Fault("reset", null, 0, Double.NaN);
    }

    /** Every connection is reset once {@code bytes} bytes of the backend's answer went through. Needs the fault proxy. */
    public static Fault resetAfter(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes must be at least 1 (reset() resets at once), got " + bytes);
        }
        return new Fault("resetAfter", null, bytes, Double.NaN);
    }

    /**
     * That share of new connections is reset at once, spread evenly (0.25: every 4th connection), so a run is
     * reproducible. Needs the fault proxy.
     */
    public static Fault flaky(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be more than 0 and at most 1, got " + fraction);
        }
        return new Fault("flaky", null, -1, fraction);
    }

    /**
     * The container that holds the backend's alias leaves the stage network and comes back under its alias at
     * another address, as after a restart: nginx keeps using the old address unless its configuration resolves the
     * name again ({@code resolver} and a variable). Healing it reloads nginx, which resolves every name again.
     * Works on any backend.
     */
    public static Fault restartWithNewAddress() {
        return new Fault("restartWithNewAddress", null, -1, Double.NaN);
    }

    /** One of {@link #KINDS}. */
    public String kind() {
        return kind;
    }

    /** The wait of {@code slow} and {@code slowChunks}. */
    public Optional<Duration> duration() {
        return Optional.ofNullable(duration);
    }

    /** The bytes per second of {@code throttle}, the bytes let through by {@code resetAfter}. */
    public OptionalLong bytes() {
        return kind.equals("throttle") || kind.equals("resetAfter") ? OptionalLong.of(amount) : OptionalLong.empty();
    }

    /** The share of connections {@code flaky} resets. */
    public OptionalDouble fraction() {
        return Double.isNaN(fraction) ? OptionalDouble.empty() : OptionalDouble.of(fraction);
    }

    /** Whether the fault proxy must be in the backend's path for this fault: all but hang and restartWithNewAddress. */
    public boolean needsFaultProxy() {
        return !kind.equals("hang") && !kind.equals("restartWithNewAddress");
    }

    private static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be more than zero, got " + duration);
        }
        return duration;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fault f && kind.equals(f.kind) && Objects.equals(duration, f.duration)
                && amount == f.amount && Double.compare(fraction, f.fraction) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, duration, amount, fraction);
    }

    /** {@code hang}, {@code slow 500 ms}, {@code throttle 1000 bytes/s}, {@code flaky 25%}, … */
    @Override
    public String toString() {
        return switch (kind) {
            case "slow", "slowChunks" -> kind + " " + duration.toMillis() + " ms";
            case "throttle" -> kind + " " + amount + " bytes/s";
            case "resetAfter" -> kind + " " + amount + " bytes";
            case "flaky" -> kind + " " + percent(fraction);
            default -> kind;
        };
    }

    private static String percent(double fraction) {
        double percent = fraction * 100;
        return (percent == Math.rint(percent) ? Long.toString((long) percent)
                : String.format(Locale.ROOT, "%.2f", percent)) + "%";
    }
}
