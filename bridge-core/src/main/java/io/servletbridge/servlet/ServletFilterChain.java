package io.servletbridge.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The filters that apply to one request, ending in its servlet (or a 404 when no servlet matched). */
final class ServletFilterChain implements FilterChain {
    private final Filter[] filters;
    private final ServletHolder servlet;
    private int next;

    ServletFilterChain(Filter[] filters, ServletHolder servlet) {
        this.filters = filters;
        this.servlet = servlet;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
        if (next < filters.length) {
            filters[next++].doFilter(request, response, this);
        } else if (servlet != null) {
            servlet.checkAvailable();
            try {
                servlet.servlet().service(request, response);
            } catch (UnavailableException e) {
                servlet.markUnavailable(e);
                throw e;
            }
        } else {
            ((HttpServletResponse) response).sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
