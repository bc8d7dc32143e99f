package io.servletbridge.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered list of HTTP header fields. Names compare case-insensitively; repeated fields keep their order.
 *
 * <p>Header sets are small (a few dozen fields), so a flat array with a linear scan beats a hash map here: no
 * per-field node, no lower-casing, and iteration in arrival order for free. Not thread-safe.
 */
public final class HttpFields {
    private String[] names;
    private String[] values;
    private int size;

    public HttpFields() {
        this(12);
    }

    public HttpFields(int capacity) {
        names = new String[Math.max(capacity, 1)];
        values = new String[names.length];
    }

    /** Number of fields (a repeated name counts once per occurrence). */
    public int size() {
        return size;
    }

    public String name(int index) {
        check(index);
        return names[index];
    }

    public String value(int index) {
        check(index);
        return values[index];
    }

    /** Appends a field, keeping any earlier fields of the same name. */
    public HttpFields add(String name, String value) {
        if (size == names.length) {
            names = java.util.Arrays.copyOf(names, size * 2);
            values = java.util.Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
        return this;
    }

    /** Replaces every field of this name with one field (or removes them when {@code value} is null). */
    public HttpFields set(String name, String value) {
        int first = indexOf(name);
        if (first < 0) {
            if (value != null) {
                add(name, value);
            }
            return this;
        }
        if (value == null) {
            remove(name);
            return this;
        }
        values[first] = value;
        names[first] = name;
        removeFrom(name, first + 1);
        return this;
    }

    /** Removes every field of this name; returns whether any was there. */
    public boolean remove(String name) {
        int before = size;
        removeFrom(name, 0);
        return size != before;
    }

    private void removeFrom(String name, int start) {
        int w = start;
        for (int r = start; r < size; r++) {
            if (!names[r].equalsIgnoreCase(name)) {
                names[w] = names[r];
                values[w] = values[r];
                w++;
            }
        }
        for (int i = w; i < size; i++) {
            names[i] = null;
            values[i] = null;
        }
        size = w;
    }

    public void clear() {
        java.util.Arrays.fill(names, 0, size, null);
        java.util.Arrays.fill(values, 0, size, null);
        size = 0;
    }

    /** Index of the first field of this name, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The first value of this name, or null. */
    public String get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    /** Every value of this name, in order; empty when there is none. */
    public List<String> getAll(String name) {
        List<String> out = null;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(values[i]);
            }
        }
        return out == null ? Collections.emptyList() : out;
    }

    /** Distinct names in first-seen order, spelled as first seen. */
    public Set<String> names() {
        Set<String> seen = new LinkedHashSet<>();
        outer:
        for (int i = 0; i < size; i++) {
            for (String s : seen) {
                if (s.equalsIgnoreCase(names[i])) {
                    continue outer;
                }
            }
            seen.add(names[i]);
        }
        return seen;
    }

    /**
     * Whether a comma-separated header of this name lists {@code token} (case-insensitive), as in
     * {@code Connection: keep-alive, Upgrade}.
     */
    public boolean containsToken(String name, String token) {
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(name)) {
                continue;
            }
            String v = values[i];
            int start = 0;
            while (start <= v.length()) {
                int comma = v.indexOf(',', start);
                int end = comma < 0 ? v.length() : comma;
                if (v.substring(start, end).trim().equalsIgnoreCase(token)) {
                    return true;
                }
                if (comma < 0) {
                    break;
                }
                start = comma + 1;
            }
        }
        return false;
    }

    private void check(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(names[i]).append(": ").append(values[i]).append('\n');
        }
        return sb.toString();
    }
}
