package io.servletbridge;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;

/**
 * Code that sets up the servlet context through the standard programmatic API ({@code addServlet},
 * {@code addFilter}, {@code addListener}, ...) while the context is initializing, like a
 * {@code ServletContainerInitializer}.
 */
@FunctionalInterface
public interface ContextConfigurer {
    void configure(ServletContext context) throws ServletException;
}
