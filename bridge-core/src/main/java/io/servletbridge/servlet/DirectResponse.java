package io.servletbridge.servlet;

import io.servletbridge.http.HttpDate;
import io.servletbridge.http.StatusText;
import io.servletbridge.spi.Exchange;
import io.servletbridge.spi.ExchangeEvents;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.ResponseHead;
import io.servletbridge.spi.WriteCallback;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A short plain-text answer written straight from the loop thread, for requests the container refuses before any
 * application code could run (overload, a malformed head).
 */
final class DirectResponse {
    /** For exchanges answered without ever reading the body: every event is ignored. */
    static final ExchangeEvents IGNORE_EVENTS = new ExchangeEvents() {
        @Override
        public boolean onBodyData(io.servletbridge.spi.BodyChunk chunk) {
            chunk.release();
            return false;
        }

        @Override
        public void onBodyEnd() {
        }

        @Override
        public void onClosed(Throwable cause) {
        }
    };

    private DirectResponse() {
    }

    /**
     * @param close         whether the connection must not carry another request
     * @param extraHeaders  name, value, name, value...
     */
    static void send(Exchange exchange, int status, String message, boolean close, String... extraHeaders) {
        byte[] body = (status + " " + StatusText.of(status) + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        HttpFields h = new HttpFields(4 + extraHeaders.length / 2);
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            h.add(extraHeaders[i], extraHeaders[i + 1]);
        }
        h.add("Content-Type", "text/plain;charset=utf-8");
        h.add("Date", HttpDate.now());
        if (close) {
            h.add("Connection", "close");
        }
        exchange.write(new ResponseHead(status, null, h, body.length), ByteBuffer.wrap(body), true,
                WriteCallback.NONE);
    }
}
