package io.servletbridge.servlet;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The filters that apply to one dispatch, ending in its servlet (or a 404 when no servlet matched). As the request
 * passes each one, async support narrows: one filter without it turns it off for the rest of the chain.
 */
final class ServletFilterChain implements FilterChain {
    private final FilterHolder[] filters;
    private final ServletHolder servlet;
    private final BridgeRequest request;
    private int next;

    ServletFilterChain(FilterHolder[] filters, ServletHolder servlet, BridgeRequest request) {
        this.filters = filters;
        this.servlet = servlet;
        this.request = request;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp) throws IOException, ServletException {
        if (next < filters.length) {
            FilterHolder f = filters[next++];
            request.narrowAsyncSupport(f.asyncSupported());
            f.filter().doFilter(req, resp, this);
        } else if (servlet != null) {
            servlet.checkAvailable();
            request.narrowAsyncSupport(servlet.asyncSupported());
            try {
                servlet.servlet().service(req, resp);
            } catch (UnavailableException e) {
                servlet.markUnavailable(e);
                throw e;
            }
        } else {
            ((HttpServletResponse) resp).sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
