package dev.proxystage.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The repetitions of one figure; reported as median with min and max. */
final class Series {

    private final List<Double> values = new ArrayList<>();

    void add(double value) {
        values.add(value);
    }

    void clear() {
        values.clear();
    }

    int size() {
        return values.size();
    }

    List<Double> values() {
        return Collections.unmodifiableList(values);
    }

    /** The value added last. */
    double last() {
        return values.get(values.size() - 1);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    double median() {
        return percentile(values, 50);
    }

    double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Median of an odd count is the middle value; of an even count, the mean of the two middle values. */
    static double percentile(List<Double> data, double p) {
        if (data.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(data);
        Collections.sort(sorted);
        if (p == 50) {
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
        // nearest-rank
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** Nearest-rank percentile of raw nanosecond samples, in milliseconds. */
    static double percentileMillis(long[] nanos, int count, double p) {
        long[] copy = Arrays.copyOf(nanos, count);
        Arrays.sort(copy);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return copy[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
    }

    /** "812 ms (780–901)" style: median, then min–max. */
    String format(String unit, int decimals) {
        if (values.isEmpty()) {
            return "n/a";
        }
        return num(median(), decimals) + " " + unit + " (" + num(min(), decimals) + "–" + num(max(), decimals) + ")";
    }

    static String num(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
