package dev.proxystage.internal.nginx;

import dev.proxystage.ProxyStageException;

import java.nio.file.Path;

/**
 * The nginx configuration under test is broken: the message is {@code file:line: detail}, pointing at the host file
 * the user edits. Line 0 means the problem concerns the whole file or directory; the message is then
 * {@code file: detail}.
 */
public final class NginxConfigException extends ProxyStageException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String detail;

    public NginxConfigException(Path file, int line, String detail) {
        super(format(file, line, detail));
        this.file = file;
        this.line = line;
        this.detail = detail;
    }

    public NginxConfigException(Path file, int line, String detail, Throwable cause) {
        super(format(file, line, detail), cause);
        this.file = file;
        this.line = line;
        this.detail = detail;
    }

    /** The host file (or directory) the problem is in. */
    public Path file() {
        return file;
    }

    /** 1-based line, or 0 when the problem concerns the whole file or directory. */
    public int line() {
        return line;
    }

    /** The message without its {@code file:line: } prefix. */
    public String detail() {
        return detail;
    }

    static String format(Path file, int line, String detail) {
        String oneLine = oneLine(detail);
        return line > 0 ? file + ":" + line + ": " + oneLine : file + ": " + oneLine;
    }

    /** A quoted nginx argument may span lines or hold control characters; the message stays one line. */
    private static String oneLine(String detail) {
        StringBuilder text = new StringBuilder(detail.length());
        detail.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        text.append(String.format("\\u%04x", c));
                    } else {
                        text.appendCodePoint(c);
                    }
                }
            }
        });
        return text.toString();
    }
}
