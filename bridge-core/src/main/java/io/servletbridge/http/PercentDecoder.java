package io.servletbridge.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decodes percent-encoded text strictly: a malformed escape or undecodable byte is a {@link BadMessageException}. */
public final class PercentDecoder {
    private PercentDecoder() {
    }

    /** Decodes a path segment or path ({@code +} stays a plus). */
    public static String decodePath(String s) {
        return decode(s, 0, s.length(), StandardCharsets.UTF_8, false);
    }

    /**
     * Decodes {@code s[from, to)} as in a form or query string.
     *
     * @param plusIsSpace whether {@code +} means a space (forms and query strings)
     */
    public static String decode(String s, int from, int to, Charset charset, boolean plusIsSpace) {
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '%' || (plusIsSpace && c == '+')) {
                break;
            }
            i++;
        }
        if (i == to) {
            return s.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from);
        out.append(s, from, i);
        byte[] bytes = null;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '+' && plusIsSpace) {
                out.append(' ');
                i++;
            } else if (c == '%') {
                if (bytes == null) {
                    bytes = new byte[(to - i) / 3 + 1];
                }
                int n = 0;
                while (i < to && s.charAt(i) == '%') {
                    if (i + 2 >= to) {
                        throw new BadMessageException("Malformed percent-encoding");
                    }
                    int hi = Character.digit(s.charAt(i + 1), 16);
                    int lo = Character.digit(s.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        throw new BadMessageException("Malformed percent-encoding");
                    }
                    bytes[n++] = (byte) ((hi << 4) | lo);
                    i += 3;
                }
                out.append(decodeBytes(bytes, n, charset));
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static CharBuffer decodeBytes(byte[] bytes, int n, Charset charset) {
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
        } catch (CharacterCodingException e) {
            throw new BadMessageException("Percent-encoded bytes are not valid " + charset.name());
        }
    }
}
