package io.servletbridge.undertow;

import io.servletbridge.http.RequestHeadRules;
import io.servletbridge.spi.ExchangeHandler;
import io.servletbridge.spi.ExchangeTracker;
import io.servletbridge.spi.HttpFields;
import io.servletbridge.spi.LoopConfig;
import io.servletbridge.spi.RequestHead;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undertow's root handler: turns each parsed request into an {@link UndertowExchange} and hands it to the bridge,
 * still on the IO thread that parsed it.
 */
final class BridgeHttpHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeHttpHandler.class);

    private final ExchangeHandler bridge;
    private final long unreadBodyDrain;
    private final ExchangeTracker exchanges;

    BridgeHttpHandler(ExchangeHandler bridge, LoopConfig config, ExchangeTracker exchanges) {
        this.bridge = bridge;
        this.exchanges = exchanges;
        this.unreadBodyDrain = config.unreadBodyDrain();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        ValidatingSourceConduit guard = ValidatingSourceConduit.of(connection);
        if (guard == null) {
            // Without the validator Undertow's lenient parser would decide what a request is; refuse to serve.
            LOG.error("No request validator on connection {}; closing it", connection.getPeerAddress());
            refuse(exchange, StatusCodes.INTERNAL_SERVER_ERROR);
            return;
        }
        if (guard.requestStarted()) {
            // The synthetic request standing for a head the validator refused: answer it, never dispatch it.
            LOG.debug("Refusing a request from {}: {}", connection.getPeerAddress(), guard.reason());
            refuse(exchange, guard.status());
            return;
        }
        RequestHeadTimer headTimer = RequestHeadTimer.of(exchange.getConnection());
        if (headTimer != null) {
            headTimer.requestStarted();
        }
        String target = rawTarget(exchange);
        String method = exchange.getRequestMethod().toString();
        String protocol = exchange.getProtocol().toString();
        ConnectionWatch watch = ConnectionWatch.of(connection);
        RequestHead head = new RequestHead(method, target, protocol, fields(exchange.getRequestHeaders()),
                connection.getPeerAddress(InetSocketAddress.class),
                connection.getLocalAddress(InetSocketAddress.class),
                exchange.getRequestScheme(), contentLength(exchange.getRequestHeaders()));
        // Undertow's parser reads one whole Connection value; the shared rule reads every line and list element.
        exchange.setPersistent(RequestHeadRules.clientKeepAlive(head));
        UndertowExchange bridged = new UndertowExchange(exchange, head, watch.loop(), unreadBodyDrain, guard);
        watch.track(bridged);
        exchanges.begin();
        exchange.addExchangeCompleteListener((done, next) -> {
            watch.untrack(bridged);
            if (!done.getConnection().isOpen()) {
                // Undertow also ends its exchange when the connection closes, and then before the close listener
                // runs, which no longer finds this exchange: if it had not completed, it hears of it here.
                bridged.connectionClosed();
            }
            exchanges.end();
            if (headTimer != null) {
                headTimer.requestEnded();
            }
            next.proceed();
        });
        // Dispatching keeps Undertow from ending the exchange when this method returns; the same-thread executor
        // runs the task right after, outside Undertow's "in call" state, still on this IO thread.
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> bridged.handOver(bridge));
    }

    /** The request-target as the client sent it: Undertow keeps the path and query undecoded in these two. */
    private static String rawTarget(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        String path = exchange.getRequestURI();
        return query == null || query.isEmpty() ? path : path + '?' + query;
    }

    /** Undertow's HeaderMap hashes names, so only the order of values within one name survives. */
    private static HttpFields fields(HeaderMap headers) {
        HttpFields fields = new HttpFields(headers.size());
        for (HeaderValues values : headers) {
            String name = values.getHeaderName().toString();
            for (String value : values) {
                fields.add(name, value);
            }
        }
        return fields;
    }

    /** Mirrors HttpTransferEncoding.setupRequest, so the bridge expects exactly the body Undertow will deliver. */
    private static long contentLength(HeaderMap headers) {
        String coding = headers.getLast(Headers.TRANSFER_ENCODING);
        if (coding != null && !Headers.IDENTITY.equalToString(coding)) {
            return -1;
        }
        String length = headers.getFirst(Headers.CONTENT_LENGTH);
        if (length != null) {
            // The validator refused malformed or repeated values, so this parses.
            return Long.parseLong(length.trim());
        }
        // "identity" without a length: the body runs until the client closes.
        return coding != null ? -1 : 0;
    }

    /** The same answer the Netty loop gives (RequestRejection there), then the connection closes. */
    private static void refuse(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        // Whatever follows was never meant to be read; closing beats parsing it as the next request.
        exchange.setPersistent(false);
        byte[] body = (status + " " + StatusCodes.getReason(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=us-ascii");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
