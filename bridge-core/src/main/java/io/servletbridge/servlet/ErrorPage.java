package io.servletbridge.servlet;

import io.servletbridge.http.StatusText;
import java.nio.charset.StandardCharsets;

/** The container's default error page: status and message, escaped, and never a stack trace. */
final class ErrorPage {
    private ErrorPage() {
    }

    static byte[] html(int status, String message) {
        String title = status + " " + StatusText.of(status);
        StringBuilder sb = new StringBuilder(256);
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title></head>\n<body><h1>").append(escape(title)).append("</h1>");
        if (message != null && !message.isEmpty()) {
            sb.append("<p>").append(escape(message)).append("</p>");
        }
        sb.append("</body></html>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '&': out.append("&amp;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&#39;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }
}
