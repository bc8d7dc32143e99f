package io.servletbridge;

/** The server loops the bridge can run on. Each needs its module ({@code bridge-netty}, {@code bridge-undertow}). */
public enum Loop {
    NETTY("netty"),
    UNDERTOW("undertow");

    private final String id;

    Loop(String id) {
        this.id = id;
    }

    /** The provider name, as used on the command line. */
    public String id() {
        return id;
    }

    /** The loop with this id (case-insensitive). */
    public static Loop of(String id) {
        for (Loop l : values()) {
            if (l.id.equalsIgnoreCase(id)) {
                return l;
            }
        }
        throw new IllegalArgumentException("Unknown loop '" + id + "': expected netty or undertow");
    }

    @Override
    public String toString() {
        return id;
    }
}
