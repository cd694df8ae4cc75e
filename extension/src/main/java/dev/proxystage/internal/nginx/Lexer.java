package dev.proxystage.internal.nginx;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Splits one file into nginx tokens, following ngx_conf_read_token: a token ends at whitespace, ";" or "{" (unless
 * the "{" follows "$", as in ${var}); a "}" inside a token is an ordinary character; quotes only open at the start of
 * a token; "#" starts a comment only at the start of a token.
 */
final class Lexer {

    enum Kind { WORD, SEMICOLON, OPEN, CLOSE, EOF }

    /**
     * A token; {@code text} is the unquoted, unescaped word (empty for punctuation); {@code indent} is the leading
     * whitespace of its line, or null when something precedes it on that line.
     */
    record Token(Kind kind, String text, int line, boolean quoted, String indent) {
    }

    private final Path file;
    private final char[] buf;
    private final int length;
    private int pos;
    private int line = 1;
    private int lineStart;

    Lexer(Path file, char[] buf) {
        this.file = file;
        this.buf = buf;
        this.length = buf.length;
    }

    /** Decodes UTF-8 strictly, so that a Latin-1 file fails at the line of its first bad byte. */
    static char[] decode(Path file, byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            // nginx does not skip a BOM: it becomes part of the first directive name.
            throw new NginxConfigException(file, 1, "file starts with a UTF-8 byte order mark, which nginx reads as "
                    + "part of the first directive; save the file without BOM");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int bad = in.position();
            int badLine = 1;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    badLine++;
                }
            }
            throw new NginxConfigException(file, badLine, String.format(
                    "invalid UTF-8 byte 0x%02X; save the file as UTF-8", bytes[bad] & 0xFF));
        }
        out.flip();
        char[] chars = new char[out.remaining()];
        out.get(chars);
        return chars;
    }

    Token next() {
        skipSpaceAndComments();
        if (pos >= length) {
            return new Token(Kind.EOF, "", line, false, null);
        }
        char c = buf[pos];
        switch (c) {
            case ';':
                pos++;
                return new Token(Kind.SEMICOLON, "", line, false, null);
            case '{':
                pos++;
                return new Token(Kind.OPEN, "", line, false, null);
            case '}':
                String indent = indent();
                pos++;
                return new Token(Kind.CLOSE, "", line, false, indent);
            case '"':
            case '\'':
                return quoted(c);
            default:
                return word();
        }
    }

    private void skipSpaceAndComments() {
        while (pos < length) {
            char c = buf[pos];
            if (c == '\n') {
                line++;
                pos++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < length && buf[pos] != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    /** The leading whitespace of the current line if only whitespace precedes {@code pos}, else null. */
    private String indent() {
        for (int i = lineStart; i < pos; i++) {
            if (buf[i] != ' ' && buf[i] != '\t') {
                return null;
            }
        }
        return new String(buf, lineStart, pos - lineStart);
    }

    private Token quoted(char quote) {
        String indent = indent();
        int startLine = line;
        pos++;
        StringBuilder text = new StringBuilder();
        while (true) {
            if (pos >= length) {
                throw new NginxConfigException(file, startLine, "unterminated " + quote + " quote: the string "
                        + "opened here runs to the end of the file");
            }
            char c = buf[pos];
            if (c == '\\' && pos + 1 < length) {
                unescape(text, buf[pos + 1]);
                pos += 2;
                continue;
            }
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            }
            text.append(c);
            pos++;
        }
        // nginx wants a separator after a closing quote ("need_space").
        if (pos < length) {
            char after = buf[pos];
            boolean separator = after == ' ' || after == '\t' || after == '\r' || after == '\n'
                    || after == ';' || after == '{' || after == ')';
            if (!separator) {
                if (startLine != line) {
                    throw new NginxConfigException(file, startLine, "the " + quote + " string opened on this line "
                            + "closes on line " + line + " and is followed by \"" + after
                            + "\"; is a closing quote missing here?");
                }
                // The string itself is not quoted back: a parse error shows no more of a file than it must.
                throw new NginxConfigException(file, line, "unexpected \"" + after + "\" right after a closing "
                        + quote + " quote; put a space or \";\" after the closing quote");
            }
        }
        return new Token(Kind.WORD, text.toString(), startLine, true, indent);
    }

    private Token word() {
        String indent = indent();
        int startLine = line;
        StringBuilder text = new StringBuilder();
        boolean afterDollar = false;
        while (pos < length) {
            char c = buf[pos];
            if (c == '\\' && pos + 1 < length) {
                unescape(text, buf[pos + 1]);
                pos += 2;
                afterDollar = false;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';') {
                break;
            }
            if (c == '{') {
                if (!afterDollar) {
                    rejectQuantifier(startLine);
                    break;
                }
            }
            afterDollar = c == '$';
            text.append(c);
            pos++;
        }
        return new Token(Kind.WORD, text.toString(), startLine, false, indent);
    }

    /**
     * nginx ends an unquoted token at "{" and opens a block there, so {@code ~ ^/(a|b){2}$} becomes the token
     * {@code ^/(a|b)} followed by a block whose first directive is "2}$". Such a glued regex quantifier is never
     * meant as a block, so say so here instead of failing later with nginx's "unknown directive".
     */
    private void rejectQuantifier(int startLine) {
        int i = pos + 1;
        int digits = 0;
        while (i < length && Character.isDigit(buf[i])) {
            i++;
            digits++;
        }
        if (digits == 0) {
            return;
        }
        if (i < length && buf[i] == ',') {
            i++;
            while (i < length && Character.isDigit(buf[i])) {
                i++;
            }
        }
        if (i >= length || buf[i] != '}') {
            return;
        }
        // Only the quantifier is shown, not the argument around it: a parse error quotes no more than it must.
        throw new NginxConfigException(file, startLine, "an unquoted argument contains the regex quantifier "
                + new String(buf, pos, i + 1 - pos) + ", but nginx starts a block at an unquoted \"{\"; put the whole"
                + " regex in double quotes");
    }

    // The same unescaping as ngx_conf_read_token: \" \' \\ \t \r \n; any other pair is kept (regexes need "\.").
    private void unescape(StringBuilder text, char next) {
        switch (next) {
            case '"', '\'', '\\' -> text.append(next);
            case 't' -> text.append('\t');
            case 'r' -> text.append('\r');
            case 'n' -> text.append('\n');
            default -> {
                if (next == '\n') {
                    line++;
                    lineStart = pos + 2;
                }
                text.append('\\').append(next);
            }
        }
    }
}
