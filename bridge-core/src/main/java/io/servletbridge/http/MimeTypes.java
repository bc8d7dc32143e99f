package io.servletbridge.http;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** File-extension to media-type table used by {@code ServletContext.getMimeType}; applications may add to it. */
public final class MimeTypes {
    private final Map<String, String> byExtension = new HashMap<>();

    public MimeTypes() {
        String[][] defaults = {
            {"html", "text/html"}, {"htm", "text/html"}, {"css", "text/css"}, {"js", "text/javascript"},
            {"mjs", "text/javascript"}, {"json", "application/json"}, {"txt", "text/plain"}, {"xml", "application/xml"},
            {"csv", "text/csv"}, {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
            {"gif", "image/gif"}, {"svg", "image/svg+xml"}, {"ico", "image/x-icon"}, {"webp", "image/webp"},
            {"avif", "image/avif"}, {"woff", "font/woff"}, {"woff2", "font/woff2"}, {"ttf", "font/ttf"},
            {"otf", "font/otf"}, {"pdf", "application/pdf"}, {"zip", "application/zip"},
            {"gz", "application/gzip"}, {"jar", "application/java-archive"}, {"war", "application/java-archive"},
            {"wasm", "application/wasm"}, {"mp4", "video/mp4"}, {"webm", "video/webm"}, {"mp3", "audio/mpeg"},
            {"wav", "audio/wav"}, {"ogg", "audio/ogg"}, {"map", "application/json"}, {"md", "text/markdown"},
            {"bin", "application/octet-stream"},
        };
        for (String[] d : defaults) {
            byExtension.put(d[0], d[1]);
        }
    }

    public void add(String extension, String mimeType) {
        byExtension.put(extension.toLowerCase(Locale.ROOT), mimeType);
    }

    /** The type for a file name's extension, or null. */
    public String forFile(String file) {
        if (file == null) {
            return null;
        }
        int dot = file.lastIndexOf('.');
        int slash = file.lastIndexOf('/');
        if (dot < 0 || dot < slash) {
            return null;
        }
        return byExtension.get(file.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
